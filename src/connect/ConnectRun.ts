import type { SchedulerLike } from 'rxjs';
import { Channel, watchChannelClose } from '../channel/Channel.js';
import type { ChannelClose, ChannelCloseWatcher } from '../channel/Channel.js';
import type { ConnectError } from '../errors/ConnectError.js';
import type { TransportSocket } from '../transport/Transport.js';
import type { ConnectEvent } from './ConnectEvent.js';
import type { ConnectPlan } from './connectPlan.js';
import { dialFor } from './Dialer.js';
import type { Attempt, Dial, DialerOwner } from './Dialer.js';

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

/** `'events'`: every ConnectEvent, as `connectAsync$`. `'channel'`: the channel, then complete, as `connected()`. */
export type RunOutput = 'events' | 'channel';

/**
 * One subscription's connect, and the channel that results. The {@link Dialer} does the lookups and attempts and
 * is dropped once it has settled: a connected run lives as long as its channel, and keeps only what teardown and
 * the `closed` event need.
 *
 * With the `'channel'` output the run is `connectAsync$(...).pipe(connected())` in one piece: no events are
 * made, and no operator subscriber sits between the connect and its subscriber.
 */
export class ConnectRun implements ChannelCloseWatcher, DialerOwner {
  private readonly subscriber: RunSubscriber;
  /** Where the events' `elapsed` counts from; none when only the channel is wanted. */
  private readonly clock: { readonly scheduler: SchedulerLike; readonly t0: number } | undefined;
  private dialer: Dial | undefined;
  private channel: Channel | undefined;

  constructor(plan: ConnectPlan, subscriber: RunSubscriber, output: RunOutput = 'events') {
    this.subscriber = subscriber;
    this.clock = output === 'events' ? { scheduler: plan.scheduler, t0: plan.scheduler.now() } : undefined;
  }

  /** Starts the dialer. The plan is not kept: a connected run keeps only what teardown and `closed` need. */
  start(plan: ConnectPlan): void {
    const dialer = dialFor(plan, this);
    this.dialer = dialer;
    dialer.start();
  }

  /**
   * Releases everything: timers, lookups, attempt sockets, and the channel. Called on unsubscribe and after
   * completion: the run is its subscriber's teardown (an object, rather than a closure that would keep the plan).
   */
  unsubscribe(): void {
    const dialer = this.dialer;
    this.dialer = undefined;
    dialer?.cancel();
    const channel = this.channel;
    if (channel === undefined) return;
    // Bytes the OS already has go out before the FIN. Bytes still queued here wait for a peer that may never
    // read, and nothing may outlive the subscription: those are dropped with the socket.
    if (channel.bufferedAmount > 0) channel.destroy();
    else if (!channel.closed) channel.close().catch(() => undefined);
  }

  get eventsWanted(): boolean {
    return this.clock !== undefined;
  }

  get elapsed(): number {
    const clock = this.clock;
    return clock === undefined ? 0 : clock.scheduler.now() - clock.t0;
  }

  emit(event: ConnectEvent | Channel): boolean {
    if (this.subscriber.closed) return false;
    this.subscriber.next(event);
    return !this.subscriber.closed;
  }

  won(attempt: Attempt, losers: readonly Attempt[], plan: ConnectPlan): void {
    this.dialer = undefined;
    const socket = attempt.socket as TransportSocket;
    // The subscription may have ended while the dialer settled (a resolver's cancel is user code): teardown
    // found no dialer and no channel, so the winner is ours to close.
    if (this.subscriber.closed) {
      socket.destroy();
      return;
    }
    if (this.eventsWanted) {
      for (const loser of losers) {
        if (!this.emit({ type: 'attemptCancelled', elapsed: this.elapsed, attempt: loser.n, address: loser.address, reason: 'lost' })) {
          socket.destroy();
          return;
        }
      }
    }
    const { encoding, translation, maxLineLength } = plan;
    const channel = new Channel(socket, { encoding, translation, maxLineLength });
    // Set before it is handed out: a subscriber that leaves on it has teardown close it.
    this.channel = channel;
    if (!this.emit(this.eventsWanted ? { type: 'connected', elapsed: this.elapsed, attempt: attempt.n, address: attempt.address, channel } : channel)) return;
    watchChannelClose(channel, this);
  }

  failed(error: ConnectError): void {
    this.dialer = undefined;
    if (!this.eventsWanted) {
      if (!this.subscriber.closed) this.subscriber.error(error);
      return;
    }
    this.finish({ type: 'failed', elapsed: this.elapsed, error });
  }

  /** The channel closed: the last event. Nothing is emitted after an unsubscribe (emit checks). */
  channelClosed({ error }: ChannelClose): void {
    if (!this.eventsWanted) this.subscriber.complete();
    else this.finish(error === undefined ? { type: 'closed', elapsed: this.elapsed } : { type: 'closed', elapsed: this.elapsed, error });
  }

  private finish(event: ConnectEvent): void {
    if (this.emit(event)) this.subscriber.complete();
  }
}
