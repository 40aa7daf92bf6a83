import { EMPTY, filter, finalize, firstValueFrom, ignoreElements, lastValueFrom, map, merge, mergeMap, share, switchMap, take, tap, toArray } from 'rxjs';
import { ReplaySubject } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel } from '../../src/index.js';
import { ConnectError } from '../../src/errors/ConnectError.js';
import { listen$ } from '../../src/listen/listen.js';
import type { ListenOptions, ServerEvent } from '../../src/index.js';
import { fixedLookup, settledTcpHandles, startServer, tcpHandles } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { nodeSocketOf, openChannel, socketFlag, until } from '../channel/support.js';

type Listening = Extract<ServerEvent, { type: 'listening' }>;
type Connection = Extract<ServerEvent, { type: 'connection' }>;
const isListening = (e: ServerEvent): e is Listening => e.type === 'listening';
const isConnection = (e: ServerEvent): e is Connection => e.type === 'connection';

/** A listen$ subscription kept open, with its events as they come. */
type Running = {
  readonly events: ServerEvent[];
  /** Every channel accepted so far, and those to come. */
  readonly channels$: Observable<Channel>;
  readonly listening: Promise<Listening>;
  readonly failed: Promise<unknown>;
  readonly subscription: Subscription;
};

describe('listen$ on loopback', () => {
  let subscriptions: Subscription[] = [];
  let server: TestServer | undefined;

  afterEach(async () => {
    for (const s of subscriptions) s.unsubscribe();
    subscriptions = [];
    await server?.stop();
    server = undefined;
  });

  function run(port: number | string, options?: ListenOptions): Running {
    const events: ServerEvent[] = [];
    const replay = new ReplaySubject<ServerEvent>();
    let resolveListening!: (l: Listening) => void;
    let resolveFailed!: (e: unknown) => void;
    const listening = new Promise<Listening>((r) => (resolveListening = r));
    const failed = new Promise<unknown>((r) => (resolveFailed = r));
    const subscription = listen$(port, options).subscribe({
      next: (e) => {
        events.push(e);
        replay.next(e);
        if (isListening(e)) resolveListening(e);
      },
      error: resolveFailed,
    });
    subscriptions.push(subscription);
    const channels$ = replay.pipe(
      filter(isConnection),
      map((e) => e.channel),
    );
    return { events, channels$, listening, failed, subscription };
  }

  /** Echoes every accepted channel; returns the channels. */
  function echo(running: Running): Channel[] {
    const channels: Channel[] = [];
    running.channels$.subscribe((channel) => {
      channels.push(channel);
      channel.data$.subscribe({ next: (b) => channel.write(b), error: () => undefined });
    });
    return channels;
  }

  it('should listen on port 0 with no myaddr on both families, one port, and be reached over 127.0.0.1 and ::1', async () => {
    const running = run(0);
    const { socknames } = await running.listening;
    const port = socknames[0]!.port;
    expect(port).toBeGreaterThan(0);
    expect(socknames).toEqual([
      { address: '0.0.0.0', host: '0.0.0.0', port },
      { address: '::', host: '::', port },
    ]);
    const channels = echo(running);
    const four = await openChannel('127.0.0.1', port, {}, subscriptions);
    const six = await openChannel('::1', port, {}, subscriptions);
    four.channel.writeLine('over IPv4');
    six.channel.writeLine('over IPv6');
    expect(await firstValueFrom(four.channel.lines$)).toBe('over IPv4');
    expect(await firstValueFrom(six.channel.lines$)).toBe('over IPv6');
    const connections = running.events.filter(isConnection);
    expect(connections.map((c) => [c.clientAddress, c.clientPort])).toEqual([
      ['127.0.0.1', four.channel.sockname.port],
      ['::1', six.channel.sockname.port],
    ]);
    expect(channels.map((c) => c.peername.address)).toEqual(['127.0.0.1', '::1']);
    expect(channels[1]!.sockname).toEqual({ address: '::1', host: '::1', port });
    await Promise.all([four.channel.close(), six.channel.close()]);
    running.subscription.unsubscribe();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should error with EADDRINUSE ("address already in use") when the port is taken', async () => {
    server = await startServer('127.0.0.1');
    const before = tcpHandles();
    const error = (await run(server.port).failed) as ConnectError;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', address: '0.0.0.0', port: server.port });
    expect(error.message).toBe(`address already in use (listen on 0.0.0.0 port ${server.port})`);
    const mine = (await run(server.port, { myaddr: '127.0.0.1' }).failed) as ConnectError;
    expect(mine.message).toBe(`address already in use (listen on 127.0.0.1 port ${server.port})`);
    // Nothing it opened is left behind: the IPv6 listener that did bind was closed again.
    await until(() => tcpHandles() <= before, 'listeners to close');
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should error with EADDRNOTAVAIL ("cannot assign requested address") for a myaddr that is not local', async () => {
    const error = (await run(0, { myaddr: '192.0.2.1' }).failed) as ConnectError;
    expect(error).toMatchObject({ code: 'EADDRNOTAVAIL', message: 'cannot assign requested address (listen on 192.0.2.1 port 0)' });
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should listen on every address of a myaddr name, IPv4 first, sharing the port 0 picked', async () => {
    const lookup = fixedLookup([
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    const running = run(0, { myaddr: 'dualstack.test', lookup });
    const { socknames } = await running.listening;
    const port = socknames[0]!.port;
    expect(socknames).toEqual([
      { address: '127.0.0.1', host: '127.0.0.1', port },
      { address: '::1', host: '::1', port },
    ]);
    running.subscription.unsubscribe();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should close the listeners on unsubscribe and leave accepted channels open', async () => {
    const running = run(0, { family: 4 });
    const { socknames } = await running.listening;
    const port = socknames[0]!.port;
    const channels = echo(running);
    const client = await openChannel('127.0.0.1', port, {}, subscriptions);
    await until(() => channels.length === 1);
    running.subscription.unsubscribe();
    // No one accepts any more...
    const refused = await lastValueFrom(connectAsync$('127.0.0.1', port).pipe(filter((e) => e.type === 'failed')));
    expect(refused).toMatchObject({ error: { code: 'ECONNREFUSED' } });
    // ...but the accepted channel still echoes.
    client.channel.writeLine('still here');
    expect(await firstValueFrom(client.channel.lines$)).toBe('still here');
    await client.channel.close();
    await until(() => channels[0]!.closed, 'the server side to close');
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should close every client too when the pipeline ties channels to inner subscriptions (shutdown idiom)', async () => {
    const server$ = listen$(0, { family: 4 }).pipe(share());
    const port$ = server$.pipe(filter(isListening), map((l) => l.socknames[0]!.port));
    const echo$ = server$.pipe(
      mergeMap((e) =>
        e.type !== 'connection'
          ? EMPTY
          : e.channel.data$.pipe(
              tap((b) => e.channel.write(b)),
              finalize(() => void e.channel.close().catch(() => undefined)),
            ),
      ),
    );
    const shutdown = echo$.subscribe();
    const port = await firstValueFrom(port$);
    const a = await openChannel('127.0.0.1', port, {}, subscriptions);
    const b = await openChannel('127.0.0.1', port, {}, subscriptions);
    a.channel.writeLine('a');
    b.channel.writeLine('b');
    expect(await firstValueFrom(a.channel.lines$)).toBe('a');
    expect(await firstValueFrom(b.channel.lines$)).toBe('b');
    shutdown.unsubscribe();
    // The clients see EOF: their channels and connect streams close.
    expect(await lastValueFrom(a.channel.lines$.pipe(toArray()))).toEqual([]);
    expect(await lastValueFrom(b.channel.lines$.pipe(toArray()))).toEqual([]);
    await a.completed;
    await b.completed;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should serve the Tcl man page time server and client in one pipeline', async () => {
    const startTime = Date.now();
    const server$ = listen$(0).pipe(share());
    // proc Server {startTime channel clientaddr clientport}: two lines, then close.
    const serve$ = server$.pipe(
      filter(isConnection),
      mergeMap(({ channel }) => {
        const now = Date.now();
        channel.writeLine(new Date(now).toString());
        channel.writeLine(`${Math.round((now - startTime) / 1000)} since start`);
        return channel.close();
      }),
      ignoreElements(),
    );
    // set sockChan [socket $server 9900]; gets $sockChan line1; gets $sockChan line2; close $sockChan
    const client$ = server$.pipe(
      filter(isListening),
      take(1),
      switchMap(({ socknames }) =>
        connectAsync$('localhost', socknames[0]!.port).pipe(
          connected(),
          switchMap((channel) => channel.lines$),
          take(2),
          toArray(),
        ),
      ),
    );
    const [line1, line2] = await firstValueFrom(merge(serve$, client$));
    expect(line1).toBe(new Date(Date.parse(line1!)).toString());
    expect(line2).toMatch(/^\d+ since start$/);
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should let an allowHalfOpen server answer after the client EOF, rxconnect on both sides', async () => {
    const running = run(0, { family: 4, allowHalfOpen: true });
    const port = (await running.listening).socknames[0]!.port;
    const answered = firstValueFrom(
      running.channels$.pipe(
        mergeMap((channel) =>
          channel.data$.pipe(
            toArray(),
            mergeMap((chunks) => {
              channel.writeLine(`got ${chunks.reduce((n, c) => n + c.length, 0)} bytes`);
              return channel.close();
            }),
          ),
        ),
      ),
    );
    const client = await openChannel('127.0.0.1', port, {}, subscriptions);
    client.channel.write('hello');
    client.channel.end();
    expect(await lastValueFrom(client.channel.lines$.pipe(toArray()))).toEqual(['got 5 bytes']);
    await answered;
    await client.completed;
    running.subscription.unsubscribe();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should apply noDelay and keepAlive to accepted sockets', async () => {
    const running = run(0, { family: 4, noDelay: true, keepAlive: true });
    const port = (await running.listening).socknames[0]!.port;
    const client = await openChannel('127.0.0.1', port, {}, subscriptions);
    const accepted = await firstValueFrom(running.channels$);
    const socket = nodeSocketOf(accepted);
    expect([socketFlag(socket, 'kSetNoDelay'), socketFlag(socket, 'kSetKeepAlive')]).toEqual([true, true]);
    await Promise.all([client.channel.close(), accepted.close()]);
    running.subscription.unsubscribe();
    expect(await settledTcpHandles()).toBe(0);
  });
});
