import type { SchedulerLike } from 'rxjs';
import { parseTlsServerOptions } from '../validation/tlsOptions.js';
import type { TlsServerOptions } from '../core/tls.js';
import { ENCODINGS, TRANSLATIONS } from '../channel/encoding.js';
import { parseMaxLineLength } from '../validation/validate.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import {
  parseBoolean,
  parseChoice,
  parseFunction,
  parseHost,
  parseInteger,
  parseOptions,
  parsePort,
  parseScheduler,
} from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { ipFamily } from '../core/address.js';
import { nodeTransport } from '../transport/nodeTransport.js';
import { parseTransport } from '../transport/Transport.js';
import type { LookupFunction, Transport } from '../transport/Transport.js';
import type { ChannelEncoding, ChannelTranslation } from '../channel/encoding.js';
import type { ListenOptions } from './ListenOptions.js';
import { parseSignal } from '../connect/connectPlan.js';

/** Everything one `listen$` needs, validated and with defaults applied. */
export type ListenPlan = {
  readonly port: number;
  readonly myaddr: string | undefined;
  readonly myaddrFamily: 0 | 4 | 6;
  readonly family: 0 | 4 | 6;
  readonly backlog: number | undefined;
  readonly lookup: LookupFunction;
  readonly transport: Transport;
  readonly scheduler: SchedulerLike;
  readonly encoding: ChannelEncoding;
  readonly translation: ChannelTranslation;
  readonly maxLineLength: number | undefined;
  readonly allowHalfOpen: boolean;
  readonly noDelay: boolean | undefined;
  readonly keepAlive: boolean | undefined;
  readonly signal: AbortSignal | undefined;
  /** The TLS settings of accepted clients, or undefined for plain TCP. */
  readonly tls: (TlsServerOptions & { readonly handshakeTimeout: number }) | undefined;
};

/** The keys of {@link ListenOptions}: anything else is rejected, with a suggestion. */
export const LISTEN_OPTIONS: KnownKeys<ListenOptions> = {
  myaddr: true, family: true, backlog: true, lookup: true, transport: true, scheduler: true, encoding: true, translation: true,
  maxLineLength: true, allowHalfOpen: true, noDelay: true, keepAlive: true, signal: true, tls: true,
};

/** Node's names for listen options (`server.listen`'s and `net.createServer`'s), and what rxconnect calls them. */
const LISTEN_ALIASES: Readonly<Record<string, string>> = {
  host: 'myaddr',
  localAddress: 'myaddr',
  port: "the port is listen$'s first argument",
  handshakeTimeout: 'handshakeTimeout is a TLS setting: tls: { key, cert, handshakeTimeout }',
};

/** Validates the arguments of `listen$`; throws a typed error naming the first bad one. */
export function listenPlan(portArg: unknown, optionsArg: unknown): ListenPlan {
  const port = parsePort(portArg, 'port', true);
  const o = parseOptions<ListenOptions>(optionsArg, 'options', LISTEN_OPTIONS, LISTEN_ALIASES);
  const family = parseChoice<0 | 4 | 6>(o.family, 'family', [0, 4, 6], 0);
  const myaddr = o.myaddr === undefined ? undefined : parseHost(o.myaddr, 'myaddr');
  const myaddrFamily = myaddr === undefined ? 0 : ipFamily(myaddr);
  if (myaddrFamily !== 0 && family !== 0 && myaddrFamily !== family) {
    throw new InvalidArgumentError('family', `is ${family}, but myaddr ${myaddr ?? ''} is an IPv${myaddrFamily} address`);
  }
  const backlog = o.backlog === undefined ? undefined : parseInteger(o.backlog, 'backlog', 0, 2147483647, 0);
  const tls = parseTlsServerOptions(o.tls);
  const transport = parseTransport(o.transport, 'listen', tls !== undefined) ?? nodeTransport;
  if (tls !== undefined) transport.prepareTls?.({ side: 'server', options: tls });
  const lookup = parseFunction<LookupFunction>(o.lookup, 'lookup') ?? transport.lookup;
  const scheduler = parseScheduler(o.scheduler, 'scheduler');
  const encoding = parseChoice<ChannelEncoding>(o.encoding, 'encoding', ENCODINGS, 'utf-8');
  const translation = parseChoice<ChannelTranslation>(o.translation, 'translation', TRANSLATIONS, 'auto');
  const maxLineLength = parseMaxLineLength(o.maxLineLength);
  const allowHalfOpen = parseBoolean(o.allowHalfOpen, 'allowHalfOpen') ?? false;
  const noDelay = parseBoolean(o.noDelay, 'noDelay');
  const keepAlive = parseBoolean(o.keepAlive, 'keepAlive');
  const signal = parseSignal(o.signal, 'signal');
  return {
    port, myaddr, myaddrFamily, family, backlog, lookup, transport, scheduler, encoding, translation, maxLineLength, allowHalfOpen,
    noDelay, keepAlive, signal, tls,
  };
}
