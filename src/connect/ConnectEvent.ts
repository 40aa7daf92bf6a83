import type { Channel } from '../channel/Channel.js';
import type { SocketAddress } from '../core/socket.js';
import type { ConnectError } from '../errors/ConnectError.js';
import type { TlsInfo } from '../core/tls.js';

/** The typed events of {@link connectAsync$}. `elapsed` is milliseconds since subscription, read from the scheduler. */
export type ConnectEvent =
  | ResolvedEvent
  | AttemptEvent
  | AttemptFailedEvent
  | AttemptCancelledEvent
  | HandshakeEvent
  | ConnectedEvent
  | FailedEvent
  | ClosedEvent;

/** The event of {@link ConnectEvent} with the given `type`. */
export type ConnectEventOf<T extends ConnectEvent['type']> = Extract<
  ConnectEvent,
  {
    /** The event type to pick. */
    readonly type: T;
  }
>;

/** A lookup answered: the addresses it found (possibly none). */
export type ResolvedEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'resolved'`: what this event is. */
  readonly type: 'resolved';
  /** The name looked up. */
  readonly host: string;
  /** The port every address will be dialed on. */
  readonly port: number;
  /** The family this answer is for: 6 or 4 (happy eyeballs), or 0 for a lookup of both (sequential). */
  readonly family: 0 | 4 | 6;
  /** The new addresses, in resolver order; empty when the lookup failed or found nothing new. */
  readonly addresses: readonly SocketAddress[];
};

/** An attempt started. */
export type AttemptEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'attempt'`: what this event is. */
  readonly type: 'attempt';
  /** Counts up from 0 in the order attempts start. */
  readonly attempt: number;
  /** The remote address being dialed. */
  readonly address: SocketAddress;
  /** The local address it is bound to, when `myaddr` or `myport` is given. */
  readonly local?: SocketAddress;
  /**
   * Present when the connect's `history` chose this address's place: the address that won last time, tried
   * first, or one that failed last time, tried after the others.
   */
  readonly history?: true;
};

/** An attempt failed: refused, timed out, unreachable, ... */
export type AttemptFailedEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'attemptFailed'`: what this event is. */
  readonly type: 'attemptFailed';
  /** The attempt's number. */
  readonly attempt: number;
  /** The remote address it dialed. */
  readonly address: SocketAddress;
  /** Its error, with `code`, `duration` and Node's error as `cause`. */
  readonly error: ConnectError;
};

/** An attempt was given up: another one won (`lost`), or the overall deadline passed (`timeout`). */
export type AttemptCancelledEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'attemptCancelled'`: what this event is. */
  readonly type: 'attemptCancelled';
  /** The attempt's number. */
  readonly attempt: number;
  /** The remote address it dialed. */
  readonly address: SocketAddress;
  /** `lost` to a winner, or `timeout` from {@link connectTimeout}. */
  readonly reason: 'lost' | 'timeout';
};

/**
 * With the `tls` option: TCP connected (the other attempts are cancelled) and the TLS handshake starts on this
 * attempt. Its outcome follows: `connected` when the handshake finishes, or `attemptFailed` when it fails.
 */
export type HandshakeEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'handshake'`: what this event is. */
  readonly type: 'handshake';
  /** The attempt whose TCP connect won. */
  readonly attempt: number;
  /** The remote address it connected to. */
  readonly address: SocketAddress;
};

/** The connect succeeded: the terminal event of a successful connect. */
export type ConnectedEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'connected'`: what this event is. */
  readonly type: 'connected';
  /** The winning attempt's number. */
  readonly attempt: number;
  /** The remote address that answered. */
  readonly address: SocketAddress;
  /** The connected socket, open while the subscription lasts. */
  readonly channel: Channel;
  /** With the `tls` option: what the handshake agreed on (protocol, ALPN, cipher, verification). */
  readonly tls?: TlsInfo;
};

/** The connect failed: the terminal event of a failed connect. It is data, not an error notification. */
export type FailedEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'failed'`: what this event is. */
  readonly type: 'failed';
  /** The most relevant error, with every attempt's own in `attempts`. */
  readonly error: ConnectError;
  /** With {@link flushOnConnect}: the values queued and never written, in order. */
  readonly unsent?: readonly (string | Uint8Array)[];
};

/** The channel of a successful connect closed; the stream completes next. */
export type ClosedEvent = {
  /** Milliseconds since subscription, read from the scheduler. */
  readonly elapsed: number;
  /** Always `'closed'`: what this event is. */
  readonly type: 'closed';
  /**
   * Why it closed, if a socket error closed it (`ECONNRESET`, ...), or the {@link ConnectError} with code
   * `'ABORT_ERR'` when the connect's AbortSignal closed it (unless the close lost bytes: then the channel's error,
   * with `unsent`).
   */
  readonly error?: Error;
  /** The channel's socket was handed over with `channel.detach()`: it was not closed, and is its new owner's. */
  readonly detached?: true;
};
