import { firstValueFrom } from 'rxjs';
import { connect } from '../../src/index.js';
import { loopbackFixtures, refusedPort } from '../helpers/loopback.js';

describe('Channel socket names on loopback', () => {
  const net = loopbackFixtures();

  it.each([
    ['::1', 'reset'],
    ['::1', 'end'],
    ['127.0.0.1', 'reset'],
    ['127.0.0.1', 'end'],
  ] as const)('should still report the names of a %s channel after the peer closed it (%s)', async (host, how) => {
    // The server closes when the client first writes, so the close cannot race the connect.
    const server = await net.server(host, (socket) => socket.once('data', () => (how === 'reset' ? socket.resetAndDestroy() : socket.end())));
    const channel = await connect(host, server.port);
    channel.data$.subscribe({ error: () => undefined });
    channel.write('x');
    await firstValueFrom(channel.closed$);
    expect(channel.peername).toEqual({ address: host, host, port: server.port });
    expect(channel.sockname.address).toBe(host);
    expect(channel.sockname.port).toBeGreaterThan(0);
  });

  it.each(['close', 'destroy'] as const)('should keep the names read before %s(), and not read the local one afterwards', async (how) => {
    const server = await net.server('127.0.0.1');
    const read = await connect('127.0.0.1', server.port);
    const before = read.sockname;
    expect(before.port).toBeGreaterThan(0);
    const unread = await connect('127.0.0.1', server.port);
    for (const channel of [read, unread]) {
      if (how === 'close') await channel.close();
      else {
        channel.destroy();
        await firstValueFrom(channel.closed$);
      }
    }
    expect(read.sockname).toEqual(before);
    // Not read while open, and closed by its owner: unknown, as Node's localPort is after destroy().
    expect(unread.sockname).toEqual({ address: '', host: '', port: 0 });
    // The IPv4 peer is the address dialed: known without asking the kernel.
    expect(unread.peername).toEqual({ address: '127.0.0.1', host: '127.0.0.1', port: server.port });
  });

  it('should know the local name of a socket bound to an IPv4 address and port without reading it', async () => {
    const server = await net.server('127.0.0.1');
    const port = await refusedPort();
    const channel = await connect('127.0.0.1', server.port, { myaddr: '127.0.0.1', myport: port });
    await channel.close();
    expect(channel.sockname).toEqual({ address: '127.0.0.1', host: '127.0.0.1', port });
  });

  it('should keep the local name when the owner closes at the peer\'s EOF (the peer still closed first)', async () => {
    const server = await net.server('127.0.0.1', (socket) => socket.end('hi\n'));
    const channel = await connect('127.0.0.1', server.port);
    // close() from data$'s complete races Node's own destroy after the EOF, and wins it.
    channel.data$.subscribe({ complete: () => void channel.close() });
    await firstValueFrom(channel.closed$);
    expect(channel.sockname.address).toBe('127.0.0.1');
    expect(channel.sockname.port).toBeGreaterThan(0);
  });

  it('should report the address the kernel connected to when 0.0.0.0 was dialed', async () => {
    const server = await net.server('127.0.0.1');
    const channel = await connect('0.0.0.0', server.port);
    expect(channel.peername.address).toBe('127.0.0.1');
    await channel.close();
  });
});
