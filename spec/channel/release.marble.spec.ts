import { map } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { Channel } from '../../src/channel/Channel.js';
import type { ChannelClose } from '../../src/channel/Channel.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { SocketEvents, TransportSocket } from '../../src/transport/Transport.js';
import { newScheduler } from '../helpers/events.js';

type Done = (error?: Error | null) => void;

/** A connected socket whose OS takes a queued write only when the spec says so (`take()`). */
class HeldSocket implements TransportSocket {
  events: SocketEvents = NO_EVENTS;
  readonly localAddress = { address: '127.0.0.1', family: 4 as const, port: 1 };
  readonly remoteAddress = { address: '127.0.0.1', family: 4 as const, port: 2 };
  readonly writableHighWaterMark = 16384;
  private queue: { readonly length: number; readonly done: Done | undefined }[] = [];
  private endDone: Done | undefined;
  private closed = false;

  get writableLength(): number {
    return this.queue.reduce((sum, w) => sum + w.length, 0);
  }

  write(chunk: Uint8Array, done?: Done): boolean {
    this.queue.push({ length: chunk.byteLength, done });
    return false;
  }

  /** The OS takes the oldest queued write; once none is left, a waiting end() is done. */
  take(): void {
    this.queue.shift()?.done?.(null);
    this.finishIfFlushed();
  }

  end(done?: Done): void {
    this.endDone = done;
    this.finishIfFlushed();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    // As Node: a write cancelled by destroy() is reported as done.
    for (const w of this.queue) w.done?.(null);
    this.queue = [];
    this.events.close();
    this.endDone?.(null);
  }

  pause(): void {}

  resume(): void {}

  private finishIfFlushed(): void {
    const done = this.endDone;
    if (done === undefined || this.queue.length > 0) return;
    this.endDone = undefined;
    done(null);
  }
}

/** closed$'s value as plain data. */
const described = (c: ChannelClose): object => {
  const e = c.error as (Error & { code?: string }) | undefined;
  return e === undefined ? c : { code: e.code, message: e.message, unsent: c.unsent };
};

function heldChannel(scheduler: SchedulerLike): { socket: HeldSocket; channel: Channel } {
  const socket = new HeldSocket();
  const channel = new Channel(socket, { scheduler });
  for (const n of [3, 5, 7]) channel.write(new Uint8Array(n));
  return { socket, channel };
}

describe('Channel.release() in virtual time (its owner lets go)', () => {
  it('should end a flush in which no write completed for a whole check period, and report the unsent bytes with ETIMEDOUT', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { socket, channel } = heldChannel(scheduler);
      channel.release(100);
      // One write completes in the first period, none in the second: the check at 200 ms ends the flush.
      scheduler.schedule(() => socket.take(), 50);
      const closed$ = channel.closed$.pipe(map(described));
      expectObservable(closed$).toBe('200ms (c|)', { c: { code: 'ETIMEDOUT', message: 'connection timed out (12 bytes unsent)', unsent: 12 } });
    });
  });

  it('should let a flush that keeps going finish, then close without an error', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { socket, channel } = heldChannel(scheduler);
      channel.release(100);
      for (const t of [90, 180, 270]) scheduler.schedule(() => socket.take(), t);
      expectObservable(channel.closed$).toBe('270ms (c|)', { c: {} });
    });
  });

  it('should close at once when nothing is queued, and do nothing once closed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const channel = new Channel(new HeldSocket(), { scheduler });
      channel.release(100);
      expect(channel.closed).toBe(true);
      channel.release(100);
      expectObservable(channel.closed$).toBe('(c|)', { c: {} });
    });
  });

  it('should refuse writes once released', () => {
    const { channel } = heldChannel(newScheduler());
    channel.release();
    expect(() => channel.write('late')).toThrow(expect.objectContaining({ code: 'ERR_CHANNEL_CLOSED' }) as Error);
    channel.destroy();
    expect(channel.closed).toBe(true);
  });
});
