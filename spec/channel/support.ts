import type { Subscription } from 'rxjs';
import { connectAsync$ } from '../../src/index.js';
import type { Channel, ConnectEvent, ConnectOptions } from '../../src/index.js';

/** A client connection held open by its subscription, with the connect stream's events. */
export type OpenChannel = {
  readonly channel: Channel;
  readonly events: ConnectEvent[];
  /** Resolves when the connect stream completes. */
  readonly completed: Promise<void>;
  readonly subscription: Subscription;
};

/** Connects and resolves on `connected`, keeping the connect subscribed (unsubscribing would close the channel). */
export function openChannel(host: string, port: number, options: ConnectOptions = {}, opened: Subscription[] = []): Promise<OpenChannel> {
  return new Promise((resolve, reject) => {
    const events: ConnectEvent[] = [];
    let complete!: () => void;
    const completed = new Promise<void>((r) => (complete = r));
    const subscription = connectAsync$(host, port, options).subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'connected') resolve({ channel: e.channel, events, completed, subscription });
        if (e.type === 'failed') reject(e.error);
      },
      error: reject,
      complete: () => complete(),
    });
    opened.push(subscription);
  });
}

/** Resolves once `check` is true, polling each turn of the event loop; rejects after 10 s. */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  // A bound in time, not in turns of the event loop: a fast machine turns it 100,000 times in well under the
  // second a slow reader may need.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Lets the event loop run for a while (for data to travel over loopback). */
export function settle(ms = 30): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The internal node:net socket behind a channel (white-box checks only). */
export function nodeSocketOf(channel: Channel): object {
  return Reflect.get(Reflect.get(channel, 'socket') as object, 'socket') as object;
}

/** A node:net socket's flag by the name of its internal symbol (`kSetNoDelay`, `kSetKeepAlive`). */
export function socketFlag(socket: object, name: string): unknown {
  const symbol = Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
  return symbol === undefined ? undefined : Reflect.get(socket, symbol);
}

export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
