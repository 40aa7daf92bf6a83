import { parseOptions } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';

/**
 * Options of {@link httpAgent} and {@link httpsAgent}: the pooling options of Node's `http.Agent`, and how
 * rxconnect connects.
 */
export type HttpAgentOptions = {
  /** Keep idle sockets for later requests. Default false (Node's). */
  readonly keepAlive?: boolean | undefined;
  /** The initial delay of TCP keep-alive on a kept socket, in ms. Default 1000 (Node's). */
  readonly keepAliveMsecs?: number | undefined;
  /** The most sockets per origin. Default Infinity. Connects in flight count once connected. */
  readonly maxSockets?: number | undefined;
  /** The most sockets in all. Default Infinity. */
  readonly maxTotalSockets?: number | undefined;
  /** The most idle sockets kept per origin. Default 256. */
  readonly maxFreeSockets?: number | undefined;
  /** Which idle socket is used next: `'lifo'` (Node's default) or `'fifo'`. */
  readonly scheduling?: 'fifo' | 'lifo' | undefined;
  /** The idle timeout of the sockets, in ms, as Node's Agent's (not a connect timeout: see `connect.timeout`). */
  readonly timeout?: number | undefined;
  /**
   * How each socket is connected: `connect`'s options (the race, `lookup`, `timeout` for the connect, the TLS
   * handshake included; default none, as Node's), with `tls` as the defaults of every `https:` connection, under
   * the request's own `ca`, `servername`, `rejectUnauthorized`, ..., and `history` (default: one per Agent;
   * `false` for none).
   */
  readonly connect?: HttpConnectOptions | undefined;
};

const HTTP_AGENT_OPTIONS: KnownKeys<HttpAgentOptions> = {
  keepAlive: true, keepAliveMsecs: true, maxSockets: true, maxTotalSockets: true, maxFreeSockets: true, scheduling: true, timeout: true, connect: true,
};

/** Node's names for connect options, which go under `connect` here. */
const AGENT_ALIASES: Readonly<Record<string, string>> = {
  lookup: 'connect options go under "connect": { connect: { lookup } }',
  localAddress: 'connect options go under "connect": { connect: { myaddr } }',
  family: 'connect options go under "connect": { connect: { family } }',
  ca: 'TLS options go under "connect": { connect: { tls: { ca } } }',
  rejectUnauthorized: 'TLS options go under "connect": { connect: { tls: { rejectUnauthorized } } }',
};

/** Checks an Agent's options for unknown keys; Node's Agent checks its own values. */
export function parseHttpAgentOptions(value: unknown): Partial<HttpAgentOptions> {
  return parseOptions<HttpAgentOptions>(value, 'options', HTTP_AGENT_OPTIONS, AGENT_ALIASES);
}
