import { Observable } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';

/** How {@link paced} starts work. */
export type PaceOptions = {
  /** How many works run at once (≥ 1). */
  readonly concurrency: number;
  /** Starts per second, evenly spaced; undefined for as fast as `concurrency` allows. */
  readonly rate?: number | undefined;
  /** The clock and timer of the rate. */
  readonly scheduler: SchedulerLike;
};

/**
 * How far behind its schedule the rate may fall and then catch up, in ms: after a stall (every slot busy), at
 * most this much time's worth of starts goes out at once, so the rate stays smooth instead of bursting.
 */
const CATCH_UP_MS = 20;

/**
 * Takes items from `source` (which yields them in small batches, so that a target costs no promise of its own)
 * only when a slot is free (and, with `rate`, when the next start is due), and merges the Observables that
 * `work` makes of them. Unlike `from(items).pipe(mergeMap(work, n))`, which takes every item at once and buffers
 * what it cannot start, a batch is pulled only when the last one has been started: a source of a billion
 * targets costs the memory of `concurrency` of them and one batch.
 *
 * Starts under `rate` are spaced 1000/rate ms apart on `scheduler`'s clock; when the spacing is below the
 * timer's resolution, the starts that are due go out together at each tick. Unsubscribing stops pulling, ends
 * the source (`return()`), cancels the timer and unsubscribes every running work. An error of the source or of a
 * work is the result's error.
 */
export function paced<T, R>(source: AsyncIterator<readonly T[]>, work: (item: T) => Observable<R>, options: PaceOptions): Observable<R> {
  const { concurrency, rate, scheduler } = options;
  const gap = rate === undefined ? 0 : 1000 / rate;
  return new Observable<R>((subscriber) => {
    const running = new Set<Subscription>();
    let active = 0;
    let pulling = false;
    let ended = false;
    let stopped = false;
    let due = scheduler.now();
    let batch: readonly T[] = [];
    let taken = 0;
    let timer: Subscription | undefined;

    const fail = (error: unknown): void => {
      stopped = true;
      subscriber.error(error);
    };
    const finish = (): void => {
      if (ended && active === 0 && !pulling && !stopped) {
        stopped = true;
        subscriber.complete();
      }
    };
    const start = (item: T): void => {
      active++;
      let done = false;
      let subscription: Subscription | undefined;
      const end = (): void => {
        done = true;
        active--;
        if (subscription !== undefined) running.delete(subscription);
        pump();
        finish();
      };
      subscription = work(item).subscribe({ next: (value) => subscriber.next(value), error: fail, complete: end });
      if (!done) running.add(subscription);
    };
    const pump = (): void => {
      while (!stopped && active < concurrency) {
        if (taken >= batch.length) {
          if (!ended && !pulling) pull();
          return;
        }
        if (gap > 0) {
          const now = scheduler.now();
          if (due > now) {
            timer ??= scheduler.schedule(() => {
              timer = undefined;
              pump();
            }, due - now);
            return;
          }
          due = Math.max(due, now - CATCH_UP_MS) + gap;
        }
        start(batch[taken++]!);
      }
    };
    const pull = (): void => {
      pulling = true;
      source.next().then(
        (result) => {
          pulling = false;
          if (stopped) return;
          if (result.done === true) ended = true;
          else [batch, taken] = [result.value, 0];
          pump();
          finish();
        },
        (error: unknown) => {
          pulling = false;
          if (!stopped) fail(error);
        },
      );
    };

    pump();
    return () => {
      stopped = true;
      batch = [];
      timer?.unsubscribe();
      for (const subscription of running) subscription.unsubscribe();
      running.clear();
      void source.return?.()?.catch(() => undefined);
    };
  });
}
