import { lastValueFrom, Subject, toArray, VirtualTimeScheduler } from 'rxjs';
import type { Subscription } from 'rxjs';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connectAsync$, connectTimeout, createSnapshot, flushOnConnect, reconnect, snapshot } from '../../src/index.js';
import type { ConnectEvent, ReconnectEvent, SocketSnapshot } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';

/** Resolves with the first event that satisfies `test`, keeping the subscription. */
function waitFor<E extends ConnectEvent>(events: E[], subscribe: (next: (e: E) => void) => Subscription, test: (e: E) => boolean): { done: Promise<E>; sub: Subscription } {
  let resolve!: (e: E) => void;
  const done = new Promise<E>((r) => (resolve = r));
  const sub = subscribe((e) => {
    events.push(e);
    if (test(e)) resolve(e);
  });
  return { done, sub };
}

/** Collects what a server's client sends until it closes. */
function collect(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  return once(socket, 'close').then(() => Buffer.concat(chunks).toString('utf8'));
}

describe('operators on loopback', () => {
  const net = loopbackFixtures();

  it('connectTimeout: a hanging address fails with ETIMEDOUT at the deadline, and its socket is destroyed', async () => {
    const hole = await net.blackhole(6);
    const events = await lastValueFrom(connectAsync$('::1', hole.port).pipe(connectTimeout(300), toArray()));
    expect(events.map(label)).toEqual(['resolved 6 ::1', 'attempt 0 ::1', 'attemptCancelled 0 ::1 timeout', 'failed ETIMEDOUT']);
    const failed = events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.elapsed).toBeGreaterThanOrEqual(300);
    expect(events[2]?.elapsed).toBe(failed.elapsed);
    expect(failed.error.attempts.map((a) => [a.code, a.address])).toEqual([['ETIMEDOUT', '::1']]);
    expect(failed.error.message).toMatch(new RegExp(`^connection timed out \\(::1 port ${hole.port}: connection timed out after \\d+ ms\\)$`));
    expect(grammarProblems(events, true)).toEqual([]);
  });

  it('flushOnConnect: queued values reach the server once and in order, behind a refused ::1', async () => {
    let accepted!: (text: Promise<string>) => void;
    const received = new Promise<Promise<string>>((r) => (accepted = r));
    const server = await net.server('127.0.0.1', (socket) => accepted(collect(socket)));
    const outgoing = new Subject<string | Uint8Array>();
    const events: ConnectEvent[] = [];
    const { done, sub } = waitFor(
      events,
      (next) => connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL) }).pipe(flushOnConnect(outgoing)).subscribe(next),
      (e) => e.type === 'connected',
    );
    outgoing.next('one ');
    outgoing.next(Buffer.from('two '));
    outgoing.next('thrée ');
    await done;
    outgoing.next('four');
    sub.unsubscribe(); // closes the channel, after flushing what is queued
    expect(events.map(label)).toEqual([
      'resolved 6 ::1',
      'attempt 0 ::1',
      'resolved 4 127.0.0.1',
      'attemptFailed 0 ::1 ECONNREFUSED',
      'attempt 1 127.0.0.1',
      'connected 1 127.0.0.1',
    ]);
    expect(await received).toBe('one two thrée four');
    expect(server.clients).toHaveLength(1);
    expect(outgoing.observed).toBe(false);
  });

  it('flushOnConnect: a connect refused everywhere hands back every queued value as unsent', async () => {
    const port = await refusedPort();
    const outgoing = new Subject<string>();
    const result = lastValueFrom(connectAsync$('dual.test', port, { lookup: fixedLookup(DUAL) }).pipe(flushOnConnect(outgoing), toArray()));
    outgoing.next('a');
    outgoing.next('b');
    const events = await result;
    const failed = events.at(-1);
    expect(failed?.type === 'failed' && [failed.error.code, failed.unsent]).toEqual(['ECONNREFUSED', ['a', 'b']]);
    expect(outgoing.observed).toBe(false);
  });

  it('snapshot: reads connecting during a real hanging connect, then the outcome of refused and connected ones', async () => {
    const hole = await net.blackhole(6);
    const hanging = createSnapshot();
    const seen: ConnectEvent[] = [];
    const h = waitFor(seen, (next) => connectAsync$('::1', hole.port).pipe(snapshot(hanging)).subscribe(next), (e) => e.type === 'attempt');
    await h.done;
    await new Promise((r) => setTimeout(r, 50)); // other work; the connect still hangs
    expect(hanging.value).toEqual({ connecting: true, error: '', sockname: null, peername: null, inFlight: [{ address: '::1', family: 6, port: hole.port }] });
    h.sub.unsubscribe();
    expect(hanging.value).toEqual({ connecting: false, error: '', sockname: null, peername: null, inFlight: [] });

    const refused = createSnapshot();
    await lastValueFrom(connectAsync$('127.0.0.1', await refusedPort()).pipe(snapshot(refused), toArray()));
    expect(refused.value).toEqual({ connecting: false, error: 'connection refused', sockname: null, peername: null, inFlight: [] });

    const server = await net.server('127.0.0.1');
    const live = createSnapshot();
    const c = waitFor<ConnectEvent>([], (next) => connectAsync$('127.0.0.1', server.port).pipe(snapshot(live)).subscribe(next), (e) => e.type === 'connected');
    const connected = await c.done;
    if (connected.type !== 'connected') throw new Error('not connected');
    const value: SocketSnapshot = live.value;
    expect(value).toEqual({
      connecting: false,
      error: '',
      sockname: { address: '127.0.0.1', host: '127.0.0.1', port: connected.channel.sockname.port },
      peername: { address: '127.0.0.1', host: '127.0.0.1', port: server.port },
      inFlight: [],
    });
    expect(value.sockname?.port).toBeGreaterThan(0);
    c.sub.unsubscribe();
  });

  it('reconnect: connects to a server that comes up after two failed rounds', async () => {
    const port = await refusedPort();
    // The waits between rounds run on a scheduler this spec flushes, so the server is surely up before round 2.
    const waits = new VirtualTimeScheduler();
    const events: ReconnectEvent[] = [];
    let twoFailed!: () => void;
    const failedTwice = new Promise<void>((r) => (twoFailed = r));
    let isConnected!: (e: ReconnectEvent) => void;
    const connectedEvent = new Promise<ReconnectEvent>((r) => (isConnected = r));
    const sub = connectAsync$('127.0.0.1', port)
      .pipe(reconnect({ initialDelay: 100, scheduler: waits }))
      .subscribe((e) => {
        events.push(e);
        if (e.type === 'failed') setImmediate(() => (e.round === 0 ? waits.flush() : twoFailed()));
        if (e.type === 'connected') isConnected(e);
      });
    await failedTwice;
    await net.server('127.0.0.1', undefined, port);
    waits.flush();
    const connected = await connectedEvent;
    sub.unsubscribe();
    expect(events.map((e) => `${e.round} ${label(e)}`)).toEqual([
      '0 resolved 4 127.0.0.1',
      '0 attempt 0 127.0.0.1',
      '0 attemptFailed 0 127.0.0.1 ECONNREFUSED',
      '0 failed ECONNREFUSED',
      '1 resolved 4 127.0.0.1',
      '1 attempt 0 127.0.0.1',
      '1 attemptFailed 0 127.0.0.1 ECONNREFUSED',
      '1 failed ECONNREFUSED',
      '2 resolved 4 127.0.0.1',
      '2 attempt 0 127.0.0.1',
      '2 connected 0 127.0.0.1',
    ]);
    expect(connected.round).toBe(2);
  });
});
