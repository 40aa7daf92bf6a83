import { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { SocketAddress } from '../core/socket.js';
import type { ListenRequest, ServerEvents, TransportServer, TransportSocket } from './Transport.js';

/** A listening net.Server behind the TransportServer interface. */
class NodeServer implements TransportServer {
  readonly address: SocketAddress;
  private readonly server: Server;

  constructor(server: Server, address: SocketAddress) {
    this.server = server;
    this.address = address;
  }

  close(): void {
    if (this.server.listening) this.server.close();
  }
}

/**
 * Listens on one local address with a net.Server whose accepted sockets start paused; `wrap` makes each one a
 * TransportSocket (the transport's NodeSocket).
 */
export function listenOn(
  request: ListenRequest,
  events: ServerEvents,
  done: (error: Error | null, server?: TransportServer) => void,
  wrap: (socket: Socket) => TransportSocket,
): void {
  // Accepted sockets start paused (pauseOnConnect): nothing is read before the Channel has a subscriber.
  const server = new Server({
    allowHalfOpen: request.allowHalfOpen === true,
    pauseOnConnect: true,
    ...(request.noDelay === undefined ? {} : { noDelay: request.noDelay }),
    ...(request.keepAlive === undefined ? {} : { keepAlive: request.keepAlive }),
  });
  const { local } = request;
  const onError = (error: Error): void => {
    server.off('listening', onListening);
    server.close();
    done(error);
  };
  const onListening = (): void => {
    server.off('error', onError);
    server.on('error', (error) => events.error(error));
    const info = server.address();
    const port = typeof info === 'object' && info !== null ? info.port : local.port;
    done(null, new NodeServer(server, { address: local.address, family: local.family, port }));
  };
  server.on('connection', (socket: Socket) => {
    events.connection(wrap(socket));
  });
  server.once('error', onError);
  server.once('listening', onListening);
  try {
    server.listen({
      host: local.address,
      port: local.port,
      ipv6Only: local.family === 6,
      ...(request.backlog === undefined ? {} : { backlog: request.backlog }),
    });
  } catch (error) {
    // Node throws at once for arguments it rejects; report it the way bind errors come.
    server.off('error', onError);
    server.off('listening', onListening);
    queueMicrotask(() => done(error instanceof Error ? error : new Error(String(error))));
  }
}
