import { firstValueFrom } from 'rxjs';
import { connect } from '../../src/index.js';
import { loopbackFixtures } from '../helpers/loopback.js';

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

  it('should report the address the kernel connected to when 0.0.0.0 was dialed', async () => {
    const server = await net.server('127.0.0.1');
    const channel = await connect('0.0.0.0', server.port);
    expect(channel.peername.address).toBe('127.0.0.1');
    await channel.close();
  });
});
