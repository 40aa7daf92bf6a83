import { filter, map } from 'rxjs';
import type { Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { backoff, waitLoop } from '../../src/cli/waitLoop.js';
import type { Check, TryResult, WaitEvent, WaitRules } from '../../src/cli/waitLoop.js';

const U: TryResult = { up: true, address: '127.0.0.1' };
const D: TryResult = { up: false, error: { code: 'ECONNREFUSED', message: 'connection refused (127.0.0.1 port 1: connection refused after 0 ms)' } };
const RULES: WaitRules = { timeout: 0, interval: 2, maxInterval: 4, any: false, reverse: false };

function show(e: WaitEvent): string {
  if (e.type === 'end') return `end ${e.outcome} @${e.elapsed}`;
  if (e.type === 'trying') return `trying ${e.index}#${e.tries} @${e.elapsed}`;
  return `tried ${e.index}#${e.tries} ${e.result.up ? 'up' : 'down'}${e.met ? ' met' : ''} @${e.elapsed}`;
}

const notTrying = (e: WaitEvent): boolean => e.type !== 'trying';

/** A check that answers with the given cold Observables, one per try, in order. */
function checkOf(tries: readonly Observable<TryResult>[]): Check {
  let n = 0;
  return () => {
    const next = tries[n++];
    if (next === undefined) throw new Error(`try ${n} was not expected`);
    return next;
  };
}

describe('waitLoop (virtual time)', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
  });

  it('backoff doubles the interval after each failed try, up to the maximum (never below the interval)', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoff(n, { interval: 250, maxInterval: 2000 }))).toEqual([250, 500, 1000, 2000, 2000]);
    expect(backoff(3, { interval: 500, maxInterval: 100 })).toBe(500);
    expect(backoff(10_000, { interval: 250, maxInterval: 2000 })).toBe(2000);
  });

  // prettier-ignore
  it('should try again after interval, 2×, 4× (capped at maxInterval), and end when the target is up', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const t1 = cold<TryResult>('-d|', { d: D });
      const t2 = cold<TryResult>('-d|', { d: D });
      const t3 = cold<TryResult>('-d|', { d: D });
      const t4 = cold<TryResult>('-u|', { u: U });
      const expected = '          ab-cd---ef---g(hi|)';
      expectObservable(waitLoop([checkOf([t1, t2, t3, t4])], RULES, testScheduler).pipe(map(show))).toBe(expected, {
        a: 'trying 0#1 @0', b: 'tried 0#1 down @1',
        c: 'trying 0#2 @3', d: 'tried 0#2 down @4',
        e: 'trying 0#3 @8', f: 'tried 0#3 down @9',
        g: 'trying 0#4 @13', h: 'tried 0#4 up met @14', i: 'end met @14',
      });
      expectSubscriptions(t1.subscriptions).toBe('^!');
      expectSubscriptions(t2.subscriptions).toBe('---^!');
      expectSubscriptions(t3.subscriptions).toBe('--------^!');
      expectSubscriptions(t4.subscriptions).toBe('-------------^!');
    });
  });

  // prettier-ignore
  it('should end at the overall timeout and unsubscribe the try in flight', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const t1 = cold<TryResult>('-d|', { d: D });
      const t2 = cold<TryResult>('-');
      const expected = '          ab-c-(e|)';
      expectObservable(waitLoop([checkOf([t1, t2])], { ...RULES, timeout: 5 }, testScheduler).pipe(map(show))).toBe(expected, {
        a: 'trying 0#1 @0', b: 'tried 0#1 down @1', c: 'trying 0#2 @3', e: 'end timeout @5',
      });
      expectSubscriptions(t1.subscriptions).toBe('^!');
      expectSubscriptions(t2.subscriptions).toBe('---^-!');
    });
  });

  // prettier-ignore
  it('should wait for every target, and not try again one that is up', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold<TryResult>('-u|', { u: U });
      const b1 = cold<TryResult>('--d|', { d: D });
      const b2 = cold<TryResult>('-u|', { u: U });
      // Tries that start in the same frame are left out: the marble shows the results and the end.
      const expected = '          -CD--(FG|)';
      expectObservable(waitLoop([checkOf([a1]), checkOf([b1, b2])], RULES, testScheduler).pipe(filter(notTrying), map(show))).toBe(expected, {
        C: 'tried 0#1 up met @1', D: 'tried 1#1 down @2', F: 'tried 1#2 up met @5', G: 'end met @5',
      });
      expectSubscriptions(a1.subscriptions).toBe('^!');
      expectSubscriptions(b1.subscriptions).toBe('^-!');
      expectSubscriptions(b2.subscriptions).toBe('----^!');
    });
  });

  // prettier-ignore
  it('with any: should end when one target is up, and unsubscribe the others', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold<TryResult>('---u|', { u: U });
      const b1 = cold<TryResult>('-----d|', { d: D });
      const expected = '          ---(CD|)';
      expectObservable(waitLoop([checkOf([a1]), checkOf([b1])], { ...RULES, any: true }, testScheduler).pipe(filter(notTrying), map(show))).toBe(expected, {
        C: 'tried 0#1 up met @3', D: 'end met @3',
      });
      expectSubscriptions(a1.subscriptions).toBe('^--!');
      expectSubscriptions(b1.subscriptions).toBe('^--!');
    });
  });

  // prettier-ignore
  it('with reverse: should end when the target is down', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const t1 = cold<TryResult>('-u|', { u: U });
      const t2 = cold<TryResult>('-d|', { d: D });
      const expected = '          ab-c(de|)';
      expectObservable(waitLoop([checkOf([t1, t2])], { ...RULES, reverse: true }, testScheduler).pipe(map(show))).toBe(expected, {
        a: 'trying 0#1 @0', b: 'tried 0#1 up @1', c: 'trying 0#2 @3', d: 'tried 0#2 down met @4', e: 'end met @4',
      });
      expectSubscriptions(t1.subscriptions).toBe('^!');
      expectSubscriptions(t2.subscriptions).toBe('---^!');
    });
  });

  // prettier-ignore
  it('with timeout 0: should never give up by itself, and release the try when unsubscribed', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const t1 = cold<TryResult>('-');
      expectObservable(waitLoop([checkOf([t1])], RULES, testScheduler).pipe(map(show)), '^ 1000ms !').toBe('a', { a: 'trying 0#1 @0' });
      expectSubscriptions(t1.subscriptions).toBe('^ 1000ms !');
    });
  });
});
