import { firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connectAsync$, connected } from '../../src/index.js';
import { grammarProblems, label, settle } from '../helpers/events.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';

describe('connectAsync$ on loopback', () => {
  const net = loopbackFixtures();

  it('should fail with a readable ECONNREFUSED on a refused port', async () => {
    const port = await refusedPort();
    const events = await lastValueFrom(connectAsync$('127.0.0.1', port).pipe(toArray()));
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'attemptFailed 0 127.0.0.1 ECONNREFUSED', 'failed ECONNREFUSED']);
    const failed = events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.error.message).toMatch(new RegExp(`^connection refused \\(127\\.0\\.0\\.1 port ${port}: connection refused after \\d+ ms\\)$`));
    expect((failed.error.attempts[0]?.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(grammarProblems(events, true)).toEqual([]);
  });

  it('should fall back from a refused ::1 to a listening 127.0.0.1 through the lookup option', async () => {
    const server = await net.server('127.0.0.1');
    const calls: { family: number }[] = [];
    const events = await settle(connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL, calls) }));
    expect(events.map(label)).toEqual([
      'resolved 6 ::1',
      'attempt 0 ::1',
      'resolved 4 127.0.0.1',
      'attemptFailed 0 ::1 ECONNREFUSED',
      'attempt 1 127.0.0.1',
      'connected 1 127.0.0.1',
    ]);
    expect(calls.map((c) => c.family).sort()).toEqual([4, 6]);
  });

  it('should connect to the second address about attemptDelay after a hanging first one, and cancel the first', async () => {
    const server = await net.server('127.0.0.1');
    await net.blackhole(6, server.port);
    const events = await settle(connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL), attemptDelay: 100 }));
    expect(events.filter((e) => e.type !== 'resolved').map(label)).toEqual([
      'attempt 0 ::1',
      'attempt 1 127.0.0.1',
      'attemptCancelled 0 ::1 lost',
      'connected 1 127.0.0.1',
    ]);
    const second = events.find((e) => e.type === 'attempt' && e.attempt === 1);
    // The stagger, not a failure of ::1, started the second attempt; and nothing waited for the kernel's timeout.
    expect(second?.elapsed).toBeGreaterThanOrEqual(100);
    expect(events.at(-1)?.elapsed).toBeLessThan(10000);
  });

  it('should keep the channel until it closes, then emit closed and complete', async () => {
    const server = await net.server('127.0.0.1', (socket) => socket.end('bye\n'));
    const received: string[] = [];
    const events = await lastValueFrom(
      connectAsync$('127.0.0.1', server.port).pipe(
        tap((e) => e.type === 'connected' && e.channel.data$.subscribe((b) => received.push(Buffer.from(b).toString()))),
        toArray(),
      ),
    );
    expect(received.join('')).toBe('bye\n');
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'connected 0 127.0.0.1', 'closed']);
    expect(grammarProblems(events, true)).toEqual([]);
  });

  it('should close the channel when unsubscribed after connect', async () => {
    const server = await net.server('127.0.0.1');
    const accepted = once(server.server, 'connection') as Promise<[Socket]>;
    const channel = await firstValueFrom(connectAsync$('127.0.0.1', server.port).pipe(connected()));
    const [peer] = await accepted;
    await once(peer, 'end');
    // The channel reads until the peer's EOF in turn (a lingering close), then closes.
    await once(peer, 'close');
    await firstValueFrom(channel.closed$);
    expect(channel.closed).toBe(true);
  });

  it('should bind myaddr and myport', async () => {
    const server = await net.server('127.0.0.1');
    const myport = await refusedPort();
    const accepted = once(server.server, 'connection') as Promise<[Socket]>;
    const events = await settle(connectAsync$('127.0.0.1', server.port, { myaddr: '127.0.0.1', myport }));
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', `attempt 0 127.0.0.1 from 127.0.0.1:${myport}`, 'connected 0 127.0.0.1']);
    const [peer] = await accepted;
    expect(peer.remotePort).toBe(myport);
    const c = events.at(-1);
    expect(c?.type === 'connected' && c.channel.sockname).toEqual({ address: '127.0.0.1', host: '127.0.0.1', port: myport });
  });

  it('should skip ::1 when myaddr has only an IPv4 address', async () => {
    const server = await net.server('127.0.0.1');
    const events = await settle(connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL), myaddr: '127.0.0.1' }));
    expect(events.filter((e) => e.type !== 'resolved').map(label)).toEqual([`attempt 0 127.0.0.1 from 127.0.0.1:0`, 'connected 0 127.0.0.1']);
  });

  it('should report EADDRINUSE when myport is taken', async () => {
    const server = await net.server('127.0.0.1');
    const busy = await net.server('127.0.0.1');
    const events = await settle(connectAsync$('127.0.0.1', server.port, { myaddr: '127.0.0.1', myport: busy.port }));
    const failed = events.at(-1);
    expect(failed?.type === 'failed' && failed.error.code).toBe('EADDRINUSE');
    expect(failed?.type === 'failed' && failed.error.message).toMatch(/^address already in use \(127\.0\.0\.1 port \d+: address already in use after \d+ ms\)$/);
  });

  it('should take a service name as the port', async () => {
    const events = await settle(connectAsync$('127.0.0.1', 'http', { family: 4 }));
    const resolved = events[0];
    expect(resolved?.type === 'resolved' && resolved.port).toBe(80);
    expect(events.find((e) => e.type === 'attempt')?.type === 'attempt' && (events[1] as { address: { port: number } }).address.port).toBe(80);
  });

  it('should use the system resolver for localhost', async () => {
    const server = await net.server('127.0.0.1');
    const events = await settle(connectAsync$('localhost', server.port, { family: 4 }));
    expect(events.at(-1)?.type).toBe('connected');
  });

  it('should fail (not crash) on a name that does not resolve', async () => {
    const events = await lastValueFrom(connectAsync$('does-not-exist.invalid', 80, { lookup: (_h, _o, cb) => setImmediate(() => cb(Object.assign(new Error('getaddrinfo ENOTFOUND does-not-exist.invalid'), { code: 'ENOTFOUND' }))) }).pipe(toArray()));
    expect(events.map(label)).toEqual(['resolved 6', 'resolved 4', 'failed ENOTFOUND']);
  });
});
