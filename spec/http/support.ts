import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ConnectError } from '../../src/index.js';
import type { NetSocket } from '../../src/index.js';
import type { Connector } from '../../src/http/index.js';
import type { ConnectorRequest } from '../../src/http/index.js';

/**
 * A client handler for `loopbackFixtures().server()` (or a `tlsPeer`'s `onSecure`) that speaks HTTP/1.1 with
 * Node's own server: each response says which server socket carried it, to tell reuse from new connections.
 */
export function httpHandler(respond: (request: IncomingMessage, response: ServerResponse) => void = defaultResponse): (socket: Socket | TLSSocket) => void {
  const server = createServer(respond);
  return (socket) => server.emit('connection', socket);
}

let connections = 0;
const ids = new WeakMap<object, number>();

function defaultResponse(request: IncomingMessage, response: ServerResponse): void {
  let id = ids.get(request.socket);
  if (id === undefined) ids.set(request.socket, (id = ++connections));
  response.end(`connection ${id} ${request.url ?? ''}`);
}

/** Calls a connector as undici does, as a Promise of its answer. */
export function callConnector(connect: Connector, request: ConnectorRequest): Promise<NetSocket> {
  return new Promise((resolve, reject) => connect(request, (error, socket) => (error === null ? resolve(socket) : reject(error))));
}

/** The error a Promise rejects with, checked to be a ConnectError. */
export async function connectErrorOf(pending: Promise<unknown>): Promise<ConnectError> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ConnectError)) throw new Error(`not a ConnectError: ${String(error)}`);
  return error;
}
