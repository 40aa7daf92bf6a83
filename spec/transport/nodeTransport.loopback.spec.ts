import { setTimeout as sleep } from 'node:timers/promises';
import { nodeTransport } from '../../src/transport/nodeTransport.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { TransportSocket } from '../../src/transport/Transport.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';

// NodeSocket listens for 'end' only from its first resume(): a paused socket reads nothing, so it cannot see the
// peer's EOF before then. These pin that assumption about node:net down, for dialed sockets.

describe('nodeTransport sockets and the peer\'s EOF (loopback)', () => {
  let server: TestServer | undefined;
  let socket: TransportSocket | undefined;

  afterEach(async () => {
    socket?.destroy();
    await server?.stop();
    server = undefined;
    socket = undefined;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should report no end while paused, and the bytes and the end once resumed', async () => {
    // The server sends a line and its FIN at once.
    server = await startServer('127.0.0.1', (peer) => peer.end('hello\n'));
    const seen: string[] = [];
    const connectedNow = new Promise<void>((resolve, reject) => {
      socket = nodeTransport.dial(
        { remote: { address: '127.0.0.1', family: 4, port: (server as TestServer).port } },
        {
          ...NO_EVENTS,
          connect: () => resolve(),
          error: (error) => reject(error),
          data: (chunk) => seen.push(`data ${Buffer.from(chunk).toString()}`),
          end: () => seen.push('end'),
          close: () => seen.push('close'),
        },
      );
    });
    await connectedNow;
    // Long enough for the bytes and the FIN to arrive on loopback many times over.
    await sleep(100);
    expect(seen).toEqual([]);
    const ended = new Promise<void>((resolve) => {
      const events = (socket as TransportSocket).events;
      (socket as TransportSocket).events = { ...events, end: () => { events.end(); resolve(); } };
    });
    (socket as TransportSocket).resume();
    await ended;
    expect(seen).toEqual(['data hello\n', 'end']);
  });
});
