import { Channel } from '../../src/channel/Channel.js';
import { ConnectError } from '../../src/errors/ConnectError.js';
import type { ConnectEvent, SocketAddress } from '../../src/index.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { SocketEvents, TransportSocket } from '../../src/transport/Transport.js';
import { label } from './events.js';

// Hand-made ConnectEvents for marble specs of the operators (cold/hot sources), and a channel that records writes.

export const V6: SocketAddress = { address: '2001:db8::1', family: 6, port: 80 };
export const V4: SocketAddress = { address: '192.0.2.1', family: 4, port: 80 };
export const LOCAL6: SocketAddress = { address: '2001:db8::99', family: 6, port: 50000 };

/** A TransportSocket that records what is written and closes when told to. */
export class RecordingSocket implements TransportSocket {
  events: SocketEvents = NO_EVENTS;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly writableLength: number = 0;
  readonly writableHighWaterMark: number = 16384;
  readonly written: Uint8Array[] = [];
  destroyed: boolean = false;
  /** Called on every write, with the bytes. */
  onWrite: ((chunk: Uint8Array) => void) | undefined;

  constructor(local: SocketAddress = LOCAL6, remote: SocketAddress = V6) {
    this.localAddress = local;
    this.remoteAddress = remote;
  }

  write(chunk: Uint8Array, done?: (error?: Error | null) => void): boolean {
    this.written.push(Uint8Array.from(chunk));
    this.onWrite?.(chunk);
    done?.(null);
    return true;
  }

  end(done?: (error?: Error | null) => void): void {
    done?.(null);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.events.close();
  }

  pause(): void {}
  resume(): void {}

  /** What was written, decoded as latin1 (byte for byte). */
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** A real Channel over a {@link RecordingSocket}. */
export function recordingChannel(options: { encoding?: 'utf-8' | 'latin1'; local?: SocketAddress; remote?: SocketAddress } = {}): { channel: Channel; socket: RecordingSocket } {
  const socket = new RecordingSocket(options.local, options.remote);
  const channel = new Channel(socket, options.encoding === undefined ? {} : { encoding: options.encoding });
  return { channel, socket };
}

export function refused(address: SocketAddress, duration: number): ConnectError {
  return ConnectError.forAttempt(address, duration, Object.assign(new Error(`connect ECONNREFUSED ${address.address}:${address.port}`), { code: 'ECONNREFUSED' }));
}

/** Event builders: the `elapsed` given is what the (pretend) source reports. */
export const ev = {
  resolved: (elapsed: number, ...addresses: SocketAddress[]): ConnectEvent => ({
    type: 'resolved', elapsed, host: 'h.test', port: 80, family: addresses[0]?.family ?? 0, addresses,
  }),
  attempt: (elapsed: number, attempt: number, address: SocketAddress): ConnectEvent => ({ type: 'attempt', elapsed, attempt, address }),
  attemptFailed: (elapsed: number, attempt: number, address: SocketAddress, error: ConnectError = refused(address, elapsed)): ConnectEvent => ({
    type: 'attemptFailed', elapsed, attempt, address, error,
  }),
  attemptCancelled: (elapsed: number, attempt: number, address: SocketAddress, reason: 'lost' | 'timeout' = 'lost'): ConnectEvent => ({
    type: 'attemptCancelled', elapsed, attempt, address, reason,
  }),
  connected: (elapsed: number, attempt: number, address: SocketAddress, channel: Channel): ConnectEvent => ({ type: 'connected', elapsed, attempt, address, channel }),
  failed: (elapsed: number, error: ConnectError): ConnectEvent => ({ type: 'failed', elapsed, error }),
  closed: (elapsed: number, error?: Error): ConnectEvent => (error === undefined ? { type: 'closed', elapsed } : { type: 'closed', elapsed, error }),
};

/** `label` plus `@elapsed`, and ` round N` / ` unsent [..]` where the event has them. */
export function show(event: ConnectEvent & { round?: number }): string {
  const unsent = event.type === 'failed' && event.unsent !== undefined ? ` unsent [${event.unsent.map(text).join(',')}]` : '';
  const round = event.round === undefined ? '' : ` round ${event.round}`;
  return `${label(event)} @${event.elapsed}${unsent}${round}`;
}

function text(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : `<${Buffer.from(value).toString('hex')}>`;
}
