import { config } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { ConnectError } from '../errors/ConnectError.js';
import type { SocketAddress } from '../core/socket.js';
import type { SocketEvents, Transport, TransportSocket } from '../transport/Transport.js';
import type { ConnectPlan } from './connectPlan.js';

/**
 * Destroys a transport socket. A destroy() that throws is the transport's bug and must not stop the connect (the
 * other sockets still go, the events still come), so its exception goes where RxJS sends errors that have
 * nowhere to go: to `config.onUnhandledError` when one is set, else thrown on a microtask, never lost.
 */
export function destroySocket(socket: TransportSocket): void {
  try {
    socket.destroy();
  } catch (error) {
    const onUnhandledError = config.onUnhandledError;
    if (onUnhandledError !== null && onUnhandledError !== undefined) onUnhandledError(error);
    else
      queueMicrotask(() => {
        throw error;
      });
  }
}

/** Who runs an {@link Attempt} and hears how it ends (the {@link Dialer}). */
export type AttemptOwner = {
  attemptConnected(attempt: Attempt): void;
  attemptFailed(attempt: Attempt, cause: unknown): void;
};

/**
 * How an attempt ended: `'pending'` while it runs; `'connected'` when it won (its socket is the connect's);
 * `'failed'` with its own error; `'cancelled'` when it lost the race or the connect was cancelled.
 */
export type AttemptOutcome = 'pending' | 'connected' | 'failed' | 'cancelled';

/**
 * One try of one address: its socket, its timeout, and how it ended. It is also its socket's events while it
 * connects (one object per attempt rather than an events object and closures).
 */
export class Attempt implements SocketEvents {
  /** Counts up from 0 in the order attempts start: the events' `attempt`. */
  readonly index: number;
  readonly address: SocketAddress;
  /** The local address it binds, when the connect binds one. */
  readonly local: SocketAddress | undefined;
  /** The scheduler's time when it started. */
  readonly startedAt: number;
  outcome: AttemptOutcome = 'pending';
  /** Its own error, once the outcome is `'failed'`. */
  failure: ConnectError | undefined = undefined;
  socket: TransportSocket | undefined = undefined;
  /** The `attemptTimeout` timer, when there is one. */
  timer: Subscription | undefined = undefined;
  /**
   * Where `Transport.dial()` is: a transport may report the connect before dial() has returned the socket, and
   * that connect is held until the socket is there.
   */
  private dialing: 'inside' | 'connectHeld' | 'returned' = 'inside';
  private readonly owner: AttemptOwner;

  constructor(owner: AttemptOwner, index: number, address: SocketAddress, local: SocketAddress | undefined, startedAt: number) {
    this.owner = owner;
    this.index = index;
    this.address = address;
    this.local = local;
    this.startedAt = startedAt;
  }

  /** Dials through the plan's transport; the owner hears the outcome, which may come before this returns. */
  dial(transport: Transport, plan: ConnectPlan): void {
    try {
      this.socket = transport.dial({ remote: this.address, local: this.local, noDelay: plan.noDelay, keepAlive: plan.keepAlive }, this);
    } catch (error) {
      this.owner.attemptFailed(this, error);
    }
    const held = this.dialing === 'connectHeld';
    this.dialing = 'returned';
    if (held && this.socket !== undefined) this.owner.attemptConnected(this);
    // The attempt may have ended inside dial() (failed, or its connect cancelled): its socket must not linger.
    if ((this.outcome === 'failed' || this.outcome === 'cancelled') && this.socket !== undefined) destroySocket(this.socket);
  }

  /** It won: its timer stops, and its socket is the connect's to keep. */
  win(): void {
    this.outcome = 'connected';
    this.timer?.unsubscribe();
  }

  /** It failed with `error`: its timer stops and its socket goes. */
  fail(error: ConnectError): void {
    this.outcome = 'failed';
    this.failure = error;
    this.timer?.unsubscribe();
    if (this.socket !== undefined) destroySocket(this.socket);
  }

  /**
   * It lost the race, or the connect was cancelled: its timer stops and its socket goes. A socket that dial()
   * has not returned yet (a cancel from inside it) is destroyed when it comes.
   */
  cancel(): void {
    this.outcome = 'cancelled';
    this.timer?.unsubscribe();
    if (this.socket !== undefined) destroySocket(this.socket);
  }

  /**
   * Whether its socket is connected to itself (TCP simultaneous open, with the local port the one dialed). The
   * Dialer asks only when `myport` is the port dialed, the case a caller can make happen: a kernel-chosen port
   * equal to it is not checked, as reading the local name costs a system call on every connect.
   */
  connectedToItself(): boolean {
    const local = this.socket?.localAddress;
    const remote = this.socket?.remoteAddress;
    return local !== undefined && remote !== undefined && local.port === remote.port && local.address === remote.address;
  }

  connect(): void {
    if (this.dialing === 'returned') this.owner.attemptConnected(this);
    else this.dialing = 'connectHeld';
  }

  error(error: Error): void {
    this.owner.attemptFailed(this, error);
  }

  data(): void {}
  end(): void {}
  close(): void {}
  drain(): void {}
}

/**
 * Dials `attempt` once the attempts ahead of it in `toDial` are dialed. A dial that fails inside `Transport.dial()`
 * starts the next attempt before dial() has returned: that attempt is dialed by the loop here once it has, rather
 * than by recursion, so thousands of addresses whose dials fail at once take no stack.
 */
export function dialInTurn(toDial: Attempt[], attempt: Attempt, plan: ConnectPlan): void {
  toDial.push(attempt);
  if (toDial.length > 1) return;
  try {
    for (let next = toDial[0]; next !== undefined; next = toDial[0]) {
      // An attempt ended before its turn (the connect settled meanwhile) has nothing to dial.
      if (next.outcome === 'pending') next.dial(plan.transport, plan);
      toDial.shift();
    }
  } finally {
    toDial.length = 0;
  }
}
