import { catchError, map, of, switchMap } from 'rxjs';
import type { LineTooLongError } from '../../src/index.js';
import { connectAsync$, connected } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, failAfter, hang, refuseAfter, timeoutAfter } from '../../src/testing/index.js';
import { label, newScheduler } from '../helpers/events.js';
import { runVirtual } from '../helpers/virtual.js';

const HANG3 = { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang(), '2001:db8::2': hang() } };

describe('connectAsync$ in virtual time (happy eyeballs)', () => {
  it('should start a new attempt every attemptDelay while earlier ones keep running', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, { 'h.test': HANG3 });
      const e1 = connectAsync$('h.test', 80, { transport: network.transport }).pipe(map(label));
      const unsub = '              ^ 999ms !';
      const expected = '           (abc) 245ms d 249ms e';
      expectObservable(e1, unsub).toBe(expected, {
        a: 'resolved 6 2001:db8::1,2001:db8::2',
        b: 'attempt 0 2001:db8::1',
        c: 'resolved 4 192.0.2.1',
        d: 'attempt 1 192.0.2.1',
        e: 'attempt 2 2001:db8::2',
      });
    });
  });

  it('should stagger by attemptDelay, clamped to 10..2000', () => {
    expect(runVirtual('h.test', { 'h.test': HANG3 }, { attemptDelay: 100 }, 1000).timeline.filter((t) => t.includes('attempt '))).toEqual([
      '0 attempt 0 2001:db8::1',
      '100 attempt 1 192.0.2.1',
      '200 attempt 2 2001:db8::2',
    ]);
    expect(runVirtual('h.test', { 'h.test': HANG3 }, { attemptDelay: 1 }, 1000).timeline.filter((t) => t.includes('attempt '))).toEqual([
      '0 attempt 0 2001:db8::1',
      '10 attempt 1 192.0.2.1',
      '20 attempt 2 2001:db8::2',
    ]);
    expect(runVirtual('h.test', { 'h.test': HANG3 }, { attemptDelay: 60000 }, 5000).timeline.filter((t) => t.includes('attempt '))).toEqual([
      '0 attempt 0 2001:db8::1',
      '2000 attempt 1 192.0.2.1',
      '4000 attempt 2 2001:db8::2',
    ]);
  });

  it('should start the next attempt at once when the newest attempt fails', () => {
    const run = runVirtual('h.test', { 'h.test': { addresses: { '2001:db8::1': refuseAfter(30), '192.0.2.1': connectAfter(5) } } }, {}, 100);
    expect(run.timeline).toEqual([
      '0 resolved 6 2001:db8::1',
      '0 attempt 0 2001:db8::1',
      '0 resolved 4 192.0.2.1',
      '30 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '30 attempt 1 192.0.2.1',
      '35 connected 1 192.0.2.1',
    ]);
  });

  it('should not start early when an older attempt fails while a newer one runs', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': refuseAfter(300), '192.0.2.1': hang(), '2001:db8::2': hang() } } };
    expect(runVirtual('h.test', hosts, {}, 1000).timeline.filter((t) => !t.includes('resolved'))).toEqual([
      '0 attempt 0 2001:db8::1',
      '250 attempt 1 192.0.2.1',
      '300 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '500 attempt 2 2001:db8::2',
    ]);
  });

  it('should cancel the losers (reason lost) before connected, and close their sockets', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang(), '2001:db8::2': connectAfter(10) } } };
    const run = runVirtual('h.test', hosts, {}, 2000);
    expect(run.timeline.slice(-4)).toEqual([
      '500 attempt 2 2001:db8::2',
      '510 attemptCancelled 0 2001:db8::1 lost',
      '510 attemptCancelled 1 192.0.2.1 lost',
      '510 connected 2 2001:db8::2',
    ]);
    expect(run.network.sockets.map((s) => [s.remote.address, s.state, s.closedAt])).toEqual([
      ['2001:db8::1', 'cancelled', 510],
      ['192.0.2.1', 'cancelled', 510],
      ['2001:db8::2', 'closed', 2000],
    ]);
  });

  it('should wait resolutionDelay for IPv6 when IPv4 answers first', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': connectAfter(5), '192.0.2.1': hang() }, lookup: { ipv4: 10, ipv6: 500 } } };
    expect(runVirtual('h.test', hosts, {}, 1000).timeline).toEqual([
      '10 resolved 4 192.0.2.1',
      '60 attempt 0 192.0.2.1',
      '500 resolved 6 2001:db8::1',
      '500 attempt 1 2001:db8::1',
      '505 attemptCancelled 0 192.0.2.1 lost',
      '505 connected 1 2001:db8::1',
    ]);
  });

  it('should start at once when IPv6 answers within the resolution delay, IPv6 first', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() }, lookup: { ipv4: 10, ipv6: 30 } } };
    expect(runVirtual('h.test', hosts, { resolutionDelay: 100 }, 400).timeline).toEqual([
      '10 resolved 4 192.0.2.1',
      '30 resolved 6 2001:db8::1',
      '30 attempt 0 2001:db8::1',
      '280 attempt 1 192.0.2.1',
    ]);
  });

  it('should put a late answer into the untried tail, at the next stagger', () => {
    const hosts = {
      'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang(), '192.0.2.2': hang() }, lookup: { ipv4: 0, ipv6: 100 } },
    };
    expect(runVirtual('h.test', hosts, { resolutionDelay: 20 }, 600).timeline).toEqual([
      '0 resolved 4 192.0.2.1,192.0.2.2',
      '20 attempt 0 192.0.2.1',
      '100 resolved 6 2001:db8::1',
      '270 attempt 1 2001:db8::1',
      '520 attempt 2 192.0.2.2',
    ]);
  });

  it('should start a late answer at once when the schedule is idle', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': connectAfter(1), '192.0.2.1': refuseAfter(5) }, lookup: { ipv4: 0, ipv6: 200 } } };
    expect(runVirtual('h.test', hosts, {}, 600).timeline).toEqual([
      '0 resolved 4 192.0.2.1',
      '50 attempt 0 192.0.2.1',
      '55 attemptFailed 0 192.0.2.1 ECONNREFUSED',
      '200 resolved 6 2001:db8::1',
      '200 attempt 1 2001:db8::1',
      '201 connected 1 2001:db8::1',
    ]);
  });

  it('should start at once when the IPv6 lookup fails during the resolution delay', () => {
    const hosts = { 'h.test': { addresses: { '192.0.2.1': hang() }, lookup: { ipv4: 0, ipv6: { after: 10, error: 'ENOTFOUND' } } } };
    expect(runVirtual('h.test', hosts, {}, 100).timeline).toEqual(['0 resolved 4 192.0.2.1', '10 resolved 6', '10 attempt 0 192.0.2.1']);
  });

  it('should interleave families after firstFamilyCount addresses of the first family', () => {
    const addresses = {
      '2001:db8::1': hang(), '2001:db8::2': hang(), '2001:db8::3': hang(),
      '192.0.2.1': hang(), '192.0.2.2': hang(), '192.0.2.3': hang(),
    };
    const order = (firstFamilyCount: number): string[] =>
      runVirtual('h.test', { 'h.test': { addresses } }, { attemptDelay: 10, firstFamilyCount }, 100)
        .events.flatMap((e) => (e.type === 'attempt' ? [e.address.address] : []));
    expect(order(1)).toEqual(['2001:db8::1', '192.0.2.1', '2001:db8::2', '192.0.2.2', '2001:db8::3', '192.0.2.3']);
    expect(order(2)).toEqual(['2001:db8::1', '2001:db8::2', '192.0.2.1', '2001:db8::3', '192.0.2.2', '192.0.2.3']);
  });

  it('should fail an attempt with ETIMEDOUT after attemptTimeout and start the next at once', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() } } };
    const run = runVirtual('h.test', hosts, { attemptTimeout: 100 }, 1000);
    expect(run.timeline).toEqual([
      '0 resolved 6 2001:db8::1',
      '0 attempt 0 2001:db8::1',
      '0 resolved 4 192.0.2.1',
      '100 attemptFailed 0 2001:db8::1 ETIMEDOUT',
      '100 attempt 1 192.0.2.1',
      '200 attemptFailed 1 192.0.2.1 ETIMEDOUT',
      '200 failed ETIMEDOUT',
    ]);
    expect(run.completedAt).toBe(200);
    expect(run.network.openSockets()).toEqual([]);
  });

  it('should report the most relevant code: refused beats timed out beats unreachable', () => {
    const hosts = {
      'h.test': { addresses: { '2001:db8::1': failAfter(1, 'ENETUNREACH'), '192.0.2.1': refuseAfter(2), '2001:db8::2': timeoutAfter(3), '192.0.2.2': failAfter(4, 'EHOSTUNREACH') } },
    };
    const run = runVirtual('h.test', hosts);
    const failed = run.events.at(-1);
    expect(failed?.type).toBe('failed');
    if (failed?.type !== 'failed') return;
    expect(failed.error.code).toBe('ECONNREFUSED');
    expect(failed.error.attempts.map((a) => a.code)).toEqual(['ENETUNREACH', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH']);
    expect(failed.error.message).toBe(
      'connection refused (2001:db8::1 port 80: network is unreachable after 1 ms; 192.0.2.1 port 80: connection refused after 2 ms; ' +
        '2001:db8::2 port 80: connection timed out after 3 ms; 192.0.2.2 port 80: host is unreachable after 4 ms)',
    );
  });

  it('should fail with the resolver code when every lookup fails', () => {
    const run = runVirtual('nowhere.test', {});
    expect(run.timeline).toEqual(['0 resolved 6', '0 resolved 4', '0 failed ENOTFOUND']);
    const failed = run.events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.error.message).toBe('Name or service not known (lookup of nowhere.test failed)');
  });

  it('should end in failed, not a crash, when the lookup function throws or answers twice', () => {
    const throwing = runVirtual('h.test', {}, { lookup: () => { throw Object.assign(new Error('boom'), { code: 'EAI_FAIL' }); } });
    expect(throwing.timeline.at(-1)).toBe('0 failed EAI_FAIL');
    const codeless = runVirtual('h.test', {}, { lookup: () => { throw new Error('boom'); } });
    expect(codeless.timeline.at(-1)).toBe('0 failed ERR_LOOKUP');
    const twice = runVirtual('h.test', { 'h.test': { addresses: { '192.0.2.1': connectAfter(1) } } }, {
      family: 4,
      lookup: (_h, _o, cb) => {
        cb(null, [{ address: '192.0.2.1', family: 4 }, { address: 'junk', family: 4 }]);
        cb(null, [{ address: '192.0.2.9', family: 4 }]);
      },
    }, 50);
    expect(twice.timeline).toEqual(['0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1', '1 connected 0 192.0.2.1']);
  });

  it('should skip the lookup for an IP literal', () => {
    const run = runVirtual('[2001:db8::1]', { 'h.test': { addresses: { '2001:db8::1': connectAfter(7) } } }, {}, 20);
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 attempt 0 2001:db8::1', '7 connected 0 2001:db8::1']);
    expect(run.network.lookups).toEqual([]);
  });

  it('should look up only the family asked for', () => {
    const run = runVirtual('h.test', { 'h.test': { addresses: { '2001:db8::1': connectAfter(1), '192.0.2.1': connectAfter(1) } } }, { family: 4 }, 20);
    expect(run.timeline).toEqual(['0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1', '1 connected 0 192.0.2.1']);
    expect(run.network.lookups.map((l) => l.family)).toEqual([4]);
  });
});

describe('connectAsync$ in virtual time (sequential)', () => {
  it('should make one lookup and try the addresses one at a time, in resolver order', () => {
    const hosts = { 'h.test': { addresses: { '192.0.2.1': refuseAfter(5), '2001:db8::1': refuseAfter(5), '192.0.2.2': connectAfter(5) } } };
    const run = runVirtual('h.test', hosts, { strategy: 'sequential' }, 100);
    expect(run.timeline).toEqual([
      '0 resolved 0 192.0.2.1,2001:db8::1,192.0.2.2',
      '0 attempt 0 192.0.2.1',
      '5 attemptFailed 0 192.0.2.1 ECONNREFUSED',
      '5 attempt 1 2001:db8::1',
      '10 attemptFailed 1 2001:db8::1 ECONNREFUSED',
      '10 attempt 2 192.0.2.2',
      '15 connected 2 192.0.2.2',
    ]);
    expect(run.network.lookups.map((l) => l.family)).toEqual([0]);
  });

  it('should never start a second attempt while the first hangs', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(1) } } };
    expect(runVirtual('h.test', hosts, { strategy: 'sequential' }, 60000).timeline).toEqual([
      '0 resolved 0 2001:db8::1,192.0.2.1',
      '0 attempt 0 2001:db8::1',
    ]);
  });

  it('should move on after attemptTimeout', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(1) } } };
    expect(runVirtual('h.test', hosts, { strategy: 'sequential', attemptTimeout: 3000 }, 60000).timeline).toEqual([
      '0 resolved 0 2001:db8::1,192.0.2.1',
      '0 attempt 0 2001:db8::1',
      '3000 attemptFailed 0 2001:db8::1 ETIMEDOUT',
      '3000 attempt 1 192.0.2.1',
      '3001 connected 1 192.0.2.1',
    ]);
  });
});

describe('connectAsync$ local binding (myaddr, myport)', () => {
  const hosts = {
    'h.test': { addresses: { '2001:db8::1': connectAfter(5), '192.0.2.1': connectAfter(1) } },
    'me.test': { addresses: { '192.0.2.200': hang() } },
  };

  it('should bind each attempt to a local address of its own family and skip other families', () => {
    const run = runVirtual('h.test', hosts, { myaddr: 'me.test', myport: 4000 }, 50);
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1 from 192.0.2.200:4000', '1 connected 0 192.0.2.1']);
    const channel = run.events.find((e) => e.type === 'connected');
    expect(channel?.type === 'connected' && channel.channel.sockname).toEqual({ address: '192.0.2.200', host: '192.0.2.200', port: 4000 });
  });

  it('should fail with EHOSTUNREACH when no remote address has a local one of its family', () => {
    const run = runVirtual('[2001:db8::1]', hosts, { myaddr: '192.0.2.200' });
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 failed EHOSTUNREACH']);
  });

  it('should bind the wildcard of each family to myport alone', () => {
    const run = runVirtual('[2001:db8::1]', hosts, { myport: 4001 }, 20);
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 attempt 0 2001:db8::1 from :::4001', '5 connected 0 2001:db8::1']);
  });
});

describe('connectAsync$ channel options', () => {
  it('should give the client channel its maxLineLength', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold('--a|', { a: 'ok\r\nmuch too long\r\n' });
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(1, () => server) } } });
      const lines$ = connectAsync$('h.test', 80, { transport: network.transport, maxLineLength: 5 }).pipe(
        connected(),
        switchMap((channel) => channel.lines$),
        catchError((error: LineTooLongError) => of(`${error.name} ${error.code}`)),
      );
      expectObservable(lines$).toBe('---(ab|)', { a: 'ok', b: 'LineTooLongError ERR_LINE_TOO_LONG' });
      expectSubscriptions(server.subscriptions).toBe('-^-!');
    });
  });
});

describe('connectAsync$ unsubscribing', () => {
  const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(300) }, lookup: { ipv6: 40, ipv4: 40 } } };

  it('while resolving: cancels the lookups and opens nothing', () => {
    const run = runVirtual('h.test', hosts, {}, 20);
    expect(run.timeline).toEqual([]);
    expect(run.network.sockets).toEqual([]);
  });

  it('while racing: closes every attempt socket at that moment, and emits nothing more', () => {
    const run = runVirtual('h.test', hosts, {}, 400);
    expect(run.timeline.at(-1)).toBe('290 attempt 1 192.0.2.1');
    expect(run.network.sockets.map((s) => s.closedAt)).toEqual([400, 400]);
    expect(run.network.openSockets()).toEqual([]);
  });

  it('while connected: closes the channel and emits nothing more', () => {
    const run = runVirtual('h.test', hosts, {}, 1000);
    expect(run.timeline.at(-1)).toBe('590 connected 1 192.0.2.1');
    expect(run.network.sockets.map((s) => [s.state, s.closedAt])).toEqual([['cancelled', 590], ['closed', 1000]]);
  });
});
