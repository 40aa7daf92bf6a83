import { firstValueFrom, map, Subscriber, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { Socket } from 'node:net';
import { connectAsync$, connected } from '../../src/index.js';
import type { ConnectEvent, LookupFunction } from '../../src/index.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';

describe('connectAsync$ unsubscribing with bytes queued (loopback)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should release the socket at once when the peer is not reading, instead of waiting to flush', async () => {
    // The server never reads: a big write stays queued in the process.
    server = await startServer('127.0.0.1', (socket: Socket) => socket.pause());
    const events: ConnectEvent[] = [];
    const sub = connectAsync$('127.0.0.1', server.port).subscribe((e) => events.push(e));
    await new Promise<void>((resolve) => {
      const check = (): void => (events.some((e) => e.type === 'connected') ? resolve() : void setImmediate(check));
      check();
    });
    const connected = events.find((e) => e.type === 'connected');
    if (connected?.type !== 'connected') throw new Error('not connected');
    connected.channel.write(new Uint8Array(64 * 1024 * 1024));
    expect(connected.channel.bufferedAmount).toBeGreaterThan(0);
    sub.unsubscribe();
    await firstValueFrom(connected.channel.closed$);
    expect(connected.channel.closed).toBe(true);
  });
});

describe('connectAsync$ when the subscription ends as the connect settles', () => {
  const modes = {
    events: (s: Observable<ConnectEvent>): Observable<unknown> => s,
    'connected() fused': (s: Observable<ConnectEvent>): Observable<unknown> => s.pipe(connected()),
    'connected() over the events': (s: Observable<ConnectEvent>): Observable<unknown> => s.pipe(map((e) => e), connected()),
  };

  it.each(Object.keys(modes) as (keyof typeof modes)[])(
    'should close the winning socket when a resolver\'s cancel ends the subscription as the connect settles (%s)',
    (mode) => {
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) } } });
      let subscription: Subscription | undefined;
      // IPv4 answers; IPv6 never does, and its cancel (called when the connect settles) ends the subscription.
      const lookup: LookupFunction = (_host, options, callback) => {
        if (options.family === 4) {
          scheduler.schedule(() => callback(null, [{ address: '192.0.2.1', family: 4 }]), 0);
          return undefined;
        }
        return { cancel: () => subscription?.unsubscribe() };
      };
      const source = connectAsync$('h.test', 80, { transport: network.transport, scheduler, lookup, resolutionDelay: 0 });
      const seen: string[] = [];
      subscription = modes[mode](source).subscribe({ next: (v) => seen.push((v as { type?: string }).type ?? 'channel') });
      scheduler.flush();
      expect(seen).not.toContain('channel');
      expect(seen).not.toContain('connected');
      expect(network.sockets).toHaveLength(1);
      expect(network.openSockets()).toEqual([]);
    },
  );

  it.each(Object.keys(modes) as (keyof typeof modes)[])('should neither look up nor dial for a subscriber that is already closed (%s)', (mode) => {
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) } } });
    for (const host of ['192.0.2.1', 'h.test']) {
      const subscriber = new Subscriber<unknown>({ next: () => undefined, error: () => undefined, complete: () => undefined });
      subscriber.unsubscribe();
      modes[mode](connectAsync$(host, 80, { transport: network.transport, scheduler })).subscribe(subscriber);
    }
    scheduler.flush();
    expect(network.sockets).toEqual([]);
    expect(network.lookups).toEqual([]);
  });
});
