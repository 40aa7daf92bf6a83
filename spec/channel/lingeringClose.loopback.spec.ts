import { once } from 'node:events';
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { firstValueFrom, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { ChannelClose } from '../../src/index.js';
import { loopbackFixtures } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { openChannel, settle, until } from './support.js';

const SIZE = 8 * 1024 * 1024;

/**
 * A peer that greets each client with 64 KiB the client never reads, then reads (and counts) what the client
 * sends, and closes at the client's EOF. Closing a socket with unread bytes in its receive buffer resets the
 * connection on Linux and discards the send queue, so the client must read the greeting away before it lets go.
 */
async function greetingServer(fixtures: ReturnType<typeof loopbackFixtures>, received: number[], closed: Promise<unknown>[]): Promise<TestServer> {
  return fixtures.server('127.0.0.1', (socket: Socket) => {
    const i = received.push(0) - 1;
    closed.push(once(socket, 'close'));
    socket.write(Buffer.alloc(64 * 1024, 0x62));
    socket.on('data', (c: Buffer) => (received[i] = (received[i] as number) + c.length));
  });
}

describe('Channel lingering close (loopback)', () => {
  const fixtures = loopbackFixtures({ afterStop: () => opened.forEach((s) => s.unsubscribe()) });
  let opened: Subscription[] = [];
  afterEach(() => (opened = []));

  it('should deliver every written byte after close() although the peer sent data that was never read', async () => {
    const received: number[] = [];
    const peerClosed: Promise<unknown>[] = [];
    const server = await greetingServer(fixtures, received, peerClosed);
    const { channel, completed } = await openChannel('127.0.0.1', server.port, {}, opened);
    await settle(50);
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    channel.write(new Uint8Array(SIZE));
    await channel.close();
    expect(closes).toEqual([{}]);
    await peerClosed[0];
    expect(received[0]).toBe(SIZE);
    await completed;
  });

  it('should deliver every written byte after an unsubscribe (release) although the peer sent data that was never read', async () => {
    const received: number[] = [];
    const peerClosed: Promise<unknown>[] = [];
    const server = await greetingServer(fixtures, received, peerClosed);
    const { channel, subscription } = await openChannel('127.0.0.1', server.port, {}, opened);
    await settle(50);
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    channel.write(new Uint8Array(SIZE));
    subscription.unsubscribe();
    await peerClosed[0];
    expect(received[0]).toBe(SIZE);
    await firstValueFrom(channel.closed$);
    expect(closes).toEqual([{}]);
  });

  describe('with a peer that never sends its EOF', () => {
    let halfOpen: Server | undefined;
    let peers: Socket[] = [];
    afterEach(async () => {
      for (const p of peers) p.destroy();
      peers = [];
      halfOpen?.close();
      if (halfOpen !== undefined) await once(halfOpen, 'close');
      halfOpen = undefined;
    });

    it('should close only at the release bound on its scheduler, then destroy the socket; close() resolves', async () => {
      let got = '';
      const peerEnded: Promise<unknown>[] = [];
      halfOpen = createServer({ allowHalfOpen: true }, (socket) => {
        peers.push(socket);
        socket.on('error', () => undefined);
        peerEnded.push(once(socket, 'end'));
        socket.on('data', (c: Buffer) => (got += c.toString()));
      });
      halfOpen.listen(0, '127.0.0.1');
      await once(halfOpen, 'listening');
      const port = (halfOpen.address() as AddressInfo).port;
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { channel } = await openChannel('127.0.0.1', port, { scheduler }, opened);
      scheduler.flush();
      const closes: ChannelClose[] = [];
      channel.closed$.subscribe((c) => closes.push(c));
      channel.writeLine('bye');
      let settled = false;
      const closing = channel.close().then(() => (settled = true));
      await until(() => peerEnded.length === 1);
      await peerEnded[0];
      expect(got).toBe('bye\r\n');
      // Flushed and half-closed; the peer is still open, so the socket lingers.
      await settle(50);
      expect(closes).toEqual([]);
      expect(settled).toBe(false);
      scheduler.flush();
      await closing;
      expect(closes).toEqual([{}]);
      expect(channel.closed).toBe(true);
    });

    it('should stop lingering after a bounded amount of discarded input when the peer keeps sending', async () => {
      let streaming = true;
      halfOpen = createServer({ allowHalfOpen: true }, (socket) => {
        peers.push(socket);
        socket.on('error', () => undefined);
        socket.resume();
        const chunk = Buffer.alloc(64 * 1024, 0x78);
        const pump = (): void => {
          while (streaming && !socket.destroyed && socket.write(chunk));
          if (streaming && !socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
      halfOpen.listen(0, '127.0.0.1');
      await once(halfOpen, 'listening');
      const port = (halfOpen.address() as AddressInfo).port;
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { channel } = await openChannel('127.0.0.1', port, { scheduler }, opened);
      scheduler.flush();
      channel.writeLine('bye');
      // No virtual time passes, so the release bound never fires: only the bound on discarded input ends this.
      await channel.close();
      streaming = false;
      expect(channel.closed).toBe(true);
    });

    it('should close at once when the channel never wrote: a reset could lose nothing of its own', async () => {
      const peerEnded: Promise<unknown>[] = [];
      halfOpen = createServer({ allowHalfOpen: true }, (socket) => {
        peers.push(socket);
        socket.on('error', () => undefined);
        peerEnded.push(once(socket, 'end'));
        socket.write('hello, unread\r\n');
      });
      halfOpen.listen(0, '127.0.0.1');
      await once(halfOpen, 'listening');
      const port = (halfOpen.address() as AddressInfo).port;
      const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
      const { channel } = await openChannel('127.0.0.1', port, { scheduler }, opened);
      scheduler.flush();
      await settle(20);
      // No virtual time passes: the release bound never fires, so only a close that does not linger ends.
      await channel.close();
      expect(channel.closed).toBe(true);
      await until(() => peerEnded.length === 1);
      await peerEnded[0];
    });
  });
});
