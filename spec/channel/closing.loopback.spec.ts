import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { Subscription } from 'rxjs';
import type { Channel, ChannelClose } from '../../src/index.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { openChannel, settle } from './support.js';

const MiB = 1024 * 1024;

/** What a rejected Promise rejected with (undefined if it resolved). */
const reasonOf = (promise: Promise<unknown>): Promise<(Error & { code?: string; unsent?: number }) | undefined> =>
  promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );

/** A server whose clients are paused at first; counts the bytes each client sent. */
async function pausedServer(received: number[]): Promise<TestServer> {
  return startServer('127.0.0.1', (socket: Socket) => {
    const i = received.push(0) - 1;
    socket.pause();
    socket.on('data', (c: Buffer) => (received[i] = (received[i] as number) + c.length));
  });
}

/** Writes `total` bytes in 64 KiB chunks, whatever write() returns (the queue holds what the OS does not take). */
function writeMuch(channel: Channel, total: number): number {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  while (written < total) {
    channel.write(chunk);
    written += chunk.length;
  }
  return written;
}

describe('Channel closing (loopback)', () => {
  let server: TestServer | undefined;
  let opened: Subscription[] = [];

  afterEach(async () => {
    for (const s of opened) s.unsubscribe();
    opened = [];
    await server?.stop();
    server = undefined;
  });

  it('should reject close() with the unsent byte count when destroy() cuts its flush short, and say so on closed$', async () => {
    const received: number[] = [];
    server = await pausedServer(received);
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    const written = writeMuch(channel, 32 * MiB);
    const closing = channel.close();
    await settle();
    channel.destroy();
    const reason = await reasonOf(closing);
    expect(reason).toBeInstanceOf(Error);
    expect(reason).toMatchObject({ code: 'ECANCELED' });
    const unsent = reason?.unsent as number;
    expect(unsent).toBeGreaterThan(0);
    expect(unsent).toBeLessThanOrEqual(written);
    expect(reason?.message).toBe(`operation canceled (${unsent} bytes unsent)`);
    expect(closes).toEqual([{ error: reason, unsent }]);
    // Every byte is accounted for: the peer reads what the OS got, and the rest is the unsent count.
    const client = server.clients[0] as Socket;
    const ended = once(client, 'end');
    client.resume();
    await ended;
    expect(received[0]).toBeLessThanOrEqual(written);
    expect((received[0] as number) + unsent).toBeGreaterThanOrEqual(written);
    await completed;
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should word a peer reset as Tcl does on data$, closed$ and close(), with the code, the unsent count and the Node error as cause', async () => {
    server = await pausedServer([]);
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    let readError: (Error & { code?: string }) | undefined;
    channel.data$.subscribe({ error: (e: Error) => (readError = e) });
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    writeMuch(channel, 32 * MiB);
    const closing = channel.close();
    await settle();
    (server.clients[0] as Socket).resetAndDestroy();
    const reason = await reasonOf(closing);
    const code = reason?.code as string;
    expect(['ECONNRESET', 'EPIPE']).toContain(code);
    const text = code === 'ECONNRESET' ? 'connection reset by peer' : 'broken pipe';
    const unsent = reason?.unsent as number;
    expect(unsent).toBeGreaterThan(0);
    expect(reason?.message).toBe(`${text} (${unsent} bytes unsent)`);
    // Node's own error, worded as Node words it ('read ECONNRESET', 'write EPIPE'), is the cause.
    expect(reason?.cause).toMatchObject({ code });
    expect((reason?.cause as Error).message).toMatch(new RegExp(`^(read|write) ${code}$`));
    expect(readError).toMatchObject({ code, message: text, cause: reason?.cause });
    expect(closes).toEqual([{ error: reason, unsent }]);
    await completed;
  });

  it('should close() when an await using block ends (Symbol.asyncDispose): what was written is flushed first', async () => {
    let got = '';
    let ended!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket: Socket) => {
      ended = once(socket, 'end');
      socket.on('data', (c: Buffer) => (got += c.toString()));
    });
    const { channel: opened1, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    let used: Channel | undefined;
    {
      await using channel = opened1;
      used = channel;
      channel.writeLine('last words');
      expect(channel.closed).toBe(false);
    }
    expect(used.closed).toBe(true);
    await ended;
    expect(got).toBe('last words\r\n');
    await completed;
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should flush all 8 MiB queued when its owner releases it, then close without an error', async () => {
    const payload = Buffer.alloc(8 * MiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 16)) & 0xff;
    const got: Buffer[] = [];
    let ended!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket: Socket) => {
      socket.pause();
      ended = once(socket, 'end');
      socket.on('data', (c: Buffer) => got.push(c));
    });
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    expect(channel.write(payload)).toBe(false);
    channel.release();
    expect(() => channel.write('late')).toThrow(expect.objectContaining({ code: 'ERR_CHANNEL_CLOSED' }) as Error);
    // The peer reads only now, long after the release.
    await settle(100);
    expect(channel.closed).toBe(false);
    (server.clients[0] as Socket).resume();
    await ended;
    expect(Buffer.concat(got).equals(payload)).toBe(true);
    await completed;
    expect(closes).toEqual([{}]);
    await server.stop();
    expect(await settledTcpHandles()).toBe(0);
  });
});
