import { Channel } from '../../src/channel/Channel.js';
import type { ChannelClose } from '../../src/channel/Channel.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { SocketEvents, TransportSocket } from '../../src/transport/Transport.js';

type Done = (error?: Error | null) => void;

const reset = (): Error => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

/**
 * A socket whose OS takes every write at once, and whose peer resets the connection during the half-close, after
 * the last byte was handed over: the error and the close come, then the flush's callback with the error (Node's
 * order when a reset ends the shutdown).
 */
class ResetOnEndSocket implements TransportSocket {
  events: SocketEvents = NO_EVENTS;
  readonly localAddress = { address: '127.0.0.1', family: 4 as const, port: 1 };
  readonly remoteAddress = { address: '127.0.0.1', family: 4 as const, port: 2 };
  readonly writableLength = 0;
  readonly writableHighWaterMark = 16384;

  write(_chunk: Uint8Array, done?: Done): boolean {
    queueMicrotask(() => done?.(null));
    return true;
  }

  end(done?: Done): void {
    setImmediate(() => {
      const error = reset();
      this.events.error(error);
      this.events.close();
      done?.(error);
    });
  }

  destroy(): void {}

  pause(): void {}

  resume(): void {}
}

describe('Channel.close() when a failure loses no written byte', () => {
  it('should resolve, and report the reset on closed$ without an unsent count, when the peer resets after every write was handed over', async () => {
    const channel = new Channel(new ResetOnEndSocket());
    const closes: ChannelClose[] = [];
    channel.closed$.subscribe((c) => closes.push(c));
    channel.write('all of it');
    await new Promise((r) => setImmediate(r));
    await expect(channel.close()).resolves.toBeUndefined();
    expect(closes).toHaveLength(1);
    expect(closes[0]?.error).toMatchObject({ code: 'ECONNRESET', message: 'connection reset by peer' });
    expect(closes[0]?.unsent).toBeUndefined();
  });
});
