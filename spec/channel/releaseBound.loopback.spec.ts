import { once } from 'node:events';
import type { Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import type { Subscription } from 'rxjs';
import { loopbackFixtures } from '../helpers/loopback.js';
import { openChannel, until } from './support.js';

const MiB = 1024 * 1024;

/** A peer that reads at most `perTick` bytes every 10 ms, up to `limit` bytes, then nothing until told to resume. */
type SlowPeer = { received: number; socket: Socket | undefined; timer: NodeJS.Timeout | undefined };

function readSlowly(peer: SlowPeer, perTick: number, limit: number): (socket: Socket) => void {
  return (socket) => {
    peer.socket = socket;
    socket.pause();
    peer.timer = setInterval(() => {
      let chunk: Buffer | null;
      let n = 0;
      while (n < perTick && peer.received + n < limit && (chunk = socket.read() as Buffer | null) !== null) n += chunk.length;
      peer.received += n;
    }, 10);
  };
}

describe('Channel.release() bound over TCP (loopback)', () => {
  const peer: SlowPeer = { received: 0, socket: undefined, timer: undefined };
  let opened: Subscription[] = [];
  const fixtures = loopbackFixtures({
    afterStop: () => {
      clearInterval(peer.timer);
      opened.forEach((s) => s.unsubscribe());
    },
  });
  afterEach(() => {
    opened = [];
    Object.assign(peer, { received: 0, socket: undefined, timer: undefined });
  });

  it('should not cut a flush whose one big write the peer is reading steadily: progress is counted in bytes', async () => {
    const server = await fixtures.server('127.0.0.1', readSlowly(peer, 128 * 1024, Infinity));
    const { channel } = await openChannel('127.0.0.1', server.port, {}, opened);
    const size = 16 * MiB;
    channel.write(new Uint8Array(size));
    // The kernel wakes a writer only once a third of its send buffer (up to 4 MiB) is free: a period well above
    // the time the peer takes to read that much.
    channel.release(500);
    const closed = await firstValueFrom(channel.closed$);
    expect(closed).toEqual({});
    await until(() => peer.received === size, 'the peer to read every byte');
    expect(peer.received).toBe(size);
  }, 30_000);

  it('should report as unsent, in bytes, exactly what the OS never got when the bound cuts a stalled flush', async () => {
    const server = await fixtures.server('127.0.0.1', readSlowly(peer, 64 * 1024, MiB));
    const { channel } = await openChannel('127.0.0.1', server.port, {}, opened);
    const size = 8 * MiB;
    channel.write(new Uint8Array(size));
    channel.release(200);
    const closed = await firstValueFrom(channel.closed$);
    expect(closed.error).toMatchObject({ code: 'ETIMEDOUT' });
    const unsent = closed.unsent as number;
    expect(unsent).toBeGreaterThan(0);
    expect(unsent).toBeLessThan(size);
    // The rest reached the OS: the peer reads it all before the EOF.
    clearInterval(peer.timer);
    const socket = peer.socket as Socket;
    let rest = 0;
    socket.on('data', (c: Buffer) => (rest += c.length));
    socket.resume();
    await once(socket, 'end');
    expect(peer.received + rest + unsent).toBe(size);
  }, 30_000);
});
