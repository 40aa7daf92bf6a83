import type { SocketAddress, SocketEvents, TransportSocket } from '../../src/index.js';

/**
 * A transport socket for hand-written transports: connected to `remote` as far as its names go, writes succeed,
 * `end(done)` is done at once, and `destroy` runs `onDestroy`.
 */
export function scriptedSocket(events: SocketEvents, remote: SocketAddress, local: SocketAddress | undefined, onDestroy: (socket: TransportSocket) => void): TransportSocket {
  const socket: TransportSocket = {
    events,
    localAddress: local,
    remoteAddress: remote,
    writableLength: 0,
    writableHighWaterMark: 16384,
    write: () => true,
    end: (done) => done?.(null),
    destroy: () => onDestroy(socket),
    pause: () => undefined,
    resume: () => undefined,
  };
  return socket;
}
