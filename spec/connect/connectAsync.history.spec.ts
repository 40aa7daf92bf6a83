import { map } from 'rxjs';
import { connectAsync$, connected, createConnectHistory } from '../../src/index.js';
import type { ConnectEvent, ConnectHistory, ConnectHistoryOptions, ConnectOptions } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter, timeoutAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label, newScheduler } from '../helpers/events.js';

/** One connect of a series: subscribed at `at`, unsubscribed `for` ms later, on a network of its own. */
type Step = { readonly at: number; readonly hosts: VirtualHosts; readonly options?: ConnectOptions; readonly for?: number };

/** What each connect of a series did, and the history they shared, as it was at the end. */
type Series = { readonly timelines: string[][]; readonly networks: VirtualNetwork[]; readonly history: ConnectHistory };

/**
 * Runs connects to h.test:80 one after another in virtual time, sharing one history on the TestScheduler.
 * Checks the event grammar of each, and that each left no socket open once unsubscribed.
 */
function series(steps: readonly Step[], historyOptions: ConnectHistoryOptions = {}): Series {
  const scheduler = newScheduler();
  const timelines: string[][] = [];
  const networks: VirtualNetwork[] = [];
  const lists: { events: ConnectEvent[]; completed: boolean }[] = [];
  let history!: ConnectHistory;
  scheduler.run(() => {
    history = createConnectHistory({ scheduler, ...historyOptions });
    for (const step of steps) {
      const network = createVirtualNetwork(scheduler, step.hosts);
      const list = { events: [] as ConnectEvent[], completed: false };
      networks.push(network);
      lists.push(list);
      scheduler.schedule(() => {
        const sub = connectAsync$('h.test', 80, { transport: network.transport, history, ...step.options }).subscribe({
          next: (e) => list.events.push(e),
          complete: () => (list.completed = true),
        });
        scheduler.schedule(() => sub.unsubscribe(), step.for ?? 1000);
      }, step.at);
    }
  });
  for (const [i, { events, completed }] of lists.entries()) {
    expect(grammarProblems(events, completed)).toEqual([]);
    expect(networks[i]?.openSockets()).toEqual([]);
    timelines.push(events.map((e) => `${e.elapsed} ${label(e)}`));
  }
  return { timelines, networks, history };
}

/** ::1 black-holed, 127.0.0.1 answering: every connect without a history waits attemptDelay for IPv4. */
const HANGING_V6: VirtualHosts = { 'h.test': { addresses: { '::1': hang(), '127.0.0.1': connectAfter(1) } } };
const attempts = (timeline: readonly string[]): string[] => timeline.filter((t) => / attempt |connected/.test(t));

describe('connectAsync$ with a history (RFC 8305 §7)', () => {
  it('should connect to the last winner at once on the second connect, not attemptDelay later', () => {
    const { timelines, history } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: HANGING_V6 },
    ]);
    expect(attempts(timelines[0] ?? [])).toEqual(['0 attempt 0 ::1', '250 attempt 1 127.0.0.1', '251 connected 1 127.0.0.1']);
    expect(timelines[1]).toEqual([
      '0 resolved 6 ::1',
      '0 resolved 4 127.0.0.1',
      '0 attempt 0 127.0.0.1 history',
      '1 connected 0 127.0.0.1',
    ]);
    expect(history.entries()).toEqual([{ host: 'h.test', port: 80, winner: { address: '127.0.0.1', family: 4, at: 2001 }, failed: [] }]);
  });

  it('should wait the resolution delay for the last winner\'s family, and start it as soon as it comes', () => {
    const slowV4: VirtualHosts = { 'h.test': { addresses: { '::1': hang(), '127.0.0.1': connectAfter(1) }, lookup: { ipv4: 30, ipv6: 0 } } };
    const { timelines } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: slowV4 },
    ]);
    expect(timelines[1]?.slice(0, 4)).toEqual(['0 resolved 6 ::1', '30 resolved 4 127.0.0.1', '30 attempt 0 127.0.0.1 history', '31 connected 0 127.0.0.1']);
  });

  it('should start the last winner the moment a late lookup brings it, and the stagger go on from there', () => {
    const lateV4: VirtualHosts = { 'h.test': { addresses: { '::1': hang(), '127.0.0.1': hang() }, lookup: { ipv4: 100, ipv6: 0 } } };
    const { timelines } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: lateV4, for: 400 },
    ]);
    expect(timelines[1]).toEqual(['0 resolved 6 ::1', '50 attempt 0 ::1', '100 resolved 4 127.0.0.1', '100 attempt 1 127.0.0.1 history']);
  });

  it('should cost a stale entry one attemptDelay, never a failure: the old winner hangs, IPv6 connects', () => {
    const nowV6: VirtualHosts = { 'h.test': { addresses: { '::1': connectAfter(1), '127.0.0.1': refuseAfter(1000) } } };
    const { timelines, history } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: nowV6 },
    ]);
    expect(attempts(timelines[1] ?? [])).toEqual(['0 attempt 0 127.0.0.1 history', '250 attempt 1 ::1', '251 connected 1 ::1']);
    expect(history.entries()[0]?.winner?.address).toBe('::1');
  });

  it('should start the next address at once when the old winner now refuses, and record the refusal', () => {
    const refusingV4: VirtualHosts = { 'h.test': { addresses: { '::1': connectAfter(1), '127.0.0.1': refuseAfter(2) } } };
    const { timelines, history } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: refusingV4 },
    ]);
    expect(attempts(timelines[1] ?? [])).toEqual(['0 attempt 0 127.0.0.1 history', '2 attempt 1 ::1', '3 connected 1 ::1']);
    expect(history.entries()).toEqual([
      { host: 'h.test', port: 80, winner: { address: '::1', family: 6, at: 2003 }, failed: [{ address: '127.0.0.1', family: 4, code: 'ECONNREFUSED', at: 2002 }] },
    ]);
  });

  it('should try the addresses that failed last time after every other, flagged', () => {
    const hosts: VirtualHosts = {
      'h.test': { addresses: { '2001:db8::1': refuseAfter(1), '2001:db8::2': hang(), '192.0.2.1': timeoutAfter(5), '192.0.2.2': hang() } },
    };
    const { timelines, history } = series([
      { at: 0, hosts, for: 600 },
      { at: 1000, hosts, for: 900 },
    ]);
    expect(attempts(timelines[0] ?? [])).toEqual(['0 attempt 0 2001:db8::1', '1 attempt 1 192.0.2.1', '6 attempt 2 2001:db8::2', '256 attempt 3 192.0.2.2']);
    expect(history.entries()[0]?.failed.map((f) => `${f.address} ${f.code}`)).toEqual(['2001:db8::1 ECONNREFUSED', '192.0.2.1 ETIMEDOUT']);
    expect(attempts(timelines[1] ?? [])).toEqual([
      '0 attempt 0 2001:db8::2',
      '250 attempt 1 192.0.2.2',
      '500 attempt 2 2001:db8::1 history',
      '501 attempt 3 192.0.2.1 history',
    ]);
  });

  it('should put the last winner first in sequential order too, and keep the resolver\'s order after it', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': refuseAfter(1), '2001:db8::1': refuseAfter(1), '192.0.2.2': connectAfter(1) } } };
    const { timelines } = series([
      { at: 0, hosts, options: { strategy: 'sequential' } },
      { at: 2000, hosts, options: { strategy: 'sequential' } },
    ]);
    expect(attempts(timelines[0] ?? [])).toEqual(['0 attempt 0 192.0.2.1', '1 attempt 1 2001:db8::1', '2 attempt 2 192.0.2.2', '3 connected 2 192.0.2.2']);
    expect(timelines[1]?.slice(0, 3)).toEqual(['0 resolved 0 192.0.2.1,2001:db8::1,192.0.2.2', '0 attempt 0 192.0.2.2 history', '1 connected 0 192.0.2.2']);
  });

  it('should forget a record ttl after it was made, on the history\'s scheduler', () => {
    // The first connect's win is recorded at 251.
    const trusted = series([{ at: 0, hosts: HANGING_V6, for: 300 }, { at: 251 + 4999, hosts: HANGING_V6, for: 300 }], { ttl: 5000 });
    expect(attempts(trusted.timelines[1] ?? [])[0]).toBe('0 attempt 0 127.0.0.1 history');
    const expired = series([{ at: 0, hosts: HANGING_V6, for: 300 }, { at: 251 + 5000, hosts: HANGING_V6, for: 300 }], { ttl: 5000 });
    expect(attempts(expired.timelines[1] ?? [])[0]).toBe('0 attempt 0 ::1');
  });

  it('should keep one entry per host and port, the least recently used dropped beyond maxEntries', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const hosts: VirtualHosts = {
        'a.test': { addresses: { '192.0.2.1': connectAfter(1) } },
        'b.test': { addresses: { '192.0.2.2': connectAfter(1) } },
        'A.TEST': { addresses: { '192.0.2.1': connectAfter(1) } },
      };
      const network = createVirtualNetwork(scheduler, hosts);
      const history = createConnectHistory({ scheduler, maxEntries: 2 });
      const go = (host: string, port: number, at: number): void => {
        scheduler.schedule(() => {
          const sub = connectAsync$(host, port, { transport: network.transport, history }).pipe(connected()).subscribe(() => scheduler.schedule(() => sub.unsubscribe(), 1));
        }, at);
      };
      go('a.test', 80, 0);
      go('b.test', 80, 10);
      go('A.TEST', 80, 20); // a.test:80 (names ignore case) used again: b.test:80 is now the least recently used
      go('a.test', 81, 30);
      scheduler.schedule(() => expect(history.entries().map((e) => `${e.host}:${e.port}`)).toEqual(['a.test:80', 'a.test:81']), 40);
    });
  });

  it('should record the winner of a connect unsubscribed as soon as it connected', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, HANGING_V6);
      const history = createConnectHistory({ scheduler });
      const sub = connectAsync$('h.test', 80, { transport: network.transport, history }).subscribe((e) => {
        if (e.type === 'connected') sub.unsubscribe();
      });
      scheduler.schedule(() => {
        expect(network.openSockets()).toEqual([]);
        expect(history.entries().map((e) => e.winner?.address)).toEqual(['127.0.0.1']);
      }, 500);
    });
  });

  it('should let concurrent connects to one host share the history', () => {
    const { timelines, history } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 100, hosts: HANGING_V6 },
      { at: 2000, hosts: HANGING_V6 },
    ]);
    expect(attempts(timelines[1] ?? [])).toEqual(['0 attempt 0 ::1', '250 attempt 1 127.0.0.1', '251 connected 1 127.0.0.1']);
    expect(attempts(timelines[2] ?? [])[0]).toBe('0 attempt 0 127.0.0.1 history');
    expect(history.entries()).toHaveLength(1);
  });

  it('should leave a connect without a history, or with history: false, as RFC 8305 has it, and skip IP literals', () => {
    const { timelines, history } = series([
      { at: 0, hosts: HANGING_V6 },
      { at: 2000, hosts: HANGING_V6, options: { history: false } },
      { at: 4000, hosts: HANGING_V6, options: { history: undefined } },
    ]);
    expect(attempts(timelines[1] ?? [])[0]).toBe('0 attempt 0 ::1');
    expect(attempts(timelines[2] ?? [])[0]).toBe('0 attempt 0 ::1');
    const literal = newScheduler();
    literal.run(() => {
      const network = createVirtualNetwork(literal, { 'h.test': { addresses: { '192.0.2.1': connectAfter(1) } } });
      const own = createConnectHistory({ scheduler: literal });
      connectAsync$('192.0.2.1', 80, { transport: network.transport, history: own }).pipe(map(label)).subscribe();
      literal.schedule(() => expect(own.entries()).toEqual([]), 10);
    });
    expect(history.entries()).toHaveLength(1);
  });

  it('should reject a history that is not one, naming the option', () => {
    expect(() => connectAsync$('h.test', 80, { history: {} as ConnectHistory })).toThrow(/options?\.?history|history/);
    expect(() => connectAsync$('h.test', 80, { history: true as unknown as false })).toThrow(/history: must be a ConnectHistory/);
  });
});
