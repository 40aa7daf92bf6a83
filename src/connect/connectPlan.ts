import type { SchedulerLike } from 'rxjs';
import { ENCODINGS, TRANSLATIONS } from '../channel/encoding.js';
import { parseMaxLineLength } from '../validation/validate.js';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import {
  parseBoolean,
  parseChoice,
  parseDelay,
  parseFunction,
  parseHost,
  parseInteger,
  parseOptions,
  parsePort,
  parseScheduler,
} from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { parseTlsOptions } from '../validation/tlsOptions.js';
import type { TlsOptions } from '../core/tls.js';
import { ipFamily } from '../core/address.js';
import { nodeTransport } from '../transport/nodeTransport.js';
import { parseTransport } from '../transport/Transport.js';
import type { LookupFunction, Transport } from '../transport/Transport.js';
import type { ChannelEncoding, ChannelTranslation } from '../channel/encoding.js';
import type { ConnectOptions, ConnectStrategy, FamilyOrder } from './ConnectOptions.js';
import { parseHistory } from './ConnectHistory.js';
import type { HistoryStore } from './ConnectHistory.js';

/** Everything one connect needs, validated and with defaults applied. */
export type ConnectPlan = {
  readonly host: string;
  readonly hostFamily: 0 | 4 | 6;
  readonly port: number;
  readonly strategy: ConnectStrategy;
  readonly attemptDelay: number;
  readonly resolutionDelay: number;
  readonly familyOrder: FamilyOrder;
  readonly firstFamilyCount: number;
  readonly attemptTimeout: number | undefined;
  readonly maxConcurrentAttempts: number;
  readonly family: 0 | 4 | 6;
  readonly myaddr: string | undefined;
  readonly myport: number | undefined;
  readonly lookup: LookupFunction;
  readonly transport: Transport;
  readonly scheduler: SchedulerLike;
  readonly encoding: ChannelEncoding;
  readonly translation: ChannelTranslation;
  readonly maxLineLength: number | undefined;
  readonly noDelay: boolean | undefined;
  readonly keepAlive: boolean | undefined;
  readonly signal: AbortSignal | undefined;
  /** The TLS settings (servername decided), or undefined for plain TCP. */
  readonly tls: TlsOptions | undefined;
  /** The connect history, or undefined for none (and for an IP literal, which has nothing to learn). */
  readonly history: HistoryStore | undefined;
};

export const MIN_ATTEMPT_DELAY = 10;
export const MAX_ATTEMPT_DELAY = 2000;

/** The keys of {@link ConnectOptions}: anything else is rejected, with a suggestion. */
export const CONNECT_OPTIONS: KnownKeys<ConnectOptions> = {
  strategy: true, attemptDelay: true, resolutionDelay: true, firstFamilyCount: true, attemptTimeout: true, family: true,
  myaddr: true, myport: true, lookup: true, transport: true, scheduler: true, encoding: true, translation: true,
  maxLineLength: true, noDelay: true, keepAlive: true, signal: true, maxConcurrentAttempts: true, familyOrder: true, tls: true,
  history: true,
};

/** Node's names for connect options (`net.connect`'s), and what rxconnect calls them. */
export const NODE_CONNECT_NAMES: Readonly<Record<string, string>> = {
  localAddress: 'myaddr',
  localPort: 'myport',
  autoSelectFamilyAttemptTimeout: 'attemptDelay',
};

const CONNECT_ALIASES: Readonly<Record<string, string>> = {
  ...NODE_CONNECT_NAMES,
  timeout: 'timeout is an option of connect(); with connectAsync$, use .pipe(connectTimeout(ms))',
};

/** The plan minus host and port: what the options say. */
type Settings = Omit<ConnectPlan, 'host' | 'hostFamily' | 'port'>;

/** The settings of no options at all, made once: most connects pass none, and there is one plan per connect. */
let defaults: Settings | undefined;

/** Validates the arguments of `connectAsync$`; throws a typed error naming the first bad one. */
export function connectPlan(hostArg: unknown, portArg: unknown, optionsArg: unknown): ConnectPlan {
  const host = parseHost(hostArg, 'host');
  const port = parsePort(portArg, 'port');
  const hostFamily = ipFamily(host);
  const s = optionsArg === undefined ? (defaults ??= settings(undefined, host, 0)) : settings(optionsArg, host, hostFamily);
  // One literal, in one order, whichever path made the settings: every plan has the same shape.
  return {
    host, hostFamily, port, strategy: s.strategy, attemptDelay: s.attemptDelay, resolutionDelay: s.resolutionDelay,
    familyOrder: s.familyOrder, firstFamilyCount: s.firstFamilyCount, attemptTimeout: s.attemptTimeout, maxConcurrentAttempts: s.maxConcurrentAttempts, family: s.family, myaddr: s.myaddr,
    myport: s.myport, lookup: s.lookup, transport: s.transport, scheduler: s.scheduler, encoding: s.encoding,
    translation: s.translation, maxLineLength: s.maxLineLength, noDelay: s.noDelay, keepAlive: s.keepAlive,
    signal: s.signal, tls: s.tls, history: hostFamily === 0 ? s.history : undefined,
  };
}

function settings(optionsArg: unknown, host: string, hostFamily: 0 | 4 | 6): Settings {
  const o = parseOptions<ConnectOptions>(optionsArg, 'options', CONNECT_OPTIONS, CONNECT_ALIASES);
  const strategy = parseChoice<ConnectStrategy>(o.strategy, 'strategy', ['happy-eyeballs', 'sequential'], 'happy-eyeballs');
  const attemptDelay = Math.min(MAX_ATTEMPT_DELAY, Math.max(MIN_ATTEMPT_DELAY, parseDelay(o.attemptDelay, 'attemptDelay', 250)));
  const resolutionDelay = parseDelay(o.resolutionDelay, 'resolutionDelay', 50);
  const familyOrder = parseChoice<FamilyOrder>(o.familyOrder, 'familyOrder', ['ipv6first', 'ipv4first', 'verbatim'], 'ipv6first');
  const firstFamilyCount = parseInteger(o.firstFamilyCount, 'firstFamilyCount', 1, 1000, 1);
  const attemptTimeout = parseDelay(o.attemptTimeout, 'attemptTimeout', undefined);
  if (attemptTimeout === 0) throw new ArgumentOutOfRangeError('attemptTimeout', 'must be more than 0 ms');
  const maxConcurrentAttempts = parseInteger(o.maxConcurrentAttempts, 'maxConcurrentAttempts', 1, Number.MAX_SAFE_INTEGER, 6);
  const family = parseChoice<0 | 4 | 6>(o.family, 'family', [0, 4, 6], 0);
  if (hostFamily !== 0 && family !== 0 && hostFamily !== family) {
    throw new InvalidArgumentError('family', `is ${family}, but host ${host} is an IPv${hostFamily} address`);
  }
  const myaddr = o.myaddr === undefined ? undefined : parseHost(o.myaddr, 'myaddr');
  const myport = o.myport === undefined ? undefined : parsePort(o.myport, 'myport', true);
  const tls = parseTlsOptions(o.tls, host);
  const transport = parseTransport(o.transport, 'dial', tls !== undefined) ?? nodeTransport;
  if (tls !== undefined) transport.prepareTls?.({ side: 'client', options: tls });
  const lookup = parseFunction<LookupFunction>(o.lookup, 'lookup') ?? transport.lookup;
  const scheduler = parseScheduler(o.scheduler, 'scheduler');
  const encoding = parseChoice<ChannelEncoding>(o.encoding, 'encoding', ENCODINGS, 'utf-8');
  const translation = parseChoice<ChannelTranslation>(o.translation, 'translation', TRANSLATIONS, 'auto');
  const maxLineLength = parseMaxLineLength(o.maxLineLength);
  const noDelay = parseBoolean(o.noDelay, 'noDelay');
  const keepAlive = parseBoolean(o.keepAlive, 'keepAlive');
  const signal = parseSignal(o.signal, 'signal');
  const history = parseHistory(o.history, 'history');
  return {
    strategy, attemptDelay, resolutionDelay, familyOrder, firstFamilyCount, attemptTimeout, maxConcurrentAttempts, family, myaddr, myport, lookup,
    transport, scheduler, encoding, translation, maxLineLength, noDelay, keepAlive, signal, tls, history,
  };
}

/** An optional AbortSignal; anything else throws an InvalidArgumentError naming `name`. */
export function parseSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new InvalidArgumentError(name, `must be an AbortSignal, got ${value === null ? 'null' : typeof value}`, 'ERR_INVALID_ARG_TYPE');
}
