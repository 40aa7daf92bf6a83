import type { SchedulerLike } from 'rxjs';
import type { Channel } from '../channel/Channel.js';
import type { ConnectError } from '../errors/ConnectError.js';
import type { SocketAddress } from '../core/socket.js';
import type { TlsSession } from '../core/tls.js';
import { tlsInfo } from '../core/tlsInfo.js';
import type { Attempt } from './Attempt.js';
import type { AttemptEvent, ConnectEvent } from './ConnectEvent.js';

/**
 * What a run delivers to: `connectAsync$`'s subscriber (every event), or, fused with `connected()`, a subscriber
 * of the channel alone. Methods, not function properties, so that either Subscriber fits.
 */
export type RunSubscriber = {
  readonly closed: boolean;
  next(value: ConnectEvent | Channel): void;
  error(error: unknown): void;
  complete(): void;
};

/**
 * How a run tells its subscriber what happened: {@link EventOutput} (every {@link ConnectEvent}) or
 * {@link CHANNEL_OUTPUT} (the channel, then complete, as `connected()`). The subscriber is passed in rather than
 * kept, so that the channel-only output is one shared object.
 */
export type ConnectOutput = {
  resolved(to: RunSubscriber, host: string, port: number, family: 0 | 4 | 6, addresses: readonly SocketAddress[]): void;
  attemptStarted(to: RunSubscriber, attempt: Attempt, byHistory: boolean): void;
  attemptFailed(to: RunSubscriber, attempt: Attempt, error: ConnectError): void;
  attemptLost(to: RunSubscriber, attempt: Attempt): void;
  handshake(to: RunSubscriber, winner: Attempt): void;
  connected(to: RunSubscriber, winner: Attempt, channel: Channel, tls: TlsSession | undefined): void;
  failed(to: RunSubscriber, error: ConnectError): void;
  closed(to: RunSubscriber, error: Error | undefined, detached: boolean): void;
};

/** Every step as a {@link ConnectEvent}, its `elapsed` read from the scheduler since the subscription. */
export class EventOutput implements ConnectOutput {
  private readonly scheduler: SchedulerLike;
  private readonly t0: number;

  constructor(scheduler: SchedulerLike) {
    this.scheduler = scheduler;
    this.t0 = scheduler.now();
  }

  resolved(to: RunSubscriber, host: string, port: number, family: 0 | 4 | 6, addresses: readonly SocketAddress[]): void {
    emit(to, { type: 'resolved', elapsed: this.elapsed, host, port, family, addresses });
  }

  attemptStarted(to: RunSubscriber, { index, address, local }: Attempt, byHistory: boolean): void {
    const elapsed = this.elapsed;
    const event: AttemptEvent = local === undefined ? { type: 'attempt', elapsed, attempt: index, address } : { type: 'attempt', elapsed, attempt: index, address, local };
    // Only a connect with a history makes the flagged copy: the others' events keep their shape.
    emit(to, byHistory ? { ...event, history: true } : event);
  }

  attemptFailed(to: RunSubscriber, { index, address }: Attempt, error: ConnectError): void {
    emit(to, { type: 'attemptFailed', elapsed: this.elapsed, attempt: index, address, error });
  }

  attemptLost(to: RunSubscriber, { index, address }: Attempt): void {
    emit(to, { type: 'attemptCancelled', elapsed: this.elapsed, attempt: index, address, reason: 'lost' });
  }

  handshake(to: RunSubscriber, { index, address }: Attempt): void {
    emit(to, { type: 'handshake', elapsed: this.elapsed, attempt: index, address });
  }

  connected(to: RunSubscriber, { index, address }: Attempt, channel: Channel, tls: TlsSession | undefined): void {
    const elapsed = this.elapsed;
    emit(to, tls === undefined ? { type: 'connected', elapsed, attempt: index, address, channel } : { type: 'connected', elapsed, attempt: index, address, channel, tls: tlsInfo(tls) });
  }

  failed(to: RunSubscriber, error: ConnectError): void {
    if (emit(to, { type: 'failed', elapsed: this.elapsed, error })) to.complete();
  }

  closed(to: RunSubscriber, error: Error | undefined, detached: boolean): void {
    const elapsed = this.elapsed;
    const event: ConnectEvent = detached ? { type: 'closed', elapsed, detached } : error === undefined ? { type: 'closed', elapsed } : { type: 'closed', elapsed, error };
    if (emit(to, event)) to.complete();
  }

  private get elapsed(): number {
    return this.scheduler.now() - this.t0;
  }
}

/** Only the channel, as `connectAsync$(...).pipe(connected())`: no event objects are made. */
export const CHANNEL_OUTPUT: ConnectOutput = {
  resolved() {},
  attemptStarted() {},
  attemptFailed() {},
  attemptLost() {},
  handshake() {},
  connected(to, _winner, channel) {
    emit(to, channel);
  },
  failed(to, error) {
    if (!to.closed) to.error(error);
  },
  closed(to) {
    to.complete();
  },
};

/** Emits unless the subscriber is gone; returns whether it is still there. */
function emit(to: RunSubscriber, value: ConnectEvent | Channel): boolean {
  if (to.closed) return false;
  to.next(value);
  return !to.closed;
}
