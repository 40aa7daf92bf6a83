import { Observable } from 'rxjs';
import type { OperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { parseCount, parseDelay, parseFunction, parseNumber, parseOptions, parseScheduler } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { subscribeLinked } from './subscribeLinked.js';
import type { ConnectEvent } from '../connect/ConnectEvent.js';

/** The policy of {@link reconnect}. Every field is optional and validated when `reconnect` is called. */
export type ReconnectPolicy = {
  /** Milliseconds before the first retry, at most 2^31−1 (the longest a timer can wait). Default 1000. */
  readonly initialDelay?: number | undefined;
  /**
   * The longest wait between rounds, jitter included: at least `initialDelay`, at most 2^31−1 ms (the longest a
   * timer can wait), so the backoff never grows past what a timer can time. Default 30000, or `initialDelay` if
   * that is larger.
   */
  readonly maxDelay?: number | undefined;
  /** Each retry waits `factor` times longer than the one before: a finite number ≥ 1. Default 2. */
  readonly factor?: number | undefined;
  /** Randomizes each wait by up to ± this fraction of it (0 to 1). Default 0: no jitter. */
  readonly jitter?: number | undefined;
  /** Retries after which it stops, with the last round's events, then completes: an integer ≥ 0, or `Infinity` (the default). */
  readonly maxRetries?: number | undefined;
  /**
   * A connection that lived this long (ms from `connected` to `closed`) resets the backoff and the retry count.
   * `Infinity` never resets. Default 10000.
   */
  readonly resetAfter?: number | undefined;
  /** The random source of the jitter: returns a number in [0, 1). Default `Math.random`. For tests. */
  readonly random?: (() => number) | undefined;
  /** The scheduler for the waits between rounds. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
};

/** The keys of {@link ReconnectPolicy}: anything else is rejected, with a suggestion. */
const POLICY_KEYS: KnownKeys<ReconnectPolicy> = {
  initialDelay: true, maxDelay: true, factor: true, jitter: true, maxRetries: true, resetAfter: true, random: true, scheduler: true,
};

/** A {@link ConnectEvent} of {@link reconnect}'s output: `round` counts the subscriptions to the source, from 0. */
export type ReconnectEvent = ConnectEvent & {
  /** Which subscription to the source this event comes from: 0 for the first, then 1, 2, ... */
  readonly round: number;
};

/** Whether a round ended because the connect's AbortSignal was aborted: the caller wants no more rounds. */
const isAbort = (error: Error | undefined): boolean =>
  error !== undefined && (error as Error & { readonly code?: unknown }).code === 'ABORT_ERR';

/**
 * Connects again after `failed` or `closed`, with exponential backoff: subscribes to the source again, one
 * round at a time, until the subscriber unsubscribes, `maxRetries` is used up or the connect is aborted.
 *
 * <span class="informal">`repeat({ delay })` for connects: each round is a fresh subscription to the cold
 * source, so it resolves and races the addresses anew. Every event gets the number of its `round`.</span>
 *
 * ```
 * source (per round):  -r-a0-f|
 * policy:              initialDelay 3, factor 2, maxRetries 2
 * result:              -r-a0-f---r-a0-f------r-a0-f|
 * round:                0           1             2
 * waits:                      |-3-|       |--6--|
 * ```
 *
 * The events of every round pass through unchanged but for a `round` field (0 for the first subscription,
 * then 1, 2, ...); `elapsed` stays relative to the start of its own round.
 *
 * - A round ends with its `failed` or `closed` event (or when the source completes without one). The round is
 *   unsubscribed, and the next starts after `min(maxDelay, initialDelay × factor^k)` ms, where `k` counts the
 *   retries since the last reset, from 0. With `jitter` > 0 the wait is multiplied by a random factor in
 *   [1 − jitter, 1 + jitter] and kept within [0, maxDelay].
 * - A connection that lived at least `resetAfter` ms resets `k` and the retry budget.
 * - After `maxRetries` retries (since the last reset) the stream completes after the last round's `failed`
 *   (or `closed`).
 * - An abort ends it too: a `failed` or `closed` whose error has `code: 'ABORT_ERR'` (the connect's `signal`
 *   was aborted) is passed on, and the stream completes without another round.
 * - An error notification from the source is passed on, not retried: an error is not a failed connect.
 *   Use `retry()` for that.
 * - It never runs two rounds at once, and after you unsubscribe it never starts another.
 *
 * Put the per-connect operators ({@link connectTimeout}, {@link snapshot}) before it, so they run once per
 * round; put {@link flushOnConnect} after it, so its queue and `outgoing$` span the rounds.
 *
 * ## Example
 * Keep a connection up: wait 1 s, 2 s, 4 s, ... (at most 30 s) between tries, each try limited to 5 s.
 * ```ts
 * import { connectAsync$, connectTimeout, reconnect } from 'rxconnect';
 *
 * connectAsync$('localhost', 6379)
 *   .pipe(connectTimeout(5000), reconnect({ initialDelay: 1000, maxDelay: 30000, jitter: 0.2 }))
 *   .subscribe((event) => {
 *     if (event.type === 'connected') console.log(`round ${event.round}: connected`);
 *     if (event.type === 'failed') console.log(`round ${event.round}: ${event.error.message}`);
 *   });
 * ```
 *
 * @see {@link connectTimeout}
 * @param policy The backoff policy; see {@link ReconnectPolicy}. Validated now.
 * @returns A function that returns an Observable of the events of every round, each with its `round`.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the field, for a bad policy.
 */
export function reconnect(policy?: ReconnectPolicy): OperatorFunction<ConnectEvent, ReconnectEvent> {
  const p = parseOptions<ReconnectPolicy>(policy, 'policy', POLICY_KEYS);
  const initialDelay = parseDelay(p.initialDelay, 'initialDelay', 1000);
  const maxDelay = parseDelay(p.maxDelay, 'maxDelay', Math.max(30000, initialDelay));
  if (maxDelay < initialDelay) throw new ArgumentOutOfRangeError('maxDelay', `must be at least initialDelay (${initialDelay}), got ${maxDelay}`);
  const factor = parseNumber(p.factor, 'factor', 1, Number.MAX_VALUE, 2);
  const jitter = parseNumber(p.jitter, 'jitter', 0, 1, 0);
  const maxRetries = parseCount(p.maxRetries, 'maxRetries');
  // A duration compared with the clock, never a timer's delay: it may exceed MAX_DELAY.
  const resetAfter = p.resetAfter === Infinity ? Infinity : parseDelay(p.resetAfter, 'resetAfter', 10000, Number.MAX_VALUE);
  const random = parseFunction<() => number>(p.random, 'random') ?? Math.random;
  const scheduler = parseScheduler(p.scheduler, 'scheduler');

  const delayFor = (k: number): number => {
    // maxDelay is at most MAX_DELAY, so every wait can be timed; with initialDelay 0, factor ** k may reach
    // Infinity, and 0 × Infinity is NaN.
    const base = initialDelay === 0 ? 0 : Math.min(maxDelay, initialDelay * factor ** k);
    if (jitter === 0) return base;
    const r = Math.min(1, Math.max(0, Number(random())));
    return Math.min(maxDelay, Math.max(0, base * (1 + jitter * (2 * r - 1))));
  };

  return (source) =>
    new Observable<ReconnectEvent>((subscriber) => {
      let round = -1;
      let retries = 0;
      let current: Subscription | undefined;
      let wait: Subscription | undefined;

      const startRound = (): void => {
        wait = undefined;
        if (subscriber.closed) return;
        const thisRound = ++round;
        let connectedAt: number | undefined;
        let ended = false;
        let sub: Subscription | undefined;

        const end = (aborted: boolean): void => {
          if (ended) return;
          ended = true;
          sub?.unsubscribe();
          if (subscriber.closed) return;
          if (aborted) {
            subscriber.complete();
            return;
          }
          if (connectedAt !== undefined && scheduler.now() - connectedAt >= resetAfter) retries = 0;
          if (retries >= maxRetries) {
            subscriber.complete();
            return;
          }
          wait = scheduler.schedule(startRound, delayFor(retries++));
        };

        sub = subscribeLinked(source, subscriber, {
          next: (event) => {
            if (ended) return;
            if (event.type === 'connected') connectedAt = scheduler.now();
            subscriber.next({ ...event, round: thisRound });
            if (event.type === 'failed' || event.type === 'closed') end(isAbort(event.error));
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => end(false),
        });
        // The round may have ended (or the subscriber gone) while subscribing.
        if (ended || subscriber.closed) sub.unsubscribe();
        else current = sub;
      };

      startRound();
      return () => {
        wait?.unsubscribe();
        current?.unsubscribe();
      };
    });
}

