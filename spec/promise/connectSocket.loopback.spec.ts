import { once } from 'node:events';
import { request } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { TLSSocket } from 'node:tls';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { ChannelClosedError, connect, connectAsync$, ConnectError, connectSocket } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { label } from '../helpers/events.js';
import { fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';

/** The names of rxconnect's socket listeners (the transport's and the TLS handshake's). */
const OURS = new Set(['onConnect', 'onError', 'onClose', 'onData', 'onEnd', 'onDrain', 'onFinish', 'onSecure']);

/** rxconnect's listeners still on `socket`, as `event:name`: none after a handover. */
function ourListeners(socket: NodeJS.EventEmitter): string[] {
  return socket.eventNames().flatMap((event) => socket.listeners(event).filter((l) => OURS.has(l.name)).map((l) => `${String(event)}:${l.name}`));
}

describe('connectSocket and channel.detach() on loopback', () => {
  const httpServers: Server[] = [];
  const net = loopbackFixtures({
    afterStop: async () => {
      for (const server of httpServers.splice(0)) {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      }
    },
  });
  const certs = testCertificates();

  it('should hand over a connected socket that is not paused, has nothing read and none of rxconnect\'s listeners', async () => {
    const server = await net.server('127.0.0.1', (peer) => peer.end('hello\n'));
    const socket = await connectSocket('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]) });
    expect(ourListeners(socket)).toEqual([]);
    expect(socket.readableFlowing).toBeNull();
    expect(socket.remotePort).toBe(server.port);
    // A 'data' listener starts the flow as on any fresh socket; the first bytes are all there.
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    await once(socket, 'end');
    expect(text).toBe('hello\n');
    socket.destroy();
  });

  it('should serve node:http as its createConnection', async () => {
    const server = createServer((req, res) => res.end(`got ${req.url ?? ''}`));
    httpServers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const socket = await connectSocket('127.0.0.1', port);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/x', agent: false, createConnection: () => socket }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('got /x');
    socket.destroy();
  });

  it('should hand over a TLS socket whose handshake has finished', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const socket = await connectSocket('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca } });
    expect(socket).toBeInstanceOf(TLSSocket);
    expect((socket as TLSSocket).authorized).toBe(true);
    expect(ourListeners(socket)).toEqual([]);
    socket.write('ping');
    const [echo] = (await once(socket, 'data')) as [Buffer];
    expect(echo.toString()).toBe('ping');
    socket.destroy();
  });

  it('should reject with the ConnectError of a failed connect, and of a handshake cut by the timeout', async () => {
    const port = await refusedPort();
    await expect(connectSocket('127.0.0.1', port)).rejects.toMatchObject({ name: 'ConnectError', code: 'ECONNREFUSED' });
    const silent = await net.server('127.0.0.1', () => undefined);
    const error = await connectSocket('127.0.0.1', silent.port, { tls: true, timeout: 200 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', handshake: true });
  });

  it('should send what was written before the handover once, then what the new owner writes', async () => {
    const received: Buffer[] = [];
    const server = await net.server('127.0.0.1', (peer) => {
      peer.on('data', (chunk: Buffer) => received.push(chunk));
    });
    const channel = await connect('127.0.0.1', server.port);
    channel.write('one,');
    channel.write(new Uint8Array(100_000).fill(120));
    const socket = channel.detach();
    expect(() => channel.write('late')).toThrow(ChannelClosedError);
    socket.end('two');
    await once(socket, 'finish');
    const peer = server.clients[0];
    if (peer !== undefined && !peer.readableEnded) await once(peer, 'end');
    const text = Buffer.concat(received).toString('latin1');
    expect(text).toBe(`one,${'x'.repeat(100_000)}two`);
    socket.destroy();
  });

  it('should end the connect\'s stream with closed (detached), and close nothing', async () => {
    const server = await net.server('127.0.0.1', (peer) => peer.write('still open\n'));
    let socket: Awaited<ReturnType<typeof connectSocket>> | undefined;
    const events = await lastValueFrom(
      connectAsync$('127.0.0.1', server.port).pipe(
        tap((e) => {
          if (e.type === 'connected') socket = e.channel.detach();
        }),
        toArray(),
      ),
    );
    expect(events.map(label).slice(-2)).toEqual(['connected 0 127.0.0.1', 'closed']);
    expect(events.at(-1)).toMatchObject({ type: 'closed', detached: true });
    if (socket === undefined) throw new Error('not connected');
    const [line] = (await once(socket, 'data')) as [Buffer];
    expect(line.toString()).toBe('still open\n');
    socket.destroy();
  });
});
