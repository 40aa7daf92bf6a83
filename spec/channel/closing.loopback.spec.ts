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
});
