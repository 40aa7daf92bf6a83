import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { filter, firstValueFrom, lastValueFrom, map, mergeMap, ReplaySubject, take, toArray } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { connect, ConnectError, InvalidArgumentError, listen$ } from '../../src/index.js';
import type { ListenOptions, ServerEvent } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { DUAL, fixedLookup, loopbackFixtures, tcpHandles } from '../helpers/loopback.js';
import { until } from '../channel/support.js';

type Listening = Extract<ServerEvent, { type: 'listening' }>;
type Connection = Extract<ServerEvent, { type: 'connection' }>;
type HandshakeFailed = Extract<ServerEvent, { type: 'handshakeFailed' }>;

/** A listen$ subscription kept open, with its events as they come. */
type Running = {
  readonly events: ServerEvent[];
  readonly events$: Observable<ServerEvent>;
  readonly port: Promise<number>;
  readonly subscription: Subscription;
  /** Resolves with the `n`th event of `type` (from 1), past or to come. */
  nth<T extends ServerEvent['type']>(type: T, n?: number): Promise<Extract<ServerEvent, { type: T }>>;
};

/** The timers this process has: an RxJS timer that was not cancelled shows up here. */
const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('listen$ with tls on loopback', () => {
  let subscriptions: Subscription[] = [];
  let sockets: Socket[] = [];
  loopbackFixtures({
    afterStop: () => {
      for (const s of subscriptions) s.unsubscribe();
      subscriptions = [];
      for (const s of sockets) s.destroy();
      sockets = [];
    },
  });
  const certs = testCertificates();
  const identity = { key: certs.server.key, cert: certs.server.cert };

  function run(options: ListenOptions): Running {
    const events: ServerEvent[] = [];
    const replay = new ReplaySubject<ServerEvent>();
    let failed: unknown;
    const subscription = listen$(0, options).subscribe({
      next: (e) => {
        events.push(e);
        replay.next(e);
      },
      error: (e: unknown) => (failed = e),
    });
    subscriptions.push(subscription);
    const nth = <T extends ServerEvent['type']>(type: T, n = 1) =>
      firstValueFrom(replay.pipe(filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type), take(n), toArray(), map((list) => list[n - 1]!)));
    const port = nth('listening').then((l: Listening) => {
      if (failed !== undefined) throw failed as Error;
      return l.socknames[0]!.port;
    });
    return { events, events$: replay, port, subscription, nth };
  }

  /** Echoes what each accepted channel receives, as Node would. */
  function echo(running: Running): void {
    running.events$.pipe(filter((e): e is Connection => e.type === 'connection')).subscribe(({ channel }) => {
      channel.data$.subscribe({ next: (b) => channel.write(b), complete: () => void channel.close().catch(() => undefined), error: () => undefined });
    });
  }

  /** Node's TLS client, tracked for the teardown; resolves once secure, or with its error. */
  async function nodeClient(port: number, options: ConnectionOptions = {}): Promise<TLSSocket> {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, ...options });
    sockets.push(socket);
    await once(socket, 'secureConnect');
    return socket;
  }

  /** A plain TCP client, tracked for the teardown. */
  async function rawClient(port: number): Promise<Socket> {
    const socket = netConnect({ host: '127.0.0.1', port });
    sockets.push(socket);
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    return socket;
  }

  it('should serve TLS with ALPN: the server picks h2 from the client list, on both loopback families', async () => {
    const running = run({ myaddr: 'localhost', lookup: fixedLookup(DUAL), tls: { ...identity, ALPNProtocols: ['h2', 'http/1.1'] } });
    echo(running);
    const port = await running.port;
    const socket = await nodeClient(port, { ALPNProtocols: ['http/1.1', 'h2'] });
    expect(socket.alpnProtocol).toBe('h2');
    socket.write('over Node');
    const [echoed] = (await once(socket, 'data')) as [Buffer];
    expect(String(echoed)).toBe('over Node');
    const connection = await running.nth('connection');
    expect(connection.tls).toStrictEqual({ protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: false, cipher: connection.channel.tls?.cipher });
    expect(connection.tls?.cipher.name).toMatch(/^TLS_/);
    expect(connection.clientAddress).toBe('127.0.0.1');
    expect(connection.clientPort).toBe(socket.localPort);
    expect(connection.channel.tls?.peerCertificate()).toBeNull();
    // rxconnect's own client, over ::1: the certificate names the IP, and no SNI goes with a literal.
    const channel = await connect('::1', port, { tls: { ca: certs.ca, ALPNProtocols: ['h2'] } });
    expect(channel.tls?.alpnProtocol).toBe('h2');
    channel.writeLine('over rxconnect');
    expect(await firstValueFrom(channel.lines$)).toBe('over rxconnect');
    const second = await running.nth('connection', 2);
    expect(second).toMatchObject({ clientAddress: '::1', clientPort: channel.sockname.port, tls: { alpnProtocol: 'h2', protocol: 'TLSv1.3' } });
    await channel.close();
    socket.end();
    await once(socket, 'close');
    expect(running.events.map((e) => e.type)).toEqual(['listening', 'connection', 'connection']);
  });

  it('should accept a client certificate signed by its ca, and drop a client without one or with a self-signed one', async () => {
    const running = run({ myaddr: '127.0.0.1', tls: { ...identity, requestCert: true, ca: certs.ca } });
    echo(running);
    const port = await running.port;
    // Without a certificate: TLS 1.3 lets the client finish first; the server's refusal follows.
    const bare = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca });
    sockets.push(bare);
    bare.on('error', () => undefined);
    const bareFailed = await running.nth('handshakeFailed');
    expect(bareFailed.error).toBeInstanceOf(ConnectError);
    expect(bareFailed.error).toMatchObject({ code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', handshake: true, address: '127.0.0.1', port: bareFailed.clientPort });
    expect(bareFailed.error.message).toMatch(new RegExp(`^TLS handshake failed: the client sent no certificate \\(127\\.0\\.0\\.1 port ${bareFailed.clientPort} after \\d+ ms\\)$`));
    expect((bareFailed.error.cause as { code?: string }).code).toBe('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
    expect(bareFailed.clientAddress).toBe('127.0.0.1');

    const selfSigned = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, key: certs.selfSignedClient.key, cert: certs.selfSignedClient.cert });
    sockets.push(selfSigned);
    selfSigned.on('error', () => undefined);
    const selfFailed = await running.nth('handshakeFailed', 2);
    expect(selfFailed.error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', handshake: true });
    expect(selfFailed.error.message).toMatch(/^client certificate is self-signed \(127\.0\.0\.1 port \d+ after \d+ ms\)$/);

    const good = await nodeClient(port, { key: certs.client.key, cert: certs.client.cert });
    const connection = await running.nth('connection');
    expect(connection.tls).toMatchObject({ authorized: true, protocol: 'TLSv1.3' });
    expect(connection.tls?.authorizationError).toBeUndefined();
    expect(connection.channel.tls?.peerCertificate()?.subject).toEqual(expect.objectContaining({ CN: 'rxconnect test client' }));
    good.write('still serving');
    const [echoed] = (await once(good, 'data')) as [Buffer];
    expect(String(echoed)).toBe('still serving');
    expect(running.events.map((e) => e.type)).toEqual(['listening', 'handshakeFailed', 'handshakeFailed', 'connection']);
    expect(running.subscription.closed).toBe(false);
  });

  it('should drop a plain HTTP client with ERR_SSL_HTTP_REQUEST and go on', async () => {
    const running = run({ myaddr: '127.0.0.1', tls: identity });
    echo(running);
    const port = await running.port;
    const http = await rawClient(port);
    const closed = once(http, 'close');
    http.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const failed: HandshakeFailed = await running.nth('handshakeFailed');
    expect(failed).toMatchObject({ clientAddress: '127.0.0.1', clientPort: http.localPort });
    expect(failed.error).toMatchObject({ code: 'ERR_SSL_HTTP_REQUEST', handshake: true, address: '127.0.0.1', port: http.localPort });
    expect(failed.error.message).toMatch(new RegExp(`^TLS handshake failed: the peer sent plain HTTP \\(127\\.0\\.0\\.1 port ${http.localPort} after \\d+ ms\\)$`));
    expect((failed.error.cause as { code?: string }).code).toBe('ERR_SSL_HTTP_REQUEST');
    await closed;
    const channel = await connect('127.0.0.1', port, { tls: { ca: certs.ca } });
    channel.writeLine('after HTTP');
    expect(await firstValueFrom(channel.lines$)).toBe('after HTTP');
    await channel.close();
  });

  it('should drop a client that sends nothing after handshakeTimeout, serving another one meanwhile', async () => {
    const running = run({ myaddr: '127.0.0.1', tls: { ...identity, handshakeTimeout: 200 } });
    echo(running);
    const port = await running.port;
    const started = Date.now();
    const silent = await rawClient(port);
    const silentClosed = once(silent, 'close');
    const channel = await connect('127.0.0.1', port, { tls: { ca: certs.ca } });
    channel.writeLine('meanwhile');
    expect(await firstValueFrom(channel.lines$)).toBe('meanwhile');
    const failed = await running.nth('handshakeFailed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(failed).toMatchObject({ clientAddress: '127.0.0.1', clientPort: silent.localPort });
    expect(failed.error).toMatchObject({ code: 'ETIMEDOUT', handshake: true });
    expect(failed.error.message).toMatch(new RegExp(`^connection timed out during the TLS handshake \\(127\\.0\\.0\\.1 port ${silent.localPort} after \\d+ ms\\)$`));
    // Timers and Date.now() tick on different clocks: a 200 ms timer may read as 199 ms.
    expect(failed.error.duration).toBeGreaterThanOrEqual(190);
    expect((failed.error.cause as { code?: string }).code).toBe('ETIMEDOUT');
    await silentClosed;
    expect(running.events.map((e) => e.type)).toEqual(['listening', 'connection', 'handshakeFailed']);
    await channel.close();
  });

  it('should let an allowHalfOpen TLS server answer after the client end()', async () => {
    const running = run({ myaddr: '127.0.0.1', allowHalfOpen: true, tls: identity });
    const port = await running.port;
    const answered = firstValueFrom(
      running.events$.pipe(
        filter((e): e is Connection => e.type === 'connection'),
        mergeMap(({ channel }) =>
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
    const channel = await connect('127.0.0.1', port, { tls: { ca: certs.ca } });
    channel.write('hello');
    channel.write(new Uint8Array(100_000).fill(97));
    channel.end();
    expect(await lastValueFrom(channel.lines$.pipe(toArray()))).toEqual(['got 100005 bytes']);
    await answered;
    await firstValueFrom(channel.closed$);
  });

  it('should destroy a client whose handshake is stalled, and stop its timer, on unsubscribe; nothing is emitted after', async () => {
    const before = timers();
    const running = run({ myaddr: '127.0.0.1', tls: identity });
    const port = await running.port;
    const listening = tcpHandles();
    const silent = await rawClient(port);
    const closed = once(silent, 'close');
    // The client's socket and the accepted one.
    await until(() => tcpHandles() === listening + 2, 'the server to accept');
    expect(timers()).toBeGreaterThan(before);
    running.subscription.unsubscribe();
    await closed;
    expect(timers()).toBe(before);
    expect(running.events.map((e) => e.type)).toEqual(['listening']);
  });

  it('should fail the listen call, not every client, when its key and certificate do not parse', () => {
    const before = tcpHandles();
    expect(() => listen$(0, { myaddr: '127.0.0.1', tls: { key: 'not a key', cert: 'not a certificate' } })).toThrow(InvalidArgumentError);
    expect(() => listen$(0, { myaddr: '127.0.0.1', tls: { key: 'not a key', cert: 'not a certificate' } })).toThrow(/^tls\.cert: is not a PEM certificate \(no start line\)$/);
    expect(tcpHandles()).toBe(before);
  });
});
