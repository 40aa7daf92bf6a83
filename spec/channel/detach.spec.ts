import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { Channel, ChannelClosedError } from '../../src/index.js';
import type { NetSocket, TransportSocket } from '../../src/index.js';
import { scriptedSocket } from '../helpers/scriptedSocket.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';

const REMOTE = { address: '127.0.0.1', family: 4 as const, port: 7 };

/** A transport socket that can be handed over: `unshifted` records what the channel put back, in order. */
function handOverable(): { socket: TransportSocket; unshifted: string[]; detached: () => boolean } {
  const unshifted: string[] = [];
  let detached = false;
  const platform = { unshift: (chunk: Uint8Array) => unshifted.unshift(Buffer.from(chunk).toString()) } as unknown as NetSocket;
  const socket = scriptedSocket(NO_EVENTS, REMOTE, undefined, () => undefined);
  return {
    socket: Object.assign(socket, {
      detach: () => {
        detached = true;
        return platform;
      },
    }),
    unshifted,
    detached: () => detached,
  };
}

describe('Channel.detach()', () => {
  it('should put the bytes nobody took back into the socket, in order, and close as detached', async () => {
    const { socket, unshifted, detached } = handOverable();
    const channel = new Channel(socket);
    const first = firstValueFrom(channel.data$.pipe(take(1)));
    socket.events.data(Buffer.from('one'));
    expect(Buffer.from(await first).toString()).toBe('one');
    // Nobody reads now: these wait in the channel.
    socket.events.data(Buffer.from('two'));
    socket.events.data(Buffer.from('three'));
    const closed = firstValueFrom(channel.closed$);
    channel.detach();
    expect(detached()).toBe(true);
    expect(unshifted).toEqual(['two', 'three']);
    expect(await closed).toEqual({ detached: true });
    expect(channel.closed).toBe(true);
    expect(await lastValueFrom(channel.data$.pipe(toArray()))).toEqual([]);
    expect(() => channel.write('x')).toThrow(ChannelClosedError);
  });

  it('should refuse, naming why, a closed channel, one whose lines$ was read, and a transport that cannot hand over', () => {
    const closing = new Channel(handOverable().socket);
    void closing.close();
    expect(() => closing.detach()).toThrow('cannot detach: channel is closed');
    const destroyed = new Channel(handOverable().socket);
    destroyed.destroy();
    expect(() => destroyed.detach()).toThrow('cannot detach: channel is closed');
    const lines = new Channel(handOverable().socket);
    lines.lines$.subscribe();
    expect(() => lines.detach()).toThrow('cannot detach: lines$ was read');
    const plain = new Channel(scriptedSocket(NO_EVENTS, REMOTE, undefined, () => undefined));
    expect(() => plain.detach()).toThrow("cannot detach: the channel's transport cannot hand sockets over");
    // A refused detach leaves the channel as it was.
    expect(plain.closed).toBe(false);
    expect(plain.write('still writable')).toBe(true);
  });
});
