import { catchError, map, of, Subject, tap, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { ArgumentOutOfRangeError, ChannelClosedError, connectAsync$, ConnectError, flushOnConnect, InvalidArgumentError, WriteQueueOverflowError } from '../../src/index.js';
import type { ConnectEvent } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, refuseAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { ev, recordingChannel, refused, show, V6 } from '../helpers/operatorEvents.js';
import { thrownBy } from '../helpers/thrown.js';

/** @test {flushOnConnect} */
describe('flushOnConnect operator', () => {
  let testScheduler: TestScheduler;
  beforeEach(() => {
    testScheduler = new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
  });

  // prettier-ignore
  it('should write what was queued while connecting, in order, before re-emitting connected, then later values as they come', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const { channel, socket } = recordingChannel();
      socket.onWrite = (chunk) => log.push(`${testScheduler.now()} write ${Buffer.from(chunk).toString()}`);
      const e1 = cold<ConnectEvent>(' r-x------C---------D|', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6), C: ev.connected(9, 0, V6, channel), D: ev.closed(19) });
      const e2 = hot<string>('        -a--b---------c---|');
      const e1subs = '                ^-------------------!';
      const e2subs = '                ^-----------------!';
      const expected = '              r-x------C---------D|';
      const result = e1.pipe(flushOnConnect(e2), tap((e) => log.push(`${testScheduler.now()} event ${label(e)}`)), map(label));
      expectObservable(result).toBe(expected, { r: 'resolved 6 2001:db8::1', x: 'attempt 0 2001:db8::1', C: 'connected 0 2001:db8::1', D: 'closed' });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(e2.subscriptions).toBe(e2subs);
    });
    expect(log).toEqual([
      '0 event resolved 6 2001:db8::1',
      '2 event attempt 0 2001:db8::1',
      '9 write a',
      '9 write b',
      '9 event connected 0 2001:db8::1',
      '14 write c',
      '19 event closed',
    ]);
  });

  // prettier-ignore
  it('should hand the queue back as unsent on failed, in order, and complete', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const failed = ev.failed(7, refusedAll());
      const e1 = cold<ConnectEvent>(' r-x----f|', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6), f: failed });
      const e2 = hot<string | Uint8Array>('-a--b-----c-', { a: 'one', b: Uint8Array.of(0xff, 0), c: 'late' });
      const e1subs = '                ^-------!';
      const e2subs = '                ^-------!';
      const expected = '              r-x----F|';
      expectObservable(e1.pipe(flushOnConnect(e2), map(show))).toBe(expected, {
        r: 'resolved 6 2001:db8::1 @0', x: 'attempt 0 2001:db8::1 @2', F: 'failed ECONNREFUSED @7 unsent [one,<ff00>]',
      });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(e2.subscriptions).toBe(e2subs);
    });
  });

  // prettier-ignore
  it('should add an empty unsent to failed when nothing was queued, and keep unsent already there first', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' --f|', { f: { ...ev.failed(2, refusedAll()), unsent: ['zero'] } as ConnectEvent });
      const e2 = hot<string>('        -a--');
      const e3 = cold<ConnectEvent>(' --f|', { f: ev.failed(2, refusedAll()) });
      const e4 = hot<string>('        ----');
      expectObservable(e1.pipe(flushOnConnect(e2), map(show))).toBe('--F|', { F: 'failed ECONNREFUSED @2 unsent [zero,a]' });
      expectObservable(e3.pipe(flushOnConnect(e4), map(show))).toBe('--F|', { F: 'failed ECONNREFUSED @2 unsent []' });
      expectSubscriptions(e1.subscriptions).toBe('^--!');
      expectSubscriptions(e2.subscriptions).toBe('^--!');
      expectSubscriptions(e3.subscriptions).toBe('^--!');
      expectSubscriptions(e4.subscriptions).toBe('^--!');
    });
  });

  // prettier-ignore
  it('should error with WriteQueueOverflowError carrying every unsent value, and cancel the connect', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-x---------', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6) });
      const e2 = hot<string>('        -a-b-c-d', { a: 'é', b: 'a', c: 'b', d: 'never' });
      const e1subs = '                ^----!';
      const e2subs = '                ^----!';
      const expected = '              r-x--#';
      const overflow = new WriteQueueOverflowError(['é', 'a', 'b'], 3, 4);
      expectObservable(e1.pipe(flushOnConnect(e2, { maxBytes: 3 }), map(label))).toBe(expected, { r: 'resolved 6 2001:db8::1', x: 'attempt 0 2001:db8::1' }, overflow);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
      expectSubscriptions(e2.subscriptions).toBe(e2subs);
    });
  });

  it('should describe the overflow: code, unsent, maxBytes, bytes and a message', () => {
    const errors: unknown[] = [];
    testScheduler.run(({ cold }) => {
      cold<ConnectEvent>('r---').pipe(flushOnConnect(of('abc', Uint8Array.of(1, 2, 3)), { maxBytes: 4 })).subscribe({ error: (e) => errors.push(e) });
    });
    const [error] = errors;
    expect(error).toBeInstanceOf(WriteQueueOverflowError);
    expect(error).toMatchObject({
      name: 'WriteQueueOverflowError',
      code: 'ERR_WRITE_QUEUE_OVERFLOW',
      unsent: ['abc', Uint8Array.of(1, 2, 3)],
      maxBytes: 4,
      bytes: 6,
      message: 'write queue overflow: 6 bytes queued while connecting would exceed maxBytes (4); 2 value(s) unsent',
    });
  });

  // prettier-ignore
  it('should encode strings with the channel encoding (latin1 here), though the queue counts UTF-8', () => {
    const { channel, socket } = recordingChannel({ encoding: 'latin1' });
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' --C-', { C: ev.connected(2, 0, V6, channel) });
      const e2 = hot<string>('        -a-b', { a: 'é', b: 'ü' });
      expectObservable(e1.pipe(flushOnConnect(e2, { maxBytes: 2 }), map(label))).toBe('--C-', { C: 'connected 0 2001:db8::1' });
      expectSubscriptions(e1.subscriptions).toBe('^---');
      expectSubscriptions(e2.subscriptions).toBe('^---');
    });
    expect(socket.written).toEqual([Uint8Array.of(0xe9), Uint8Array.of(0xfc)]);
  });

  // prettier-ignore
  it('should write values that arrive during the flush after the queue, in order', () => {
    const log: string[] = [];
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const { channel, socket } = recordingChannel();
      const e2 = hot<string>('        -a-b-----');
      const extra = new Subject<string>();
      const e1 = cold<ConnectEvent>(' ----C---', { C: ev.connected(4, 0, V6, channel) });
      socket.onWrite = (chunk) => {
        const text = Buffer.from(chunk).toString();
        log.push(text);
        if (text === 'a') extra.next('z');
      };
      const outgoing = new Subject<string>();
      e2.subscribe(outgoing);
      extra.subscribe(outgoing);
      expectObservable(e1.pipe(flushOnConnect(outgoing), map(label))).toBe('----C---', { C: 'connected 0 2001:db8::1' });
      expectSubscriptions(e1.subscriptions).toBe('^-------');
    });
    expect(log).toEqual(['a', 'b', 'z']);
  });

  // prettier-ignore
  it('should take values an array or a synchronous Observable gives at subscription', () => {
    const { channel, socket } = recordingChannel();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' ---C-', { C: ev.connected(3, 0, V6, channel) });
      expectObservable(e1.pipe(flushOnConnect(['GET / HTTP/1.0\r\n', '\r\n']), map(label))).toBe('---C-', { C: 'connected 0 2001:db8::1' });
      expectSubscriptions(e1.subscriptions).toBe('^----');
    });
    expect(socket.text()).toBe('GET / HTTP/1.0\r\n\r\n');
  });

  // prettier-ignore
  it('should do nothing more when outgoing$ completes, before or after connect', () => {
    const { channel, socket } = recordingChannel();
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' ----C-----D|', { C: ev.connected(4, 0, V6, channel), D: ev.closed(10) });
      const e2 = hot<string>('        -a|');
      const expected = '              ----C-----D|';
      expectObservable(e1.pipe(flushOnConnect(e2), map(label))).toBe(expected, { C: 'connected 0 2001:db8::1', D: 'closed' });
      expectSubscriptions(e1.subscriptions).toBe('^----------!');
      expectSubscriptions(e2.subscriptions).toBe('^-!');
    });
    expect(socket.text()).toBe('a');
    expect(channel.closed).toBe(false);
  });

  // prettier-ignore
  it('should error when outgoing$ errors while connecting, and unsubscribe the source', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r-x-------', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6) });
      const e2 = hot<string>('        -a--#', undefined, new Error('producer failed'));
      expectObservable(e1.pipe(flushOnConnect(e2), map(label))).toBe('r-x-#', { r: 'resolved 6 2001:db8::1', x: 'attempt 0 2001:db8::1' }, new Error('producer failed'));
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectSubscriptions(e2.subscriptions).toBe('^---!');
    });
  });

  // prettier-ignore
  it('should error when a value is neither a string nor a Uint8Array', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' r---');
      const e2 = hot<unknown>('       --n-', { n: 42 });
      const error = new InvalidArgumentError('outgoing$', 'values must be strings or Uint8Arrays, got number', 'ERR_INVALID_ARG_TYPE');
      expectObservable(e1.pipe(flushOnConnect(e2 as never))).toBe('r-#', { r: 'r' }, error);
      expectSubscriptions(e1.subscriptions).toBe('^-!');
      expectSubscriptions(e2.subscriptions).toBe('^-!');
    });
  });

  // prettier-ignore
  it('should error with the channel refusal (ChannelClosedError) when writing after channel.end()', () => {
    const { channel } = recordingChannel();
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>(' -C-----', { C: ev.connected(1, 0, V6, channel) });
      const e2 = hot<string>('        ----a--');
      testScheduler.schedule(() => channel.end(), 2);
      const result = e1.pipe(flushOnConnect(e2), map(label), catchError((e: unknown) => throwError(() => ({ instance: e instanceof ChannelClosedError, code: (e as ChannelClosedError).code }))));
      expectObservable(result).toBe('-C--#', { C: 'connected 0 2001:db8::1' }, { instance: true, code: 'ERR_CHANNEL_CLOSED' });
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectSubscriptions(e2.subscriptions).toBe('^---!');
    });
  });

  // prettier-ignore
  it('should release outgoing$ and the source when unsubscribed, while connecting or connected', () => {
    testScheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const { channel } = recordingChannel();
      const e1 = cold<ConnectEvent>(' r-x----C---', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6), C: ev.connected(7, 0, V6, channel) });
      const e2 = hot<string>('        -a---------');
      const e3 = cold<ConnectEvent>(' r-x----C---', { r: ev.resolved(0, V6), x: ev.attempt(2, 0, V6), C: ev.connected(7, 0, V6, channel) });
      const e4 = hot<string>('        -a---------');
      const values = { r: 'resolved 6 2001:db8::1', x: 'attempt 0 2001:db8::1', C: 'connected 0 2001:db8::1' };
      expectObservable(e1.pipe(flushOnConnect(e2), map(label)), '^---!').toBe('r-x--', values);
      expectObservable(e3.pipe(flushOnConnect(e4), map(label)), '^--------!').toBe('r-x----C--', values);
      expectSubscriptions(e1.subscriptions).toBe('^---!');
      expectSubscriptions(e2.subscriptions).toBe('^---!');
      expectSubscriptions(e3.subscriptions).toBe('^--------!');
      expectSubscriptions(e4.subscriptions).toBe('^--------!');
    });
  });

  it('should validate its arguments at creation, naming them', () => {
    expect(thrownBy(() => flushOnConnect('text' as never))).toMatchObject({ argument: 'outgoing$', code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => flushOnConnect(Uint8Array.of(1) as never)).toThrow(InvalidArgumentError);
    expect(thrownBy(() => flushOnConnect(42 as never))).toMatchObject({ argument: 'outgoing$' });
    expect(() => flushOnConnect(null as never)).toThrow(TypeError);
    expect(thrownBy(() => flushOnConnect(of('a'), 5 as never))).toMatchObject({ argument: 'options' });
    expect(() => flushOnConnect(of('a'), { maxBytes: -1 })).toThrow(ArgumentOutOfRangeError);
    expect(thrownBy(() => flushOnConnect(of('a'), { maxBytes: 1.5 }))).toMatchObject({ argument: 'maxBytes' });
    expect(thrownBy(() => flushOnConnect(of('a'), { maxBytes: '1' as never }))).toMatchObject({ argument: 'maxBytes', code: 'ERR_INVALID_ARG_TYPE' });
    expect(() => flushOnConnect(of('a'), { maxBytes: 0 })).not.toThrow();
  });
});

describe('flushOnConnect on the virtual network', () => {
  const hosts: VirtualHosts = {
    'h.test': { addresses: { '2001:db8::1': refuseAfter(30), '192.0.2.1': connectAfter(50) } },
    'down.test': { addresses: { '2001:db8::2': refuseAfter(30), '192.0.2.2': refuseAfter(50) } },
  };

  /** Runs `connectAsync$(host).pipe(flushOnConnect(outgoing))` with outgoing$ a hot marble, and records it all. */
  function run(host: string, outgoing: string, unsubscribeAt?: number) {
    const scheduler = new TestScheduler((a, e) => expect(a).toStrictEqual(e));
    const timeline: string[] = [];
    const events: ConnectEvent[] = [];
    let network!: VirtualNetwork;
    let completedAt: number | undefined;
    let outgoingSubs = '';
    let error: unknown;
    scheduler.run(({ hot }) => {
      network = createVirtualNetwork(scheduler, hosts);
      const e2 = hot<string>(outgoing);
      const sub = connectAsync$(host, 80, { transport: network.transport })
        .pipe(flushOnConnect(e2))
        .subscribe({
          next: (e) => {
            events.push(e);
            timeline.push(show(e));
          },
          error: (e: unknown) => (error = e),
          complete: () => (completedAt = scheduler.now()),
        });
      if (unsubscribeAt !== undefined) scheduler.schedule(() => sub.unsubscribe(), unsubscribeAt);
      scheduler.schedule(() => (outgoingSubs = JSON.stringify(e2.subscriptions)), 999);
    });
    expect(grammarProblems(events, completedAt !== undefined)).toEqual([]);
    return { timeline, network, completedAt, outgoingSubs, error };
  }

  it('should send what was queued before connect and during a failed first attempt once, in order, then later values', () => {
    const { timeline, network } = run('h.test', '-a 5ms b 24ms c 23ms d', 200);
    expect(timeline).toEqual([
      'resolved 6 2001:db8::1 @0',
      'attempt 0 2001:db8::1 @0',
      'resolved 4 192.0.2.1 @0',
      'attemptFailed 0 2001:db8::1 ECONNREFUSED @30',
      'attempt 1 192.0.2.1 @30',
      'connected 1 192.0.2.1 @80',
    ]);
    // a@1 and b@7 during the first attempt, c@32 and d@56 during the second (it connects at 80)
    expect(network.sockets.map((s) => [s.remote.address, s.state, s.sentText()])).toEqual([
      ['2001:db8::1', 'refused', ''],
      ['192.0.2.1', 'closed', 'abcd'],
    ]);
    expect(network.sockets[1]?.sent.map((b) => Buffer.from(b).toString())).toEqual(['a', 'b', 'c', 'd']);
    expect(network.openSockets()).toEqual([]);
  });

  it('should write values after connect as they come, and the server sees them in order', () => {
    const hits: string[] = [];
    const scheduler = new TestScheduler((a, e) => expect(a).toStrictEqual(e));
    let network!: VirtualNetwork;
    scheduler.run(({ hot }) => {
      network = createVirtualNetwork(scheduler, {
        's.test': {
          addresses: {
            '192.0.2.1': connectAfter(10, (fromClient) => fromClient.pipe(
              tap((bytes) => hits.push(`${scheduler.now()} ${Buffer.from(bytes).toString()}`)),
              map(() => ''),
            )),
          },
        },
      });
      const e2 = hot<string>('-a---------b----c---');
      const sub = connectAsync$('s.test', 80, { transport: network.transport }).pipe(flushOnConnect(e2)).subscribe();
      scheduler.schedule(() => sub.unsubscribe(), 50);
    });
    expect(hits).toEqual(['10 a', '11 b', '16 c']);
    expect(network.sockets[0]?.sent.map((b) => Buffer.from(b).toString())).toEqual(['a', 'b', 'c']);
    expect(network.openSockets()).toEqual([]);
  });

  it('should report unsent when every address fails, and close nothing twice', () => {
    const { timeline, network, completedAt } = run('down.test', '-a---b 100ms c');
    expect(timeline.at(-1)).toBe('failed ECONNREFUSED @80 unsent [a,b]');
    expect(completedAt).toBe(80);
    expect(network.sockets.map((s) => s.sentText())).toEqual(['', '']);
    expect(network.openSockets()).toEqual([]);
  });

  it('should close every socket when unsubscribed while connecting, and release outgoing$', () => {
    const { timeline, network, outgoingSubs } = run('h.test', '-a---b---', 40);
    expect(timeline.at(-1)).toBe('attempt 1 192.0.2.1 @30');
    expect(network.sockets.map((s) => [s.state, s.closedAt, s.sentText()])).toEqual([['refused', 30, ''], ['cancelled', 40, '']]);
    expect(JSON.parse(outgoingSubs)).toEqual([{ subscribedFrame: 0, unsubscribedFrame: 40 }]);
  });

  it('should close the socket when outgoing$ errors after connect', () => {
    const { timeline, network, error } = run('h.test', '-a 94ms #');
    expect(timeline.at(-1)).toBe('connected 1 192.0.2.1 @80');
    expect(error).toBe('error');
    expect(network.sockets[1]).toMatchObject({ state: 'closed', closedAt: expect.any(Number) as number });
    expect(network.sockets[1]?.sentText()).toBe('a');
    expect(network.openSockets()).toEqual([]);
  });
});

function refusedAll(): ConnectError {
  return new ConnectError({ code: 'ECONNREFUSED', attempts: [refused(V6, 5)] });
}
