import { firstValueFrom } from 'rxjs';
import { connect, ConnectError, InvalidArgumentError } from '../../src/index.js';
import { fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';

describe('connect (the Promise form)', () => {
  const net = loopbackFixtures();

  it('should resolve with a channel that stays open until closed', async () => {
    const server = await net.server('127.0.0.1', (socket) => socket.on('data', (d) => socket.write(`echo ${d.toString()}`)));
    const channel = await connect('127.0.0.1', server.port);
    channel.writeLine('HELO');
    expect(await firstValueFrom(channel.lines$)).toBe('echo HELO');
    // Still open after the first read: a linear program can go on.
    channel.writeLine('AGAIN');
    expect(await firstValueFrom(channel.lines$)).toBe('echo AGAIN');
    expect(channel.closed).toBe(false);
    await channel.close();
    expect(channel.closed).toBe(true);
  });

  it('should reject with the ConnectError of a failed connect', async () => {
    const port = await refusedPort();
    const error = await connect('127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe('ECONNREFUSED');
  });

  it('should reject with ETIMEDOUT at the timeout on a hanging address', async () => {
    const hole = await net.blackhole(6);
    const error = await connect('h.test', hole.port, { lookup: fixedLookup([{ address: '::1', family: 6 }]), timeout: 200 }).catch((e: unknown) => e);
    expect((error as ConnectError).code).toBe('ETIMEDOUT');
  });

  it('should throw at once for bad input, before any Promise', () => {
    expect(() => connect('', 80)).toThrow(InvalidArgumentError);
    expect(() => connect('localhost', 80, { timeout: -1 })).toThrow(/^timeout: /);
  });
});
