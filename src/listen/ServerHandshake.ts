import type { SchedulerLike, Subscription } from 'rxjs';
import { ConnectError } from '../errors/ConnectError.js';
import { clientHandshakeFailure, timedOutError } from '../errors/codes.js';
import type { TlsServerOptions, TlsSession } from '../core/tls.js';
import type { Transport, TransportSocket } from '../transport/Transport.js';

/** The client of a handshake: its numeric address and port, as the events report them. */
export type HandshakeClient = { readonly address: string; readonly port: number };

/** How a server handshake ended: `null` and the session, or the client's error (`handshake: true`). */
export type ServerHandshakeDone = (handshake: ServerHandshake, error: ConnectError | null, session: TlsSession | undefined) => void;

/**
 * One accepted client's TLS handshake, bounded by `handshakeTimeout` on the listen's scheduler. `done` is called
 * once, unless the handshake is cancelled first; a failed or stalled client's socket is destroyed.
 */
export class ServerHandshake {
  readonly socket: TransportSocket;
  readonly client: HandshakeClient;
  private readonly scheduler: SchedulerLike;
  private readonly started: number;
  private done: ServerHandshakeDone | undefined;
  private timer: Subscription | undefined;

  constructor(socket: TransportSocket, client: HandshakeClient, scheduler: SchedulerLike, done: ServerHandshakeDone) {
    this.socket = socket;
    this.client = client;
    this.scheduler = scheduler;
    this.started = scheduler.now();
    this.done = done;
  }

  /** Starts the timer, then the handshake (whose end may come at once). */
  start(transport: Transport, options: TlsServerOptions & { readonly handshakeTimeout: number }): void {
    this.timer = this.scheduler.schedule(() => this.timedOut(), options.handshakeTimeout);
    try {
      // Validation made sure a transport given with `tls` has startTls.
      if (transport.startTls === undefined) throw new Error('the transport has no startTls');
      transport.startTls(this.socket, { side: 'server', options }, (error, session) => {
        if (error === null) this.finish(null, session ?? this.socket.tls);
        else this.fail(error);
      });
    } catch (error) {
      this.fail(error);
    }
  }

  /** Ends a handshake still running: its timer stops, its socket is destroyed, and `done` is not called. */
  cancel(): void {
    if (this.done === undefined) return;
    this.done = undefined;
    this.stopTimer();
    this.socket.destroy();
  }

  private timedOut(): void {
    this.timer = undefined;
    this.fail(timedOutError());
  }

  private fail(cause: unknown): void {
    if (this.done === undefined) return;
    // Destroyed by its owner, the socket reports nothing more of the handshake.
    this.socket.destroy();
    this.finish(new ConnectError(clientHandshakeFailure(cause, this.client, this.scheduler.now() - this.started)), undefined);
  }

  private finish(error: ConnectError | null, session: TlsSession | undefined): void {
    const done = this.done;
    if (done === undefined) return;
    this.done = undefined;
    this.stopTimer();
    done(this, error, session);
  }

  private stopTimer(): void {
    const timer = this.timer;
    this.timer = undefined;
    timer?.unsubscribe();
  }
}
