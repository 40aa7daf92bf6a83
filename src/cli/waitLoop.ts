import { NEVER, asyncScheduler, concatMap, defer, map, merge, of, repeat, startWith, take, takeWhile, timer } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import type { JsonError } from './report.js';

/** What one try of a target came to: up (with the address that answered and what it said), or not. */
export type TryResult =
  | { readonly up: true; readonly address?: string | undefined; readonly detail?: string | undefined }
  | { readonly up: false; readonly error: JsonError };

/** One try of a target: a cold Observable that emits one {@link TryResult}; unsubscribing ends the try. */
export type Check = () => Observable<TryResult>;

/** The rules of a wait. Times in ms. */
export type WaitRules = {
  /** Give up after this long; 0: never. */
  readonly timeout: number;
  /** The pause after a target's first failed try; each later pause doubles, up to `maxInterval`. */
  readonly interval: number;
  readonly maxInterval: number;
  /** One target reaching its goal is enough. */
  readonly any: boolean;
  /** The goal is down (a try that fails) instead of up. */
  readonly reverse: boolean;
};

/** What a wait reports, in order: each try's start and end, then one `end`. `elapsed` is ms from the start. */
export type WaitEvent =
  | { readonly type: 'trying'; readonly index: number; readonly tries: number; readonly elapsed: number }
  | { readonly type: 'tried'; readonly index: number; readonly tries: number; readonly elapsed: number; readonly result: TryResult; readonly met: boolean }
  | { readonly type: 'end'; readonly outcome: 'met' | 'timeout'; readonly elapsed: number };

/** The pause before try `n + 1` after `n` failed tries: `interval`, doubled each time, at most `maxInterval`. */
export function backoff(n: number, rules: Pick<WaitRules, 'interval' | 'maxInterval'>): number {
  const cap = Math.max(rules.interval, rules.maxInterval);
  return Math.min(cap, rules.interval * 2 ** Math.min(30, Math.max(0, n - 1)));
}

function targetLoop(check: Check, index: number, rules: WaitRules, scheduler: SchedulerLike, elapsed: () => number): Observable<WaitEvent> {
  return defer(() => {
    let tries = 0;
    const one$ = defer(() => {
      tries++;
      const n = tries;
      return check().pipe(
        take(1),
        map((result): WaitEvent => ({ type: 'tried', index, tries: n, elapsed: elapsed(), result, met: result.up !== rules.reverse })),
        startWith<WaitEvent>({ type: 'trying', index, tries: n, elapsed: elapsed() }),
      );
    });
    return one$.pipe(
      repeat({ delay: (count) => timer(backoff(count, rules), scheduler) }),
      takeWhile((e) => e.type !== 'tried' || !e.met, true),
    );
  });
}

/**
 * Waits for targets: tries each with its `check`, one try at a time per target, pausing between tries by
 * {@link backoff}, until every target (or, with `any`, one) reaches its goal, up or (with `reverse`) down, or
 * until `timeout`. A target that reached its goal is not tried again. Emits each try's start and result, then
 * one `end` event, and completes; unsubscribing (after `end`, or at any moment) ends every try in flight and
 * every timer. All timing is on `scheduler`, so the rules can be tested in virtual time.
 *
 * ```text
 * check a:   --x|  (down)        --x|         --u|
 * waitLoop:  t-T---(pause 250)---tT-(500)-----tT(end)
 * ```
 */
export function waitLoop(checks: readonly Check[], rules: WaitRules, scheduler: SchedulerLike = asyncScheduler): Observable<WaitEvent> {
  return defer(() => {
    const start = scheduler.now();
    const elapsed = (): number => scheduler.now() - start;
    const needed = rules.any ? Math.min(1, checks.length) : checks.length;
    let met = 0;
    const tries$ = merge(...checks.map((check, index) => targetLoop(check, index, rules, scheduler, elapsed)));
    const timeout$: Observable<WaitEvent> = rules.timeout > 0 ? timer(rules.timeout, scheduler).pipe(map(() => ({ type: 'end', outcome: 'timeout', elapsed: elapsed() }))) : NEVER;
    const events$ = merge(tries$, timeout$).pipe(
      concatMap((e): Observable<WaitEvent> => {
        if (e.type !== 'tried' || !e.met) return of(e);
        met++;
        const end: WaitEvent = { type: 'end', outcome: 'met', elapsed: e.elapsed };
        return met >= needed ? of(e, end) : of(e);
      }),
      takeWhile((e) => e.type !== 'end', true),
    );
    return needed === 0 ? of<WaitEvent>({ type: 'end', outcome: 'met', elapsed: 0 }) : events$;
  });
}
