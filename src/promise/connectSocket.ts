import type { NetSocket } from '../transport/Transport.js';
import { connect } from './connect.js';
import type { ConnectPromiseOptions } from './connect.js';

/**
 * Connects as `connect()` does (Happy Eyeballs, TLS, `timeout`, `signal`, ...) and hands the winning socket over:
 * a Promise of the connected Node socket, for code that takes a socket rather than a channel (a database driver,
 * `node:http`'s `createConnection`).
 *
 * <span class="informal">The socket is the caller's from then on: rxconnect's listeners are removed, it is not
 * paused, nothing has been read from it, and rxconnect never closes it. With `tls` it is a `tls.TLSSocket` whose
 * handshake has finished.</span>
 *
 * ```
 * events:  --r-a---c|          the connect; at c the socket is handed over and the stream ends (closed, detached)
 * promise: --------S           resolves with c's socket; rejects with a failed's ConnectError
 * ```
 *
 * ## Example
 * ```ts
 * import { request } from 'node:http';
 * import { connectSocket } from 'rxconnect';
 *
 * const socket = await connectSocket('localhost', 8080, { timeout: 5000 });
 * request({ host: 'localhost', path: '/', createConnection: () => socket }, (res) => res.resume()).end();
 * ```
 *
 * @param host A host name or an IP literal.
 * @param port An integer from 1 to 65535, or a service name.
 * @param options `connect()`'s options: `connectAsync$`'s, and `timeout` for the whole connect (TLS included).
 * @returns A Promise of the connected socket (`net.Socket`, or `tls.TLSSocket` with `tls`); it rejects with the
 * `ConnectError` of a failed connect, or a `ChannelClosedError` for a `transport` that cannot hand sockets over.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the argument, for bad input.
 */
export function connectSocket(host: string, port: number | string, options?: ConnectPromiseOptions): Promise<NetSocket> {
  // The channel is handed over in the same tick as it was made: nothing has read from or written to it.
  return connect(host, port, options).then((channel) => {
    try {
      return channel.detach();
    } catch (error) {
      // A transport that cannot hand its sockets over (the virtual network): the socket is not left open.
      channel.destroy();
      throw error;
    }
  });
}
