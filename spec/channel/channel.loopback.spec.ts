import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { ChannelClose, ChannelTranslation } from '../../src/index.js';
import { ChannelClosedError } from '../../src/errors/ChannelClosedError.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { bytes, nodeSocketOf, openChannel, settle, socketFlag, until } from './support.js';

const MiB = 1024 * 1024;

describe('Channel on loopback', () => {
  let server: TestServer | undefined;
  let extra: Server | undefined;
  let opened: Subscription[] = [];

  afterEach(async () => {
    for (const s of opened) s.unsubscribe();
    opened = [];
    await server?.stop();
    server = undefined;
    if (extra?.listening) {
      extra.close();
      await once(extra, 'close');
    }
    extra = undefined;
  });

  /** A server that sends `chunks` one at a time, each once the client has received the one before. */
  async function chunkServer(chunks: readonly (string | Uint8Array)[], received: () => number): Promise<TestServer> {
    return startServer('127.0.0.1', (socket) => {
      socket.setNoDelay(true);
      void (async () => {
        let sent = 0;
        for (const chunk of chunks) {
          socket.write(chunk);
          sent += Buffer.byteLength(chunk);
          await until(() => received() >= sent, 'the client to receive a chunk');
        }
        socket.end();
      })();
    });
  }

  it('should deliver data the server sent before the client subscribed, then complete', async () => {
    let serverDone!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket) => {
      serverDone = once(socket, 'finish');
      socket.end('sent before anyone listened\n');
    });
    const { channel, events, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    await serverDone;
    await settle();
    const chunks = await lastValueFrom(channel.data$.pipe(toArray()));
    expect(Buffer.concat(chunks).toString()).toBe('sent before anyone listened\n');
    await completed;
    expect(events.slice(-2).map((e) => e.type)).toEqual(['connected', 'closed']);
    expect(await firstValueFrom(channel.closed$)).toEqual({});
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it.each<[ChannelTranslation, string[], string[]]>([
    ['auto', ['one\r', '\ntwo\r', 'three\n', 'four\r\n', 'five\r', '\r\n', 'six'], ['one', 'two', 'three', 'four', 'five', '', 'six']],
    ['crlf', ['a\r', '\nb\nc\r', 'd\r\n', 'e\r', '\r\nlast\r'], ['a', 'b\nc\rd', 'e\r', 'last\r']],
    ['lf', ['a\r', '\nb\r', 'c\n', '\n', 'd'], ['a\r', 'b\rc', '', 'd']],
    ['binary', ['x\r\n', 'y', '\n'], ['x\r', 'y']],
  ])('should split %s line ends across chunks', async (translation, chunks, expected) => {
    let received = 0;
    server = await chunkServer(chunks, () => received);
    const { channel } = await openChannel('127.0.0.1', server.port, { translation }, opened);
    channel.data$.subscribe((c) => (received += c.length));
    expect(await lastValueFrom(channel.lines$.pipe(toArray()))).toEqual(expected);
    for (const s of opened) s.unsubscribe();
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should decode a UTF-8 character split across chunks', async () => {
    let received = 0;
    // "hé😀\n": é is c3 a9, 😀 is f0 9f 98 80.
    server = await chunkServer([bytes(0x68, 0xc3), bytes(0xa9, 0xf0, 0x9f), bytes(0x98), bytes(0x80, 0x0a)], () => received);
    const { channel } = await openChannel('127.0.0.1', server.port, {}, opened);
    channel.data$.subscribe((c) => (received += c.length));
    expect(await lastValueFrom(channel.lines$.pipe(toArray()))).toEqual(['hé😀']);
    for (const s of opened) s.unsubscribe();
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should read and write latin1', async () => {
    const got: Buffer[] = [];
    server = await startServer('127.0.0.1', (socket) => {
      socket.on('data', (c: Buffer) => got.push(c));
      socket.write(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]));
    });
    const { channel } = await openChannel('127.0.0.1', server.port, { encoding: 'iso8859-1' }, opened);
    channel.writeLine('naïve');
    expect(await firstValueFrom(channel.lines$)).toBe('café');
    await channel.close();
    await until(() => Buffer.concat(got).length === 7);
    expect([...Buffer.concat(got)]).toEqual([0x6e, 0x61, 0xef, 0x76, 0x65, 0x0d, 0x0a]);
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should half-close with end() and read the answer of a server that answers only after EOF', async () => {
    extra = createServer({ allowHalfOpen: true }, (socket: Socket) => {
      let n = 0;
      socket.on('data', (c: Buffer) => (n += c.length));
      socket.on('end', () => socket.end(`got ${n} bytes\n`));
    });
    extra.listen(0, '127.0.0.1');
    await once(extra, 'listening');
    const { channel, events, completed } = await openChannel('127.0.0.1', (extra.address() as AddressInfo).port, {}, opened);
    channel.write('hello');
    channel.end();
    expect(() => channel.write('more')).toThrow(ChannelClosedError);
    expect(await lastValueFrom(channel.lines$.pipe(toArray()))).toEqual(['got 5 bytes']);
    await completed;
    expect(events.at(-1)).toMatchObject({ type: 'closed' });
    expect(events.at(-1)).not.toHaveProperty('error');
    extra.close();
    await once(extra, 'close');
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should deliver an 8 MiB write followed by close() in full to a slow reader', async () => {
    const payload = Buffer.alloc(8 * MiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 16)) & 0xff;
    const got: Buffer[] = [];
    let ended!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket) => {
      // Slow: does not read at first, then takes one chunk per timer tick.
      socket.pause();
      ended = once(socket, 'end');
      socket.on('data', (c: Buffer) => {
        got.push(c);
        socket.pause();
        setTimeout(() => socket.resume(), 1);
      });
    });
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    expect(channel.write(payload)).toBe(false);
    const closing = channel.close();
    await settle();
    server.clients[0]!.resume();
    await closing;
    await ended;
    expect(Buffer.concat(got).equals(payload)).toBe(true);
    await completed;
    expect(closes).toEqual([{}]);
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should return false past the high-water mark and emit drain$ once the queue drains', async () => {
    let total = 0;
    server = await startServer('127.0.0.1', (socket) => {
      socket.pause();
      socket.on('data', (c: Buffer) => (total += c.length));
    });
    const { channel } = await openChannel('127.0.0.1', server.port, {}, opened);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    let accepted = true;
    while (accepted && written < 256 * MiB) {
      accepted = channel.write(chunk);
      written += chunk.length;
    }
    expect(accepted).toBe(false);
    expect(channel.bufferedAmount).toBeGreaterThan(0);
    const drained = firstValueFrom(channel.drain$);
    server.clients[0]!.resume();
    await drained;
    expect(channel.write(chunk)).toBe(true);
    written += chunk.length;
    await channel.close();
    await until(() => total === written, 'the server to read everything');
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should report a peer reset mid-stream on data$, closed$ and the connect stream, without crashing', async () => {
    server = await startServer('127.0.0.1', (socket) => socket.write('partial'));
    const { channel, events, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    const chunks: string[] = [];
    const failed = new Promise<unknown>((resolve) => channel.data$.subscribe({ next: (c) => chunks.push(Buffer.from(c).toString()), error: resolve, complete: () => resolve('completed') }));
    await until(() => chunks.join('') === 'partial');
    server.clients[0]!.resetAndDestroy();
    expect(await failed).toMatchObject({ code: 'ECONNRESET' });
    expect(((await firstValueFrom(channel.closed$)).error as { code?: string }).code).toBe('ECONNRESET');
    await completed;
    expect(events.at(-1)).toMatchObject({ type: 'closed', error: { code: 'ECONNRESET' } });
    expect(channel.snapshot.value.error).toBe('connection reset by peer');
    // Nothing was written, so nothing was lost: close() resolves; writing throws.
    await expect(channel.close()).resolves.toBeUndefined();
    expect(() => channel.write('x')).toThrow(ChannelClosedError);
    // A late data$ subscriber hears of the failure too.
    await expect(firstValueFrom(channel.data$)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should reject close() with a non-empty reason when the flush fails (peer reset)', async () => {
    server = await startServer('127.0.0.1', (socket) => socket.pause());
    const { channel, events, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    const chunk = Buffer.alloc(256 * 1024);
    while (channel.write(chunk)) {
      // Fill the peer's window and our queue.
    }
    const closing = channel.close();
    await settle();
    server.clients[0]!.resetAndDestroy();
    const reason = (await closing.then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(reason).toBeInstanceOf(Error);
    expect(reason.message).not.toBe('');
    expect(['ECONNRESET', 'EPIPE']).toContain(reason.code);
    await completed;
    expect(events.at(-1)).toMatchObject({ type: 'closed', error: { code: reason.code } });
    // Every later call gives the same answer.
    await expect(channel.close()).rejects.toBe(reason);
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should throw ChannelClosedError on writes after close() or end()', async () => {
    server = await startServer('127.0.0.1');
    const a = await openChannel('127.0.0.1', server.port, {}, opened);
    const b = await openChannel('127.0.0.1', server.port, {}, opened);
    const closing = a.channel.close();
    expect(() => a.channel.write('x')).toThrow(ChannelClosedError);
    expect(() => a.channel.writeLine('x')).toThrow(expect.objectContaining({ code: 'ERR_CHANNEL_CLOSED', message: 'channel was closed with close()' }) as Error);
    b.channel.end();
    expect(() => b.channel.write(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'ERR_CHANNEL_CLOSED', message: 'channel was ended with end()' }) as Error);
    // The server answers our EOF with its own; reading it lets the half-closed channel close.
    b.channel.data$.subscribe();
    await closing;
    expect(() => a.channel.write('x')).toThrow(ChannelClosedError);
    expect(() => a.channel.write(42 as never)).toThrow(TypeError);
    await server.stop();
    await a.completed;
    await b.completed;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should close() after end() without anyone reading', async () => {
    server = await startServer('127.0.0.1');
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    channel.writeLine('last words');
    channel.end();
    // The end() is flushed and the server's own EOF has come back (unread: nobody subscribed).
    await until(() => server!.clients[0]?.writableFinished === true, 'the server to end too');
    await settle();
    await expect(channel.close()).resolves.toBeUndefined();
    await completed;
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should pass noDelay and keepAlive from the connect options to the socket, and name both ends', async () => {
    server = await startServer('127.0.0.1');
    const plain = await openChannel('127.0.0.1', server.port, {}, opened);
    const tuned = await openChannel('127.0.0.1', server.port, { noDelay: true, keepAlive: true }, opened);
    expect([socketFlag(nodeSocketOf(plain.channel), 'kSetNoDelay'), socketFlag(nodeSocketOf(plain.channel), 'kSetKeepAlive')]).toEqual([false, false]);
    expect([socketFlag(nodeSocketOf(tuned.channel), 'kSetNoDelay'), socketFlag(nodeSocketOf(tuned.channel), 'kSetKeepAlive')]).toEqual([true, true]);
    const { sockname, peername } = tuned.channel;
    expect(peername).toEqual({ address: '127.0.0.1', host: '127.0.0.1', port: server.port });
    expect(sockname).toEqual({ address: '127.0.0.1', host: '127.0.0.1', port: server.clients[1]!.remotePort });
    expect(tuned.channel.snapshot.value).toEqual({ connecting: false, error: '', sockname, peername, inFlight: [] });
    await Promise.all([plain.channel.close(), tuned.channel.close()]);
    await server.stop();
    expect([plain.channel.closed, tuned.channel.closed]).toEqual([true, true]);
    expect(await settledTcpHandles()).toBe(0);
  });
});
