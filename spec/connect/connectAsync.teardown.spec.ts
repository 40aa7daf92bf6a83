import { firstValueFrom, map, Subscriber, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { Socket } from 'node:net';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel, ConnectEvent, LookupFunction } from '../../src/index.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';

describe('connectAsync$ unsubscribing with bytes queued (loopback)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  const connectedChannel = async (events: ConnectEvent[], flush: () => void = () => undefined): Promise<Channel> => {
    await new Promise<void>((resolve) => {
      const check = (): void => {
        flush();
        if (events.some((e) => e.type === 'connected')) resolve();
        else setImmediate(check);
      };
      check();
    });
    const connected = events.find((e) => e.type === 'connected');
    if (connected?.type !== 'connected') throw new Error('not connected');
    return connected.channel;
  };

  it('should flush what is queued after the unsubscribe, as Tcl\'s close does, so a reading peer gets every byte', async () => {
    const size = 8 * 1024 * 1024;
    let received = 0;
    const allReceived = new Promise<void>((resolve) => {
      void startServer('127.0.0.1', (socket: Socket) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received === size) resolve();
        });
      }).then((s) => {
        server = s;
        const events: ConnectEvent[] = [];
        const sub = connectAsync$('127.0.0.1', s.port).subscribe((e) => events.push(e));
        void connectedChannel(events).then((channel) => {
          channel.write(new Uint8Array(size));
          expect(channel.bufferedAmount).toBeGreaterThan(0);
          sub.unsubscribe();
        });
      });
    });
    await allReceived;
    expect(received).toBe(size);
  });

  it('should end a stalled flush after its bound, reporting the unsent bytes on closed$', async () => {
    // The server never reads: a big write stays queued in the process.
    server = await startServer('127.0.0.1', (socket: Socket) => socket.pause());
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const events: ConnectEvent[] = [];
    const sub = connectAsync$('127.0.0.1', server.port, { scheduler }).subscribe((e) => events.push(e));
    const channel = await connectedChannel(events, () => scheduler.flush());
    channel.write(new Uint8Array(64 * 1024 * 1024));
    sub.unsubscribe();
    await new Promise((resolve) => setImmediate(resolve));
    // Still flushing: the unsubscribe did not drop the queue.
    expect(channel.closed).toBe(false);
    // The stall checks run on the connect's scheduler: with no write completed in between, the flush ends.
    scheduler.flush();
    const close = await firstValueFrom(channel.closed$);
    expect(close).toMatchObject({ error: { code: 'ETIMEDOUT' } });
    expect(close.unsent).toBeGreaterThan(0);
  });

  it('should report the bytes an abort left unsent on the closed event, not only that it was aborted', async () => {
    server = await startServer('127.0.0.1', (socket: Socket) => socket.pause());
    const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
    const controller = new AbortController();
    const events: ConnectEvent[] = [];
    connectAsync$('127.0.0.1', server.port, { scheduler, signal: controller.signal }).subscribe((e) => events.push(e));
    const channel = await connectedChannel(events, () => scheduler.flush());
    channel.write(new Uint8Array(64 * 1024 * 1024));
    controller.abort(new Error('user gave up'));
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.flush();
    await firstValueFrom(channel.closed$);
    await new Promise((resolve) => setImmediate(resolve));
    const closed = events.find((e) => e.type === 'closed');
    expect(closed).toMatchObject({ type: 'closed', error: { code: 'ETIMEDOUT' } });
    expect((closed as unknown as { error: { unsent: number } }).error.unsent).toBeGreaterThan(0);
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
