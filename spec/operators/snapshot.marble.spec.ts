import { BehaviorSubject, map, mergeMap, NEVER, of, tap, throwError, timer } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { connectAsync$, ConnectError, connectTimeout, createSnapshot, InvalidArgumentError, snapshot } from '../../src/index.js';
import type { ConnectEvent, ConnectOptions, SocketSnapshot } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, failAfter, hang, refuseAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { label } from '../helpers/events.js';
import { ev, LOCAL6, recordingChannel, refused, V4, V6 } from '../helpers/operatorEvents.js';
import { thrownBy } from '../helpers/thrown.js';

/** A snapshot in one line: `C`/`-` for connecting, the error in quotes, names as address:port, inFlight. */
function fmt(s: SocketSnapshot): string {
  const name = (n: SocketSnapshot['sockname']) => (n === null ? 'null' : `${n.address}:${n.port}`);
  return `${s.connecting ? 'C' : '-'} '${s.error}' ${name(s.sockname)} ${name(s.peername)} [${s.inFlight.map((a) => a.address).join(',')}]`;
}

const hosts: VirtualHosts = {
  'race.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(300) } },
  'down.test': { addresses: { '2001:db8::2': refuseAfter(10), '192.0.2.2': refuseAfter(20) } },
  'hang.test': { addresses: { '2001:db8::3': hang() } },
  'reset.test': { addresses: { '192.0.2.4': connectAfter(5, () => timer(20).pipe(mergeMap(() => throwError(() => new Error('peer resets'))))) } },
  'bye.test': { addresses: { '192.0.2.5': connectAfter(5, () => timer(20).pipe(map(() => 'bye'))) } },
};

type Recorded = { transitions: string[]; events: string[]; network: VirtualNetwork; subject: BehaviorSubject<SocketSnapshot> };

/**
 * Connects on the virtual network through `snapshot(subject)`, recording every value the subject takes (with
 * its virtual time), and what `subject.value` is when each event reaches the subscriber.
 */
function record(host: string, options: ConnectOptions = {}, unsubscribeAt?: number, extra: (o: Observable<ConnectEvent>) => Observable<ConnectEvent> = (o) => o): Recorded {
  const scheduler = new TestScheduler((a, e) => expect(a).toStrictEqual(e));
  const transitions: string[] = [];
  const events: string[] = [];
  const subject = createSnapshot();
  let network!: VirtualNetwork;
  scheduler.run(() => {
    network = createVirtualNetwork(scheduler, hosts);
    subject.subscribe((s) => transitions.push(`${scheduler.now()} ${fmt(s)}`));
    let sub: Subscription | undefined;
    // eslint-disable-next-line prefer-const -- next() reads it before the assignment when an event comes while subscribing.
    sub = extra(connectAsync$(host, 80, { transport: network.transport, ...options }))
      .pipe(snapshot(subject))
      .subscribe({
        next: (e) => {
          events.push(`${label(e)} | ${fmt(subject.value)}`);
          if (e.type === 'connected') sub?.add(e.channel.data$.subscribe({ error: () => undefined }));
        },
        error: () => undefined,
      });
    if (unsubscribeAt !== undefined) scheduler.schedule(() => sub?.unsubscribe(), unsubscribeAt);
  });
  return { transitions, events, network, subject };
}

/** @test {snapshot} */
describe('snapshot operator', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
  });

  it('createSnapshot() should start idle, and give a new subject each time', () => {
    const a = createSnapshot();
    const b = createSnapshot();
    expect(a).toBeInstanceOf(BehaviorSubject);
    expect(a).not.toBe(b);
    expect(a.value).toEqual({ connecting: false, error: '', sockname: null, peername: null, inFlight: [] });
    expect(Object.isFrozen(a.value)).toBe(true);
  });

  // prettier-ignore
  it('should pass the events through unchanged, and follow connecting, inFlight and the names', () => {
    const { channel } = recordingChannel({ local: LOCAL6, remote: V4 });
    const subject = createSnapshot();
    const seen: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const values = {
        r: ev.resolved(0, V6, V4), a: ev.attempt(1, 0, V6), b: ev.attempt(3, 1, V4), x: ev.attemptCancelled(5, 0, V6), c: ev.connected(5, 1, V4, channel), d: ev.closed(9),
      };
      const e1 = cold<ConnectEvent>(' ra-b-(xc)-d|', values);
      const e1subs = '                ^----------!';
      const expected = '              ra-b-(xc)-d|';
      subject.subscribe((s) => seen.push(`${testScheduler.now()} ${fmt(s)}`));
      expectObservable(e1.pipe(snapshot(subject))).toBe(expected, values);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
    expect(seen).toEqual([
      "0 - '' null null []",
      "0 C '' null null []",
      "1 C '' null null [2001:db8::1]",
      "3 C '' null null [2001:db8::1,192.0.2.1]",
      "5 C '' null null [192.0.2.1]",
      "5 - '' 2001:db8::99:50000 192.0.2.1:80 []",
    ]);
  });

  it('should be updated before each event reaches the subscriber, and push only what changed (virtual network)', () => {
    const { transitions, events, network } = record('race.test', {}, 1000);
    expect(events).toEqual([
      "resolved 6 2001:db8::1 | C '' null null []",
      "attempt 0 2001:db8::1 | C '' null null [2001:db8::1]",
      "resolved 4 192.0.2.1 | C '' null null [2001:db8::1]",
      "attempt 1 192.0.2.1 | C '' null null [2001:db8::1,192.0.2.1]",
      "attemptCancelled 0 2001:db8::1 lost | C '' null null [192.0.2.1]",
      "connected 1 192.0.2.1 | - '' 127.0.0.1:49153 192.0.2.1:80 []",
    ]);
    expect(transitions).toEqual([
      "0 - '' null null []",
      "0 C '' null null []",
      "0 C '' null null [2001:db8::1]",
      "250 C '' null null [2001:db8::1,192.0.2.1]",
      "550 C '' null null [192.0.2.1]",
      "550 - '' 127.0.0.1:49153 192.0.2.1:80 []",
    ]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should give the failure its Tcl text, and null names, on failed', () => {
    const { transitions } = record('down.test');
    expect(transitions.slice(-3)).toEqual([
      "10 C '' null null [192.0.2.2]",
      "30 C '' null null []",
      "30 - 'connection refused' null null []",
    ]);
  });

  it.each([
    ['EHOSTUNREACH', 'host is unreachable'],
    ['ENETUNREACH', 'network is unreachable'],
    ['EADDRINUSE', 'address already in use'],
    ['EADDRNOTAVAIL', 'cannot assign requested address'],
    ['EACCES', 'permission denied'],
    ['ETIMEDOUT', 'connection timed out'],
  ])('should read %s as %j', (code, text) => {
    const subject = createSnapshot();
    testScheduler.run(() => {
      const network = createVirtualNetwork(testScheduler, { 'x.test': { addresses: { '192.0.2.9': failAfter(3, code) } } });
      connectAsync$('x.test', 80, { transport: network.transport }).pipe(snapshot(subject)).subscribe();
    });
    expect(subject.value).toEqual({ connecting: false, error: text, sockname: null, peername: null, inFlight: [] });
  });

  it("should read a lookup failure as the resolver's text", () => {
    expect(record('nowhere.test').subject.value.error).toBe('Name or service not known');
    const plain = record('h.test', { lookup: () => { throw new Error('resolver exploded'); } });
    expect(plain.subject.value.error).toBe('resolver exploded');
  });

  it('should read the deadline of connectTimeout as connection timed out', () => {
    const { transitions } = record('hang.test', {}, undefined, (o) => o.pipe(connectTimeout(100)));
    expect(transitions).toEqual([
      "0 - '' null null []",
      "0 C '' null null []",
      "0 C '' null null [2001:db8::3]",
      "100 C '' null null []",
      "100 - 'connection timed out' null null []",
    ]);
  });

  it('should keep the names on closed, and take the close error as the error', () => {
    const reset = record('reset.test');
    expect(reset.transitions.slice(-2)).toEqual([
      "5 - '' 127.0.0.1:49152 192.0.2.4:80 []",
      "25 - 'connection reset by peer' 127.0.0.1:49152 192.0.2.4:80 []",
    ]);
    const bye = record('bye.test');
    expect(bye.transitions.at(-1)).toBe("5 - '' 127.0.0.1:49152 192.0.2.5:80 []");
    expect(bye.events.at(-1)).toBe("closed | - '' 127.0.0.1:49152 192.0.2.5:80 []");
  });

  it('should stop connecting, with no error and nothing in flight, when unsubscribed while connecting', () => {
    const { transitions, network } = record('race.test', {}, 100);
    expect(transitions.slice(-2)).toEqual(["0 C '' null null [2001:db8::1]", "100 - '' null null []"]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should change nothing when unsubscribed while connected (the names stay)', () => {
    const { transitions, network } = record('race.test', {}, 700);
    expect(transitions.at(-1)).toBe("550 - '' 127.0.0.1:49153 192.0.2.1:80 []");
    expect(network.openSockets()).toEqual([]);
  });

  // prettier-ignore
  it('should stop connecting when the source completes without an outcome', () => {
    const subject = createSnapshot();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' -a-|', { a: ev.attempt(1, 0, V6) });
      expectObservable(e1.pipe(snapshot(subject), map((e) => e.type))).toBe('-a-|', { a: 'attempt' });
      expectSubscriptions(e1.subscriptions).toBe('^--!');
    });
    expect(fmt(subject.value)).toBe("- '' null null []");
  });

  // prettier-ignore
  it("should take an error notification's text as the error, and pass the error on", () => {
    const subject = createSnapshot();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' -a-#', { a: ev.attempt(1, 0, V6) }, Object.assign(new Error('write queue overflow: too much'), { code: 'ERR_WRITE_QUEUE_OVERFLOW' }));
      expectObservable(e1.pipe(snapshot(subject), map((e) => e.type))).toBe('-a-#', { a: 'attempt' }, new Error('write queue overflow: too much'));
      expectSubscriptions(e1.subscriptions).toBe('^--!');
    });
    expect(fmt(subject.value)).toBe("- 'write queue overflow: too much' null null []");
  });

  // prettier-ignore
  it('should start a new round on an event after failed or closed (a reconnect upstream)', () => {
    const { channel } = recordingChannel({ local: LOCAL6, remote: V6 });
    const subject = createSnapshot();
    const seen: string[] = [];
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ConnectError({ code: 'ECONNREFUSED', attempts: [refused(V6, 1)] });
      const values = { a: ev.attempt(0, 0, V6), f: ev.attemptFailed(1, 0, V6), F: ev.failed(1, error), r: ev.resolved(0, V6), b: ev.attempt(0, 0, V6), c: ev.connected(2, 0, V6, channel), d: ev.closed(3), s: ev.resolved(0, V6) };
      const e1 = cold<ConnectEvent>(' a(fF)-r-b-c-d-s-', values);
      subject.subscribe((s) => seen.push(`${testScheduler.now()} ${fmt(s)}`));
      expectObservable(e1.pipe(snapshot(subject), map((e) => e.type)), '^---------------!').toBe('a(fF)-r-b-c-d-s-', {
        a: 'attempt', f: 'attemptFailed', F: 'failed', r: 'resolved', b: 'attempt', c: 'connected', d: 'closed', s: 'resolved',
      });
      expectSubscriptions(e1.subscriptions).toBe('^---------------!');
    });
    expect(seen).toEqual([
      "0 - '' null null []",
      "0 C '' null null []",
      "0 C '' null null [2001:db8::1]",
      "1 C '' null null []",
      "1 - 'connection refused' null null []",
      "6 C '' null null []",
      "8 C '' null null [2001:db8::1]",
      "10 - '' 2001:db8::99:50000 2001:db8::1:80 []",
      "14 C '' null null []",
      "16 - '' null null []",
    ]);
  });

  it('should not push when nothing changed, and freeze what it pushes', () => {
    const subject = createSnapshot();
    const pushed: SocketSnapshot[] = [];
    testScheduler.run(({ cold }) => {
      subject.subscribe((s) => pushed.push(s));
      cold<ConnectEvent>('rrr-|', { r: ev.resolved(0, V6) }).pipe(snapshot(subject)).subscribe();
    });
    expect(pushed.map(fmt)).toEqual(["- '' null null []", "C '' null null []", "- '' null null []"]);
    expect(pushed.every((s) => Object.isFrozen(s) && Object.isFrozen(s.inFlight))).toBe(true);
  });

  it('should error the stream when the subject can no longer be written to', () => {
    const subject = createSnapshot();
    subject.unsubscribe();
    const errors: unknown[] = [];
    of(ev.resolved(0, V6)).pipe(snapshot(subject)).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).name).toBe('ObjectUnsubscribedError');
  });

  it('should validate the subject at creation', () => {
    expect(() => snapshot(null as never)).toThrow(InvalidArgumentError);
    expect(thrownBy(() => snapshot({} as never))).toMatchObject({ argument: 'subject', code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => snapshot(createSnapshot())).not.toThrow();
    expect(() => NEVER.pipe(tap(() => undefined), snapshot(createSnapshot()))).not.toThrow();
  });
});
