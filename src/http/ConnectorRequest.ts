import { ipFamily, unbracket } from '../core/address.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { describe, parsePort } from '../validation/validate.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';
import type { NetSocket } from '../transport/Transport.js';
import type { ConnectPromiseOptions } from '../promise/connect.js';

/** What undici asks a connector for: the origin of the requests that will use the socket. */
export type ConnectorRequest = {
  /** The host name or IP literal (an IPv6 literal possibly in brackets). */
  readonly hostname: string;
  /** The host with its port, as in the URL. */
  readonly host?: string | undefined;
  /** `'http:'` or `'https:'`. */
  readonly protocol: string;
  /** The port as a string; `''` for the protocol's default (80 or 443). */
  readonly port: string | number;
  /** The name for SNI and the certificate check; null or absent for the host name. */
  readonly servername?: string | null | undefined;
  /** The local address to bind; null or absent for any. */
  readonly localAddress?: string | null | undefined;
  /** An established socket (a proxy's tunnel to the origin): `https:` runs TLS on it, `http:` uses it as it is. */
  readonly httpSocket?: unknown;
  /** The dispatcher's `allowH2`: offer HTTP/2 by ALPN. */
  readonly allowH2?: boolean | undefined;
  /** The dispatcher's `socketPath`: a Unix socket, which rxconnect does not dial. */
  readonly socketPath?: string | null | undefined;
};

/** What to connect to for a request: the arguments of `connectSocket`, and a proxy's tunnel when there is one. */
export type SocketRequest = {
  readonly host: string;
  readonly port: number;
  readonly options: ConnectPromiseOptions;
  /** The proxy's tunnel to the origin (undici's `httpSocket`): no connect, only TLS for `https:`. */
  readonly tunnel?: NetSocket | undefined;
};

/** The default port of an HTTP protocol. */
export function defaultPort(protocol: string): number {
  if (protocol === 'http:') return 80;
  if (protocol === 'https:') return 443;
  throw new InvalidArgumentError('protocol', `must be "http:" or "https:", got ${describe(protocol)}`);
}

/**
 * Maps undici's connect options onto a connect: `port` `''` to the protocol's default, TLS for `https:` with
 * `servername` (an IP literal or null meaning the host name's default) and the ALPN `allowH2` asks for.
 */
export function connectorRequest(request: ConnectorRequest, base: HttpConnectOptions): SocketRequest {
  const port = request.port === '' || request.port === undefined ? defaultPort(request.protocol) : parsePort(request.port, 'port');
  const secure = defaultPort(request.protocol) === 443;
  if (request.socketPath !== undefined && request.socketPath !== null) {
    throw new InvalidArgumentError('socketPath', 'is a Unix socket; rxconnect dials TCP only');
  }
  const tunnel = request.httpSocket === undefined || request.httpSocket === null ? undefined : parseTunnel(request.httpSocket);
  const host = unbracket(request.hostname);
  const localAddress = request.localAddress ?? undefined;
  const myaddr = localAddress === undefined ? base.myaddr : localAddress;
  if (!secure) return { host, port, options: { noDelay: true, keepAlive: true, ...base, tls: undefined, myaddr }, tunnel };
  const servername = request.servername === null || request.servername === undefined || request.servername === '' || ipFamily(request.servername) !== 0 ? base.tls?.servername : request.servername;
  const ALPNProtocols = request.allowH2 === true ? ['h2', 'http/1.1'] : ['http/1.1'];
  const tls = servername === undefined ? { ...base.tls, ALPNProtocols } : { ...base.tls, ALPNProtocols, servername };
  return { host, port, options: { noDelay: true, keepAlive: true, ...base, tls, myaddr }, tunnel };
}

/** undici's `httpSocket`: a connected socket (anything else fails the request, naming it). */
function parseTunnel(value: unknown): NetSocket {
  const socket = value as Partial<NetSocket> | null;
  if (typeof socket !== 'object' || socket === null || typeof socket.write !== 'function' || typeof socket.pause !== 'function' || socket.destroyed === true) {
    throw new InvalidArgumentError('httpSocket', 'must be a connected socket (a proxy\'s tunnel)', 'ERR_INVALID_ARG_TYPE');
  }
  return value as NetSocket;
}
