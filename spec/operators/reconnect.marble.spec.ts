import { defer, map, of } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ArgumentOutOfRangeError, connectAsync$, ConnectError, connectTimeout, createSnapshot, flushOnConnect, InvalidArgumentError, reconnect, snapshot } from '../../src/index.js';
import type { LookupFunction } from '../../src/index.js';
import type { ConnectEvent, ReconnectEvent, ReconnectPolicy } from '../../src/index.js';
import { MAX_DELAY } from '../../src/validation/validate.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import type { VirtualNetwork } from '../../src/testing/index.js';
import { label } from '../helpers/events.js';
import { ev, recordingChannel, refused, V6 } from '../helpers/operatorEvents.js';
import { thrownBy } from '../helpers/thrown.js';

const refusedError = (): ConnectError => new ConnectError({ code: 'ECONNREFUSED', attempts: [refused(V6, 1)] });

/** `<type><round>`, e.g. `failed1`. */
const short = (e: ReconnectEvent): string => `${e.type}${e.round}`;

/** @test {reconnect} */
describe('reconnect operator', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
  });

  const failing = { r: ev.resolved(0, V6), a: ev.attempt(0, 0, V6), f: ev.failed(4, refusedError()) };

  // prettier-ignore
  it('should subscribe again after failed with exponential backoff, one round at a time, and stop after maxRetries', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-a-f|', failing);
      const e1subs = ['               ^---!',
                      '               -------^---!',
                      '               -----------------^---!'];
      const expected = '              A-B-C--D-E-F-----G-H-(I|)';
      const result = e1.pipe(reconnect({ initialDelay: 3, factor: 2, maxRetries: 2 }), map(short));
      expectObservable(result).toBe(expected, {
        A: 'resolved0', B: 'attempt0', C: 'failed0', D: 'resolved1', E: 'attempt1', F: 'failed1', G: 'resolved2', H: 'attempt2', I: 'failed2',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should cap each wait at maxDelay', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' f|', { f: ev.failed(0, refusedError()) });
      const e1subs = ['               (^!)',
                      '               --(^!)',
                      '               -------(^!)',
                      '               ------------(^!)'];
      const expected = '              a-b----c----(d|)';
      expectObservable(e1.pipe(reconnect({ initialDelay: 2, factor: 10, maxDelay: 5, maxRetries: 3 }), map(short))).toBe(expected, {
        a: 'failed0', b: 'failed1', c: 'failed2', d: 'failed3',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should randomize each wait by ±jitter with the random function given, within [0, maxDelay]', () => {
    const draws = [0, 0.75, 0.999999];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' f|', { f: ev.failed(0, refusedError()) });
      // waits: 4 × (1 − 0.5) = 2; 8 × 1.25 = 10; 16 capped at 12, × ~1.5 capped at 12
      const e1subs = ['               (^!)',
                      '               --(^!)',
                      '               ------------(^!)',
                      '               ------------------------(^!)'];
      const expected = '              a-b---------c-----------(d|)';
      const policy = { initialDelay: 4, factor: 2, maxDelay: 12, jitter: 0.5, maxRetries: 3, random: () => draws.shift() ?? 0.5 };
      expectObservable(e1.pipe(reconnect(policy), map(short))).toBe(expected, { a: 'failed0', b: 'failed1', c: 'failed2', d: 'failed3' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should reconnect after closed too, and reset the backoff after a connection that lived resetAfter ms', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const fails = cold<ConnectEvent>('     f|', { f: ev.failed(0, refusedError()) });
      const longLived = cold<ConnectEvent>(' c----------d|', { c: ev.connected(0, 0, V6, channel), d: ev.closed(11) });
      const shortLived = cold<ConnectEvent>('c--d|', { c: ev.connected(0, 0, V6, channel), d: ev.closed(3) });
      const plan: Observable<ConnectEvent>[] = [fails, fails, longLived, fails, shortLived, fails];
      const source = defer(() => plan.shift() ?? fails);
      // waits 1, 2 | lived 11 ≥ 10: reset | 1, 2 | lived 3, no reset: 4 | then the 3rd retry since the reset was the last
      const expected = 'ab-c----------de-f--g---(h|)';
      expectObservable(source.pipe(reconnect({ initialDelay: 1, factor: 2, resetAfter: 10, maxRetries: 3 }), map(short))).toBe(expected, {
        a: 'failed0', b: 'failed1', c: 'connected2', d: 'closed2', e: 'failed3', f: 'connected4', g: 'closed4', h: 'failed5',
      });
      expectSubscriptions(fails.subscriptions).toBe(['(^!)', '-(^!)', '---------------(^!)', '------------------------(^!)']);
      expectSubscriptions(longLived.subscriptions).toBe('---^----------!');
      expectSubscriptions(shortLived.subscriptions).toBe('-----------------^--!');
    });
  });

  // prettier-ignore
  it('should not reset after a connection shorter than resetAfter', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const e1 = cold<ConnectEvent>(' c-d|', { c: ev.connected(0, 0, V6, channel), d: ev.closed(2) });
      const e1subs = ['               ^-!',
                      '               ---^-!',
                      '               --------^-!'];
      const expected = '              a-bc-d--e-(f|)';
      expectObservable(e1.pipe(reconnect({ initialDelay: 1, factor: 3, resetAfter: 3, maxRetries: 2 }), map(short))).toBe(expected, {
        a: 'connected0', b: 'closed0', c: 'connected1', d: 'closed1', e: 'connected2', f: 'closed2',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  // prettier-ignore
  it('should number every event with its round, and keep the events as they are otherwise', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-a-f|', failing);
      const expected = '              r-a-f-x-y-(z|)';
      expectObservable(e1.pipe(reconnect({ initialDelay: 2, factor: 1, maxRetries: 1 }))).toBe(expected, {
        r: { ...failing.r, round: 0 }, a: { ...failing.a, round: 0 }, f: { ...failing.f, round: 0 },
        x: { ...failing.r, round: 1 }, y: { ...failing.a, round: 1 }, z: { ...failing.f, round: 1 },
      });
      expectSubscriptions(e1.subscriptions).toBe(['^---!', '------^---!']);
    });
  });

  // prettier-ignore
  it('should never start another round once unsubscribed, during a wait or during a round', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-a-f|', failing);
      const e2 = cold<ConnectEvent>(' r-a-f|', failing);
      expectObservable(e1.pipe(reconnect({ initialDelay: 5 }), map(short)), '^------!').toBe('A-B-C---', { A: 'resolved0', B: 'attempt0', C: 'failed0' });
      expectObservable(e2.pipe(reconnect({ initialDelay: 5 }), map(short)), '^----------!').toBe('A-B-C----D--', { A: 'resolved0', B: 'attempt0', C: 'failed0', D: 'resolved1' });
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectSubscriptions(e2.subscriptions).toBe(['^---!', '---------^-!']);
    });
  });

  // prettier-ignore
  it('should pass an error notification on without retrying', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-#', { r: failing.r });
      expectObservable(e1.pipe(reconnect({ initialDelay: 1 }), map(short))).toBe('A-#', { A: 'resolved0' });
      expectSubscriptions(e1.subscriptions).toBe('^-!');
    });
  });

  // prettier-ignore
  it('should end with the failed or closed of an aborted connect, without another round, whatever maxRetries', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const aborted = new ConnectError({ code: 'ABORT_ERR' });
      const e1 = cold<ConnectEvent>(' r-f|', { r: failing.r, f: ev.failed(2, aborted) });
      const e2 = cold<ConnectEvent>(' c--d|', { c: ev.connected(0, 0, V6, channel), d: ev.closed(3, aborted) });
      // maxRetries is Infinity: the unsubscription bounds the run should rounds go on.
      expectObservable(e1.pipe(reconnect({ initialDelay: 1 }), map(short)), '^-----!').toBe('A-(B|)', { A: 'resolved0', B: 'failed0' });
      expectObservable(e2.pipe(reconnect({ initialDelay: 1 }), map(short)), '^-----!').toBe('A--(B|)', { A: 'connected0', B: 'closed0' });
      expectSubscriptions(e1.subscriptions).toBe('^-!');
      expectSubscriptions(e2.subscriptions).toBe('^--!');
    });
  });

  // prettier-ignore
  it('should complete after the first round with maxRetries 0, and retry a round that completes without an outcome', () => {
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-a-f|', failing);
      const e2 = cold<ConnectEvent>(' r|', { r: failing.r });
      expectObservable(e1.pipe(reconnect({ maxRetries: 0 }), map(short))).toBe('A-B-(C|)', { A: 'resolved0', B: 'attempt0', C: 'failed0' });
      expectObservable(e2.pipe(reconnect({ initialDelay: 2, factor: 1, maxRetries: 1 }), map(short))).toBe('A--B|', { A: 'resolved0', B: 'resolved1' });
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectSubscriptions(e2.subscriptions).toBe(['^!', '---^!']);
    });
  });

  it('should use the default policy: 1 s, doubling, up to 30 s, for ever', () => {
    const starts: number[] = [];
    testScheduler.run(({ cold }) => {
      const e1 = cold<ConnectEvent>('f|', { f: ev.failed(0, refusedError()) });
      const sub = defer(() => {
        starts.push(testScheduler.now());
        return e1;
      }).pipe(reconnect()).subscribe();
      testScheduler.schedule(() => sub.unsubscribe(), 200_000);
    });
    const waits = starts.slice(1).map((t, i) => t - (starts[i] as number));
    expect(waits.slice(0, 8)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  // prettier-ignore
  it('should grow the wait up to maxDelay at most 2^31−1 ms, the longest a timer can wait, and stay there', () => {
    const G = 2 ** 30;
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' (f|)', { f: ev.failed(0, refusedError()) });
      const e1subs = ['               (^!)',
                      `               ${G}ms (^!)`,
                      `               ${G + MAX_DELAY}ms (^!)`,
                      `               ${G + 2 * MAX_DELAY}ms (^!)`];
      const expected = `              a ${G - 1}ms b ${MAX_DELAY - 1}ms c ${MAX_DELAY - 1}ms (d|)`;
      expectObservable(e1.pipe(reconnect({ initialDelay: G, factor: 4, maxDelay: MAX_DELAY, maxRetries: 3 }), map(short))).toBe(expected, {
        a: 'failed0', b: 'failed1', c: 'failed2', d: 'failed3',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('should never schedule a wait a timer cannot time, however long the policy runs', () => {
    // Node's timers fire after 1 ms for a delay above 2^31−1 ms; growth must stop at maxDelay, and
    // initialDelay × factor^k must not overflow (0 × Infinity is NaN, a wait that never comes in virtual time).
    const run = (policy: ReconnectPolicy, rounds: number): number[] => {
      const waits: number[] = [];
      let starts = 0;
      testScheduler.run(() => {
        const recording: SchedulerLike = {
          now: () => testScheduler.now(),
          schedule: (work, delay, state) => {
            waits.push(delay ?? 0);
            return testScheduler.schedule(work as never, delay, state);
          },
        };
        defer(() => (starts++, of(ev.failed(0, refusedError()))))
          .pipe(reconnect({ ...policy, maxRetries: rounds - 1, scheduler: recording }))
          .subscribe();
      });
      expect(starts).toBe(rounds);
      return waits;
    };
    const long = run({ initialDelay: 1000, factor: 2, maxDelay: MAX_DELAY }, 60);
    expect(long.slice(0, 3)).toEqual([1000, 2000, 4000]);
    expect(long.slice(-30)).toEqual(Array<number>(30).fill(MAX_DELAY));
    const zero = run({ initialDelay: 0, factor: 2 }, 1200);
    expect(zero.every((w) => w === 0)).toBe(true);
    const huge = run({ initialDelay: 1, factor: Number.MAX_VALUE, jitter: 0.5, random: () => 0.999 }, 5);
    expect(huge[0]).toBeCloseTo(1.499);
    expect(huge.slice(1)).toEqual([30000, 30000, 30000]);
  });

  it('should validate the policy at creation, naming the field', () => {
    const bad = (policy: unknown) => () => reconnect(policy as never);
    expect(thrownBy(bad(5))).toMatchObject({ argument: 'policy', code: 'ERR_INVALID_ARG_TYPE' });
    expect(bad({ initialDelay: -1 })).toThrow(ArgumentOutOfRangeError);
    expect(bad({ initialDelay: 'x' })).toThrow(InvalidArgumentError);
    expect(thrownBy(bad({ maxDelay: NaN }))).toMatchObject({ argument: 'maxDelay' });
    expect(thrownBy(bad({ initialDelay: 2 ** 31 }))).toMatchObject({ argument: 'initialDelay', code: 'ERR_OUT_OF_RANGE' });
    expect(thrownBy(bad({ maxDelay: MAX_DELAY + 1 }))).toMatchObject({ argument: 'maxDelay', code: 'ERR_OUT_OF_RANGE' });
    expect(thrownBy(bad({ initialDelay: 100, maxDelay: 50 }))).toMatchObject({ argument: 'maxDelay' });
    expect(thrownBy(bad({ factor: 0.5 }))).toMatchObject({ argument: 'factor' });
    expect(bad({ factor: Infinity })).toThrow(RangeError);
    expect(thrownBy(bad({ jitter: 1.5 }))).toMatchObject({ argument: 'jitter' });
    expect(bad({ jitter: -0.1 })).toThrow(RangeError);
    expect(thrownBy(bad({ maxRetries: -1 }))).toMatchObject({ argument: 'maxRetries' });
    expect(bad({ maxRetries: 1.5 })).toThrow(RangeError);
    expect(thrownBy(bad({ resetAfter: -5 }))).toMatchObject({ argument: 'resetAfter' });
    expect(thrownBy(bad({ random: 0.5 }))).toMatchObject({ argument: 'random' });
    expect(thrownBy(bad({ scheduler: {} }))).toMatchObject({ argument: 'scheduler' });
    expect(() => reconnect()).not.toThrow();
    expect(() => reconnect({ maxRetries: Infinity, resetAfter: Infinity, initialDelay: 60000 })).not.toThrow();
  });
});

describe('reconnect on the virtual network', () => {
  const ROUND_ENDS = ['resolved', 'attempt', 'resolved', 'attemptFailed', 'attempt', 'attemptCancelled', 'failed'] as const;

  it('should resolve and race anew each round, close every socket, and leave nothing open when unsubscribed', () => {
    const timeline: string[] = [];
    let network!: VirtualNetwork;
    testRun((scheduler) => {
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang() } } });
      const sub = connectAsync$('h.test', 80, { transport: network.transport })
        .pipe(connectTimeout(100), reconnect({ initialDelay: 50, factor: 2, maxRetries: 2 }))
        .subscribe((e) => timeline.push(`${scheduler.now()} r${e.round} ${e.elapsed} ${label(e)}`));
      scheduler.schedule(() => sub.unsubscribe(), 10_000);
    });
    expect(timeline.filter((t) => !/resolved|Cancelled/.test(t))).toEqual([
      '0 r0 0 attempt 0 2001:db8::1',
      '5 r0 5 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '5 r0 5 attempt 1 192.0.2.1',
      '100 r0 100 failed ETIMEDOUT',
      '150 r1 0 attempt 0 2001:db8::1',
      '155 r1 5 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '155 r1 5 attempt 1 192.0.2.1',
      '250 r1 100 failed ETIMEDOUT',
      '350 r2 0 attempt 0 2001:db8::1',
      '355 r2 5 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '355 r2 5 attempt 1 192.0.2.1',
      '450 r2 100 failed ETIMEDOUT',
    ]);
    expect(network.lookups.map((l) => l.at)).toEqual([0, 0, 150, 150, 350, 350]);
    expect(network.sockets.map((s) => s.closedAt)).toEqual([5, 100, 155, 250, 355, 450]);
    expect(network.openSockets()).toEqual([]);
  });

  it.each([
    ['during a wait', 120, 2, [...ROUND_ENDS]],
    ['during a round', 160, 4, [...ROUND_ENDS, 'resolved', 'attempt', 'resolved', 'attemptFailed', 'attempt']],
  ])('should leave nothing open and start nothing more when unsubscribed %s', (_stage, at, lookups, types) => {
    const seen: string[] = [];
    let network!: VirtualNetwork;
    testRun((scheduler) => {
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang() } } });
      const sub = connectAsync$('h.test', 80, { transport: network.transport })
        .pipe(connectTimeout(100), reconnect({ initialDelay: 50 }))
        .subscribe((e) => seen.push(e.type));
      scheduler.schedule(() => sub.unsubscribe(), at);
    });
    expect(seen).toEqual(types);
    expect(network.lookups).toHaveLength(lookups);
    expect(network.openSockets()).toEqual([]);
    expect(network.sockets.every((s) => s.closedAt !== undefined && s.closedAt <= at)).toBe(true);
  });

  it.each([
    ['already aborted', 0, ['0 r0 failed ABORT_ERR']],
    ['aborted during a wait', 120, ['100 r0 failed ETIMEDOUT', '150 r1 failed ABORT_ERR']],
    ['aborted during a round', 160, ['100 r0 failed ETIMEDOUT', '155 r1 attemptFailed 0 2001:db8::1 ECONNREFUSED', '160 r1 failed ABORT_ERR']],
  ])('should stop for good when the signal is %s', (_stage, at, ends) => {
    const timeline: string[] = [];
    let completed = false;
    let network!: VirtualNetwork;
    testRun((scheduler) => {
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang() } } });
      const controller = new AbortController();
      if (at === 0) controller.abort();
      else scheduler.schedule(() => controller.abort(), at);
      const sub = connectAsync$('h.test', 80, { transport: network.transport, signal: controller.signal })
        .pipe(connectTimeout(100), reconnect({ initialDelay: 50 }))
        .subscribe({ next: (e) => timeline.push(`${scheduler.now()} r${e.round} ${label(e)}`), complete: () => (completed = true) });
      // Bounds the run when rounds go on (maxRetries is Infinity): the stream must have completed long before.
      scheduler.schedule(() => sub.unsubscribe(), 10_000);
    });
    expect(timeline.filter((t) => / failed |ECONNREFUSED/.test(t) && !t.startsWith('5 '))).toEqual(ends);
    expect(completed).toBe(true);
    expect(network.openSockets()).toEqual([]);
  });

  it("should go on retrying when a resolver fails with its own AbortError (its signal is not the connect's)", () => {
    const timeline: string[] = [];
    let completed = false;
    let lookups = 0;
    testRun((scheduler) => {
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10) } } });
      const lookup: LookupFunction = (_host, _options, callback) => {
        lookups++;
        callback(Object.assign(new Error('The operation was aborted'), { code: 'ABORT_ERR', name: 'AbortError' }));
      };
      connectAsync$('h.test', 80, { transport: network.transport, lookup, family: 4 })
        .pipe(reconnect({ initialDelay: 50, maxRetries: 2 }))
        .subscribe({ next: (e) => timeline.push(`${scheduler.now()} r${e.round} ${label(e)}`), complete: () => (completed = true) });
    });
    expect(timeline.filter((t) => / failed /.test(t))).toEqual(['0 r0 failed ERR_LOOKUP', '50 r1 failed ERR_LOOKUP', '150 r2 failed ERR_LOOKUP']);
    expect(lookups).toBe(3);
    expect(completed).toBe(true);
  });

  it('should stop for good when the signal closes a connected channel', () => {
    const timeline: string[] = [];
    let completed = false;
    let network!: VirtualNetwork;
    testRun((scheduler) => {
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10) } } });
      const controller = new AbortController();
      scheduler.schedule(() => controller.abort(), 30);
      const sub = connectAsync$('h.test', 80, { transport: network.transport, signal: controller.signal, family: 4 })
        .pipe(reconnect({ initialDelay: 50 }))
        .subscribe({ next: (e) => timeline.push(`${scheduler.now()} r${e.round} ${label(e)}`), complete: () => (completed = true) });
      scheduler.schedule(() => sub.unsubscribe(), 10_000);
    });
    expect(timeline.filter((t) => / (connected|closed|failed)/.test(t))).toEqual(['10 r0 connected 0 192.0.2.1', '30 r0 closed ABORT_ERR']);
    expect(completed).toBe(true);
    expect(network.lookups).toHaveLength(1);
    expect(network.openSockets()).toEqual([]);
  });

  it('should carry the snapshot through the rounds, and keep flushOnConnect queueing across them', () => {
    const subject = createSnapshot();
    const polls: string[] = [];
    let network!: VirtualNetwork;
    testRun((scheduler) => {
      let dials = 0;
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10) } } });
      // The first two rounds are refused: a transport that refuses the first two dials.
      const transport = {
        ...network.transport,
        dial: (request: Parameters<typeof network.transport.dial>[0], events: Parameters<typeof network.transport.dial>[1]) =>
          network.transport.dial(++dials <= 2 ? { ...request, remote: { ...request.remote, address: '192.0.2.66' } } : request, events),
      };
      const sub = connectAsync$('h.test', 80, { transport })
        .pipe(snapshot(subject), reconnect({ initialDelay: 100, factor: 1 }), flushOnConnect(['hello', ' world']))
        .subscribe((e) => {
          if (e.type === 'failed') polls.push(`failed r${e.round} unsent ${JSON.stringify(e.unsent)}`);
        });
      for (const t of [1, 50, 101, 205, 215]) {
        scheduler.schedule(() => polls.push(`${t} ${subject.value.connecting ? 'connecting' : subject.value.error || 'connected'}`), t);
      }
      scheduler.schedule(() => sub.unsubscribe(), 500);
    });
    expect(polls).toEqual([
      'failed r0 unsent ["hello"," world"]',
      '1 connection refused',
      '50 connection refused',
      'failed r1 unsent ["hello"," world"]',
      '101 connection refused',
      '205 connecting',
      '215 connected',
    ]);
    expect(network.sockets.map((s) => [s.remote.address, s.sentText()])).toEqual([
      ['192.0.2.66', ''],
      ['192.0.2.66', ''],
      ['192.0.2.1', 'hello world'],
    ]);
    expect(network.openSockets()).toEqual([]);
  });
});

function testRun(body: (scheduler: TestScheduler) => void): void {
  const scheduler = new TestScheduler((a, e) => expect(a).toStrictEqual(e));
  scheduler.run(() => body(scheduler));
}
