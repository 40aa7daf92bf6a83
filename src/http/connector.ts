import { upgradeSocket } from './upgradeSocket.js';
import { connectSocket } from '../promise/connectSocket.js';
import type { NetSocket } from '../transport/Transport.js';
import { parseHttpConnectOptions } from './HttpConnectOptions.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';
import { connectorRequest } from './ConnectorRequest.js';
import type { ConnectorRequest } from './ConnectorRequest.js';

/** How a connector answers: the connected socket (a `tls.TLSSocket` for `https:`), or the `ConnectError` of a failed connect. */
export type ConnectorCallback = (...args: [error: null, socket: NetSocket] | [error: Error, socket: null]) => void;

/** A function with undici's connector contract, for the `connect` option of undici's `Agent`, `Pool` or `Client`. */
export type Connector = (request: ConnectorRequest, callback: ConnectorCallback) => void;

/** The undici connect timeout's default, which undici does not pass to a connector of its own. */
const UNDICI_CONNECT_TIMEOUT = 10_000;

/**
 * Makes an undici connector that connects through rxconnect: `fetch` and undici's dispatchers get its Happy
 * Eyeballs race, its TLS, and its readable errors.
 *
 * <span class="informal">undici's `buildConnector` with rxconnect's connect in place of `net.connect`.</span>
 *
 * undici calls the connector once per new connection with its origin. `port` `''` means the protocol's default
 * (80, 443); `https:` connects with TLS, `servername` for SNI (the host name when null) and ALPN `['h2',
 * 'http/1.1']` when the dispatcher allows HTTP/2 (`allowH2`), else `['http/1.1']`; `localAddress` binds. The
 * socket comes with Nagle off and TCP keep-alive on, as undici's own. A failed connect reaches `fetch` as the
 * `ConnectError` with every attempt in its message, the `cause` of fetch's `TypeError`. A proxy's tunnel
 * (`httpSocket`) is used as it is: TLS runs on it for `https:` (bounded by `timeout`). Unix sockets
 * (`socketPath`) are not supported: they fail the request with an `InvalidArgumentError`.
 *
 * The connector keeps a connect history of its own (see `createConnectHistory`): once a connect has waited for a
 * black-holed address and won with another, the next connects to that origin start with the winner. Pass
 * `history` to share one, or `history: false` for none.
 *
 * ## Example
 * ```ts
 * import { Agent, setGlobalDispatcher } from 'undici';
 * import { connector } from 'rxconnect/http';
 *
 * setGlobalDispatcher(new Agent({ connect: connector({ attemptDelay: 250 }) }));
 * const response = await fetch('https://example.com/');
 * ```
 *
 * @param options `connect`'s options for every connection (validated now): the race, `lookup`, `tls` defaults
 * (`ca`, `rejectUnauthorized`, ...), `timeout` for each connect, TLS handshake included (default 10 s, as
 * undici's), and `history` (default: a new one for this connector; `false` for none).
 * @returns The connector, `(request, callback)`.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the option, for bad options.
 */
export function connector(options?: HttpConnectOptions): Connector {
  const base = parseHttpConnectOptions(options, 'options', UNDICI_CONNECT_TIMEOUT);
  return (request, callback) => {
    let pending: Promise<NetSocket>;
    try {
      const { host, port, options: connectOptions, tunnel } = connectorRequest(request, base);
      // Through a proxy's tunnel there is nothing to race: TLS runs on it for https:, and http: takes it as it is.
      if (tunnel === undefined) pending = connectSocket(host, port, connectOptions);
      else if (typeof connectOptions.tls !== 'object') pending = Promise.resolve(tunnel);
      else pending = upgradeSocket(tunnel, host, port, connectOptions.tls, connectOptions.timeout);
    } catch (error) {
      callback(error as Error, null);
      return;
    }
    pending.then(
      (socket) => callback(null, socket),
      (error: unknown) => callback(error as Error, null),
    );
  };
}
