import type { TLSSocket } from 'node:tls';
import type { TlsSession } from '../core/tls.js';
import { NodeTlsSession, clientVerifyError } from './nodeTls.js';
import type { SocketEvents, TlsDone, TlsRequest } from './Transport.js';

/** The handshake of a TLSSocket, whose listeners a handover removes. */
export const HANDSHAKE: unique symbol = Symbol('rxconnect.handshake');

/** Where a secured TLSSocket keeps its session, for its NodeSocket's `tls`. */
export const TLS_SESSION: unique symbol = Symbol('rxconnect.tlsSession');

/** What a handshake needs of the NodeSocket it runs for. */
export type HandshakeOwner = {
  /** The owner called destroy(): the handshake's end is not reported. */
  readonly destroyedByOwner: boolean;
  events: SocketEvents;
  /** The socket closed: an end(done) still waiting is told. */
  ended(error: Error | null | undefined): void;
};

/**
 * One handshake of a NodeSocket: its end goes to `done`, once, unless the owner destroyed the socket; then the
 * TLSSocket's errors and close are the socket's events, as a plain socket's.
 */
export class NodeHandshake {
  private finished = false;

  constructor(
    private readonly owner: HandshakeOwner,
    private readonly socket: TLSSocket,
    private readonly request: TlsRequest,
    private readonly done: TlsDone,
  ) {}

  /** Hears the TLSSocket: its end of the handshake, its errors and its close. */
  listen(): void {
    const { socket } = this;
    (socket as TLSSocket & { [HANDSHAKE]?: NodeHandshake })[HANDSHAKE] = this;
    socket.once(this.request.side === 'client' ? 'secureConnect' : 'secure', this.onSecure);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** The socket is handed over: its events are no longer this handshake's (nor its owner's). */
  stopListening(): void {
    const { socket } = this;
    socket.off('secureConnect', this.onSecure);
    socket.off('secure', this.onSecure);
    socket.off('error', this.onError);
    socket.off('close', this.onClose);
  }

  private readonly onSecure = (): void => this.secured();
  private readonly onError = (error: Error): void => this.failed(error);
  private readonly onClose = (): void => this.closed();

  private secured(): void {
    const { socket, request, owner } = this;
    // Node emits the end of a handshake even when the socket was destroyed during its certificate check.
    if (this.finished || owner.destroyedByOwner) {
      this.finished = true;
      return;
    }
    let authorized = socket.authorized;
    let authorizationError: string | undefined = socket.authorizationError === null ? undefined : String(socket.authorizationError);
    if (request.side === 'server' && request.options.requestCert === true) {
      const error = clientVerifyError(socket);
      authorized = error === null;
      authorizationError = error === null ? undefined : (error.code ?? error.message);
      if (error !== null && request.options.rejectUnauthorized !== false) {
        socket.destroy(Object.assign(new Error(error.message), { code: error.code ?? 'ERR_TLS_CLIENT_CERT_REJECTED', cause: error }));
        return;
      }
    }
    this.finish();
    const session = new NodeTlsSession(socket, authorized, authorizationError);
    (socket as TLSSocket & { [TLS_SESSION]?: TlsSession })[TLS_SESSION] = session;
    this.done(null, session);
  }

  private failed(error: Error): void {
    if (this.finish()) this.done(error);
    else this.owner.events.error(error);
  }

  private closed(): void {
    const { owner } = this;
    // A peer that closed during the handshake without an alert: the socket closed with no error.
    if (this.finish()) this.done(Object.assign(new Error('the peer closed the connection during the TLS handshake'), { code: 'ECONNRESET' }));
    owner.events.close();
    owner.ended(this.socket.errored);
  }

  /** Whether the handshake was still running (and `done` is due), unless the owner destroyed the socket. */
  private finish(): boolean {
    if (this.finished) return false;
    this.finished = true;
    return !this.owner.destroyedByOwner;
  }
}
