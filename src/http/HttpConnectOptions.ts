import type { TlsOptions } from '../core/tls.js';
import { parseDelay, parseOptions, parseRecord } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { createConnectHistory } from '../connect/ConnectHistory.js';
import { CONNECT_OPTIONS, NODE_CONNECT_NAMES, connectPlan } from '../connect/connectPlan.js';
import type { ConnectPromiseOptions } from '../promise/connect.js';

/**
 * How rxconnect connects under an HTTP client: the options of `connect` (`strategy`, `attemptDelay`, `lookup`,
 * `timeout`, ...), with `tls` as the defaults of every TLS connection (`ca`, `rejectUnauthorized`, ...). Whether a
 * connection uses TLS is the request's protocol's choice, not an option.
 */
export type HttpConnectOptions = Omit<ConnectPromiseOptions, 'tls'> & {
  /** The TLS settings of `https:` connections (`ca`, `rejectUnauthorized`, a client certificate, ...). */
  readonly tls?: TlsOptions | undefined;
};

const HTTP_CONNECT_OPTIONS: KnownKeys<HttpConnectOptions> = { ...CONNECT_OPTIONS, timeout: true };

/**
 * Validates the connect options of a connector or an Agent now, as `connect` would at each request, so that bad
 * input fails the call that gave it. Returns a frozen copy with `timeout` and `history` decided: a new history
 * unless one, or `false`, was given.
 */
export function parseHttpConnectOptions(value: unknown, argument: string, defaultTimeout: number | undefined): HttpConnectOptions {
  const o = parseOptions<HttpConnectOptions>(value, argument, HTTP_CONNECT_OPTIONS, NODE_CONNECT_NAMES);
  if (o.tls !== undefined) parseRecord(o.tls, 'tls', 'TLS options (an object)');
  const timeout = o.timeout === undefined ? defaultTimeout : parseDelay(o.timeout, 'timeout', 0);
  const { timeout: _timeout, ...rest } = o;
  connectPlan('localhost', 1, rest);
  // One history per connector or Agent, on the connects' clock, unless one was given or `false` said none.
  const history = rest.history ?? createConnectHistory({ scheduler: rest.scheduler });
  return Object.freeze(timeout === undefined ? { ...rest, history } : { ...rest, history, timeout });
}
