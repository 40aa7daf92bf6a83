import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ArgumentOutOfRangeError, connectAsync$, ConnectError, connectTimeout, InvalidArgumentError } from '../../src/index.js';
import type { ConnectEvent } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { ev, recordingChannel, refused, show, V4, V6 } from '../helpers/operatorEvents.js';
import { thrownBy } from '../helpers/thrown.js';

/** @test {connectTimeout} */
describe('connectTimeout operator', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
  });

  // prettier-ignore
  it('should cancel the attempts in flight, in attempt order, then fail with ETIMEDOUT and complete at the deadline', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const e1 = cold<ConnectEvent>('r-a--b-------c--|', {
        r: ev.resolved(0, V6, V4), a: ev.attempt(2, 0, V6), b: ev.attempt(5, 1, V4), c: ev.connected(13, 1, V4, channel),
      });
      const e1subs = '               ^---------!';
      const expected = '             r-a--b----(xyf|)';
      expectObservable(e1.pipe(connectTimeout(10), map(show))).toBe(expected, {
        r: 'resolved 6 2001:db8::1,192.0.2.1 @0',
        a: 'attempt 0 2001:db8::1 @2',
        b: 'attempt 1 192.0.2.1 @5',
        x: 'attemptCancelled 0 2001:db8::1 timeout @10',
        y: 'attemptCancelled 1 192.0.2.1 timeout @10',
        f: 'failed ETIMEDOUT @10',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should time out when connected comes at the very deadline (the deadline is exclusive)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const e1 = cold<ConnectEvent>('r-a-------c---|', { r: ev.resolved(0, V6), a: ev.attempt(2, 0, V6), c: ev.connected(10, 0, V6, channel) });
      const e1subs = '               ^---------!';
      const expected = '             r-a-------(xf|)';
      expectObservable(e1.pipe(connectTimeout(10), map(show))).toBe(expected, {
        r: 'resolved 6 2001:db8::1 @0',
        a: 'attempt 0 2001:db8::1 @2',
        x: 'attemptCancelled 0 2001:db8::1 timeout @10',
        f: 'failed ETIMEDOUT @10',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should turn the deadline off on connected before it, and never close a live connection', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const e1 = cold<ConnectEvent>('r-a------c----------d|', { r: ev.resolved(0, V6), a: ev.attempt(2, 0, V6), c: ev.connected(9, 0, V6, channel), d: ev.closed(20) });
      const e1subs = '               ^--------------------!';
      const expected = '             r-a------c----------d|';
      expectObservable(e1.pipe(connectTimeout(10), map(label))).toBe(expected, {
        r: 'resolved 6 2001:db8::1', a: 'attempt 0 2001:db8::1', c: 'connected 0 2001:db8::1', d: 'closed',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should pass a failed before the deadline through, and add nothing', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ConnectError({ code: 'ECONNREFUSED', attempts: [refused(V6, 3)] });
      const e1 = cold<ConnectEvent>('r-a--bf|', { r: ev.resolved(0, V6), a: ev.attempt(2, 0, V6), b: ev.attemptFailed(5, 0, V6), f: ev.failed(6, error) });
      const e1subs = '               ^------!';
      const expected = '             r-a--bf|';
      expectObservable(e1.pipe(connectTimeout(10), map(label))).toBe(expected, {
        r: 'resolved 6 2001:db8::1', a: 'attempt 0 2001:db8::1', b: 'attemptFailed 0 2001:db8::1 ECONNREFUSED', f: 'failed ECONNREFUSED',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should read elapsed relative to its own subscription', () => {
    testScheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const e1 = hot<ConnectEvent>('---^--a-----', { a: ev.attempt(3, 0, V6) });
      const e1subs = '              ^-----!';
      const expected = '            ---a--(xf|)';
      expectObservable(e1.pipe(connectTimeout(6), map(show))).toBe(expected, {
        a: 'attempt 0 2001:db8::1 @3', x: 'attemptCancelled 0 2001:db8::1 timeout @6', f: 'failed ETIMEDOUT @6',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should fail with ETIMEDOUT alone when nothing was attempted (still resolving)', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>('-----------');
      const e1subs = '               ^----!';
      const expected = '             -----(f|)';
      const result = e1.pipe(connectTimeout(5), map((e) => (e.type === 'failed' ? `${e.error.code}: ${e.error.message}` : label(e))));
      expectObservable(result).toBe(expected, { f: 'ETIMEDOUT: connection timed out (no connection within 5 ms)' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should carry every attempt (failed, and timed out at the deadline) as attempts, and name each in the message', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const failure = refused(V6, 4);
      const e1 = cold<ConnectEvent>('r-a-b-F-----', { r: ev.resolved(0, V6, V4), a: ev.attempt(2, 0, V6), b: ev.attempt(4, 1, V4), F: ev.attemptFailed(6, 0, V6, failure) });
      const e1subs = '               ^---------!';
      const expected = '             r-a-b-F---(xf|)';
      const result = e1.pipe(connectTimeout(10), map((e) => {
        if (e.type !== 'failed') return label(e);
        return {
          name: e.error.name, code: e.error.code, message: e.error.message, address: e.error.address, port: e.error.port,
          attempts: e.error.attempts.map((a) => (a === failure ? a : `${a.code} ${a.address} ${a.duration}`)), instance: e.error instanceof ConnectError, unsent: e.unsent,
        };
      }));
      expectObservable(result).toBe(expected, {
        r: 'resolved 6 2001:db8::1,192.0.2.1',
        a: 'attempt 0 2001:db8::1',
        b: 'attempt 1 192.0.2.1',
        F: 'attemptFailed 0 2001:db8::1 ECONNREFUSED',
        x: 'attemptCancelled 1 192.0.2.1 timeout',
        f: {
          name: 'ConnectError', code: 'ETIMEDOUT', address: '192.0.2.1', port: 80, attempts: [failure, 'ETIMEDOUT 192.0.2.1 6'], instance: true, unsent: undefined,
          message: 'connection timed out (2001:db8::1 port 80: connection refused after 4 ms; 192.0.2.1 port 80: connection timed out after 6 ms)',
        },
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should emit nothing more, and release the timer, when unsubscribed before the deadline', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>('r-a---------', { r: ev.resolved(0, V6), a: ev.attempt(2, 0, V6) });
      const unsub = '                ^---!';
      const e1subs = '               ^---!';
      const expected = '             r-a--';
      expectObservable(e1.pipe(connectTimeout(10), map(label)), unsub).toBe(expected, { r: 'resolved 6 2001:db8::1', a: 'attempt 0 2001:db8::1' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should pass an error notification through and drop the deadline', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>('--#', undefined, new Error('boom'));
      const e1subs = '               ^-!';
      const expected = '             --#';
      expectObservable(e1.pipe(connectTimeout(10)), '^----------').toBe(expected, undefined, new Error('boom'));
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('should destroy every socket of a real connect at the deadline (virtual network)', () => {
    const events: ConnectEvent[] = [];
    let completedAt: number | undefined;
    testScheduler.run(() => {
      const network = createVirtualNetwork(testScheduler, {
        'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': refuseAfter(20), '2001:db8::2': hang(), '192.0.2.2': connectAfter(5000) } },
      });
      connectAsync$('h.test', 80, { transport: network.transport, attemptDelay: 100 })
        .pipe(connectTimeout(1000))
        .subscribe({ next: (e) => events.push(e), complete: () => (completedAt = testScheduler.now()) });
      testScheduler.schedule(() => {
        expect(network.openSockets()).toEqual([]);
        expect(network.sockets.map((s) => [s.remote.address, s.state, s.closedAt])).toEqual([
          ['2001:db8::1', 'cancelled', 1000],
          ['192.0.2.1', 'refused', 120],
          ['2001:db8::2', 'cancelled', 1000],
          ['192.0.2.2', 'cancelled', 1000],
        ]);
      }, 1001);
    });
    expect(events.map((e) => `${e.elapsed} ${label(e)}`)).toEqual([
      '0 resolved 6 2001:db8::1,2001:db8::2',
      '0 attempt 0 2001:db8::1',
      '0 resolved 4 192.0.2.1,192.0.2.2',
      '100 attempt 1 192.0.2.1',
      '120 attemptFailed 1 192.0.2.1 ECONNREFUSED',
      '120 attempt 2 2001:db8::2',
      '220 attempt 3 192.0.2.2',
      '1000 attemptCancelled 0 2001:db8::1 timeout',
      '1000 attemptCancelled 2 2001:db8::2 timeout',
      '1000 attemptCancelled 3 192.0.2.2 timeout',
      '1000 failed ETIMEDOUT',
    ]);
    expect(grammarProblems(events, true)).toEqual([]);
    expect(completedAt).toBe(1000);
    const failed = events.at(-1);
    expect(failed?.type === 'failed' && failed.error.attempts.map((a) => a.code)).toEqual(['ETIMEDOUT', 'ECONNREFUSED', 'ETIMEDOUT', 'ETIMEDOUT']);
    expect(failed?.type === 'failed' && failed.error.message).toBe(
      'connection timed out (2001:db8::1 port 80: connection timed out after 1000 ms; 192.0.2.1 port 80: connection refused after 20 ms; ' +
        '2001:db8::2 port 80: connection timed out after 880 ms; 192.0.2.2 port 80: connection timed out after 780 ms)',
    );
  });

  it('should leave no socket open and emit nothing more when unsubscribed mid-race (virtual network)', () => {
    const events: string[] = [];
    let network!: ReturnType<typeof createVirtualNetwork>;
    testScheduler.run(() => {
      network = createVirtualNetwork(testScheduler, { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() } } });
      const sub = connectAsync$('h.test', 80, { transport: network.transport }).pipe(connectTimeout(1000)).subscribe((e) => events.push(`${e.elapsed} ${label(e)}`));
      testScheduler.schedule(() => sub.unsubscribe(), 300);
    });
    expect(events.at(-1)).toBe('250 attempt 1 192.0.2.1');
    expect(network.sockets.map((s) => [s.state, s.closedAt])).toEqual([['cancelled', 300], ['cancelled', 300]]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should take an explicit scheduler', () => {
    const events: string[] = [];
    testScheduler.run(({ cold }) => {
      cold<ConnectEvent>('-a---', { a: ev.attempt(1, 0, V6) })
        .pipe(connectTimeout(3, testScheduler))
        .subscribe((e) => events.push(show(e)));
    });
    expect(events).toEqual(['attempt 0 2001:db8::1 @1', 'attemptCancelled 0 2001:db8::1 timeout @3', 'failed ETIMEDOUT @3']);
  });

  it('should validate ms and scheduler at creation, naming them', () => {
    const bad = (ms: unknown, scheduler?: unknown) => () => connectTimeout(ms as number, scheduler as never);
    expect(bad(-1)).toThrow(ArgumentOutOfRangeError);
    expect(bad(-1)).toThrow(RangeError);
    expect(bad(-1)).toThrow(/^ms: /);
    expect(bad(NaN)).toThrow(ArgumentOutOfRangeError);
    expect(bad(Infinity)).toThrow(ArgumentOutOfRangeError);
    expect(bad('5')).toThrow(InvalidArgumentError);
    expect(bad('5')).toThrow(TypeError);
    expect(thrownBy(bad(undefined))).toMatchObject({ argument: 'ms', code: 'ERR_INVALID_ARG_TYPE' });
    expect(thrownBy(bad(5, {}))).toMatchObject({ argument: 'scheduler' });
    expect(() => connectTimeout(0)).not.toThrow();
  });
});
