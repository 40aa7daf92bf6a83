import { firstValueFrom, map, Subscriber, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import type { Socket } from 'node:net';
import { connectAsync$, connected } from '../../src/index.js';
import type { ConnectEvent, LookupFunction, SocketEvents, Transport, TransportSocket } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang } from '../../src/testing/index.js';
import { label } from '../helpers/events.js';
import { scriptedSocket } from '../helpers/scriptedSocket.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { runVirtual } from '../helpers/virtual.js';

/** A transport whose dial reports the connect before it returns the socket. */
function synchronousTransport(): { transport: Transport; destroyed: () => number } {
  let destroyed = 0;
  const transport: Transport = {
    lookup: (_h, _o, cb) => cb(null, [{ address: '192.0.2.1', family: 4 }]),
    dial(request, events: SocketEvents): TransportSocket {
      const socket = scriptedSocket(events, request.remote, { address: '192.0.2.100', family: 4, port: 40000 }, (s) => {
        destroyed++;
        s.events.close();
      });
      events.connect();
      return socket;
    },
    listen: (_r, _e, done) => done(new Error('not here')),
  };
  return { transport, destroyed: () => destroyed };
}

describe('connectAsync$ edge cases found in review', () => {
  it('should connect when the transport reports the connect synchronously inside dial', () => {
    const { transport, destroyed } = synchronousTransport();
    const events: ConnectEvent[] = [];
    let completed = false;
    const sub = connectAsync$('192.0.2.1', 80, { transport }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    expect(events.map(label)).toEqual(['resolved 4 192.0.2.1', 'attempt 0 192.0.2.1', 'connected 0 192.0.2.1']);
    sub.unsubscribe();
    expect(destroyed()).toBe(1);
    expect(completed).toBe(false);
  });

  it('should fail with EHOSTUNREACH, not the other family\'s lookup error, when no address matches myaddr', () => {
    const run = runVirtual('v6only.test', { 'v6only.test': { addresses: { '2001:db8::1': connectAfter(1) } } }, { myaddr: '192.0.2.200' });
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 resolved 4', '0 failed EHOSTUNREACH']);
  });

  it('should not wait the resolution delay for a family no local address can use', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(5) }, lookup: { ipv4: 0, ipv6: 100 } } };
    const run = runVirtual('h.test', hosts, { myaddr: '192.0.2.200' }, 500);
    expect(run.timeline).toEqual(['0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1 from 192.0.2.200:0', '5 connected 0 192.0.2.1']);
  });
});

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

describe('connectAsync$ subscriptions that end at awkward moments (second review)', () => {
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
