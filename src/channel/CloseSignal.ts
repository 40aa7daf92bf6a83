import { Observable } from 'rxjs';
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { errorCode, unsentError } from '../errors/codes.js';
import type { ChannelClose, ChannelCloseWatcher } from './ChannelOptions.js';

/** A released channel's flush ends once its unsent bytes have not gone down for a whole check period of this many ms. */
const RELEASE_STALL_TIMEOUT = 30_000;

/**
 * How a channel closed: its socket error, if one came, and the written bytes the OS never got, which are never
 * dropped silently: they make an error of `failure`'s code (else `unsentCode`), with their count.
 */
export function closeResult(failure: Error | undefined, unsent: number, unsentCode: string): ChannelClose {
  if (unsent === 0) return failure === undefined ? {} : { error: failure };
  const error = failure === undefined ? unsentError(unsentCode, unsent) : unsentError(errorCode(failure), unsent, failure.cause);
  return { error, unsent };
}

/** What one that hears of the close throws is reported, not passed on to the others. */
function tell(listener: Subscriber<ChannelClose> | ChannelCloseWatcher, result: ChannelClose): void {
  try {
    if ('channelClosed' in listener) listener.channelClosed(result);
    else listener.next(result);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/**
 * A channel's `closed$` and its `close()` Promise. `closed$` behaves as an AsyncSubject: every subscriber, late
 * ones too, gets how the channel closed, then completes. The Promise settles once the channel has closed and
 * close()'s flush is over, after the `closed$` subscribers have heard. Made by the first read of `closed$` or
 * the first `close()`.
 */
export class CloseSignal {
  /** Emits how the channel closed, once, then completes. */
  readonly closed$: Observable<ChannelClose>;
  /** How the channel closed, once it has. */
  private result: ChannelClose | undefined;
  /** The subscribers waiting for the close, in the order they came. */
  private subscribers: Subscriber<ChannelClose>[] = [];
  /** close()'s Promise, once close() was called. */
  private promise: Promise<void> | undefined;
  private settle: ((outcome: Error | null) => void) | undefined;
  /** Whether close()'s flush is over, however it ended. */
  private flushOver = false;
  /** The check of a released channel's flush, while it runs. */
  private stallCheck: Subscription | undefined;
  /** The release bound in ms: on a stalled flush, and on the wait for the peer's EOF after a lingering close. */
  private period = RELEASE_STALL_TIMEOUT;
  /** Why the flush was cut short, once it was: `ECANCELED` (destroy()), or `ETIMEDOUT` (the stall check). */
  private cutCode: string | undefined;

  constructor() {
    this.closed$ = new Observable<ChannelClose>((subscriber) => {
      const closed = this.result;
      if (closed === undefined) {
        this.subscribers.push(subscriber);
        return () => this.unsubscribe(subscriber);
      }
      subscriber.next(closed);
      subscriber.complete();
      return undefined;
    });
  }

  /** close()'s Promise, if close() was called. */
  get closing(): Promise<void> | undefined {
    return this.promise;
  }

  /** close() was called: its Promise, which settles after the flush (see `flushed`) and the close. */
  startClosing(): Promise<void> {
    this.promise ??= new Promise<void>((resolve, reject) => {
      this.settle = (outcome) => (outcome === null ? resolve() : reject(outcome));
    });
    return this.promise;
  }

  /** How the channel closed, once it has. */
  get closeResult(): ChannelClose | undefined {
    return this.result;
  }

  /** The code of the error that reports unsent bytes when no socket error came. */
  get unsentCode(): string {
    return this.cutCode ?? 'ECANCELED';
  }

  /** Whether the flush was cut short: write callbacks that come later do not tell what the OS got. */
  get wasCut(): boolean {
    return this.cutCode !== undefined;
  }

  /** The flush is cut short (the socket is being destroyed), for the first reason given: true the first time. */
  cut(code: string): boolean {
    if (this.cutCode !== undefined) return false;
    this.cutCode = code;
    return true;
  }

  /**
   * Bounds a released channel's flush: every `period` ms (default 30 s) on `scheduler`, unless the channel has closed, checks
   * whether `unsent()` (bytes) went down since the last check; when it did not, calls `cut()`, which reports the
   * unsent bytes with code `ETIMEDOUT`.
   */
  watchStall(scheduler: SchedulerLike, unsent: () => number, cut: () => void, period: number = RELEASE_STALL_TIMEOUT): void {
    if (this.result !== undefined || this.stallCheck !== undefined) return;
    this.period = period;
    let before = unsent();
    const check = (): void => {
      const now = unsent();
      if (now < before) {
        before = now;
        this.stallCheck = scheduler.schedule(check, period);
        return;
      }
      cut();
    };
    this.stallCheck = scheduler.schedule(check, period);
  }

  /**
   * The flush is over and the socket waits for the peer's EOF: after the release bound (the period given to
   * `watchStall`, else 30 s) on `scheduler`, unless the channel has closed, `release()` lets it go at once.
   */
  linger(scheduler: SchedulerLike, release: () => void): void {
    if (this.result !== undefined) return;
    this.stallCheck?.unsubscribe();
    this.stallCheck = scheduler.schedule(release, this.period);
  }

  /** close()'s flush is over, however it ended: the close's result tells whether written bytes were lost. */
  flushed(): void {
    this.flushOver = true;
    if (this.result !== undefined) this.settleClosing();
  }

  /**
   * The channel has closed: its owner hears first, then every subscriber in the order they came; then close()'s
   * Promise settles.
   */
  closed(result: ChannelClose, owner: ChannelCloseWatcher | undefined): void {
    if (this.result !== undefined) return;
    this.result = result;
    this.stallCheck?.unsubscribe();
    this.stallCheck = undefined;
    if (owner !== undefined) tell(owner, result);
    // The list is no longer the signal's, so nothing changes it now: a subscriber that comes while this runs is
    // told at once (result is set), and one that left ignores the close.
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const s of subscribers) tell(s, result);
    for (const s of subscribers) s.complete();
    this.settleClosing();
  }

  private unsubscribe(subscriber: Subscriber<ChannelClose>): void {
    const i = this.subscribers.indexOf(subscriber);
    if (i >= 0) this.subscribers.splice(i, 1);
  }

  /**
   * Settles close()'s Promise once, after the close and the flush: it rejects with the close's error only when
   * written bytes were unsent; a failure that lost none is told by `closed$` alone.
   */
  private settleClosing(): void {
    const result = this.result;
    const settle = this.settle;
    if (result === undefined || !this.flushOver || settle === undefined) return;
    this.settle = undefined;
    settle(result.unsent !== undefined && result.error !== undefined ? result.error : null);
  }
}
