import type { BehaviorSubject, SchedulerLike } from 'rxjs';
import type { Channel } from './channel/Channel.js';
import type { connectAsync$ } from './sources/connectAsync.js';
import type { connectTimeout } from './operators/connectTimeout.js';
import type { flushOnConnect } from './operators/flushOnConnect.js';
import type { ConnectError } from './errors/ConnectError.js';
import type { LookupFunction, Transport } from './transport/Transport.js';

/** One remote or local endpoint: an IP literal, its family and a port. */
export type SocketAddress = {
  /** The IP literal (`::1`, `127.0.0.1`). */
  readonly address: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The TCP port. */
  readonly port: number;
};

/** Tcl's `{address hostname port}` triple, as `-sockname` and `-peername` report it. */
export type SocketName = {
  /** The numeric address. */
  readonly address: string;
  /** The host name; the numeric address, since rxconnect does no reverse lookups. */
  readonly host: string;
  /** The TCP port. */
  readonly port: number;
};

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
  /** Why it closed, if a socket error closed it (`ECONNRESET`, ...). */
  readonly error?: Error;
};

/** The typed events of {@link connectAsync$}. `elapsed` is milliseconds since subscription, read from the scheduler. */
export type ConnectEvent =
  | ResolvedEvent
  | AttemptEvent
  | AttemptFailedEvent
  | AttemptCancelledEvent
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

/** TIP 427's introspection of one socket, as a value. */
export type SocketSnapshot = {
  /** `-connecting`: true from subscription until connected or failed. */
  readonly connecting: boolean;
  /** `-error`: `''` until a final failure, then its Tcl text (`connection refused`). */
  readonly error: string;
  /** `-sockname`: null while connecting and after failure. */
  readonly sockname: SocketName | null;
  /** `-peername`: null while connecting and after failure. */
  readonly peername: SocketName | null;
  /** Beyond Tcl: the addresses being tried right now. */
  readonly inFlight: readonly SocketAddress[];
};

/** A live {@link SocketSnapshot}. */
export type SnapshotSubject = BehaviorSubject<SocketSnapshot>;

/** Text encodings a channel knows. `binary` is `latin1` without a byte-order mark, as in Tcl. */
export type ChannelEncoding = 'utf-8' | 'utf8' | 'iso8859-1' | 'latin1' | 'ascii' | 'binary';

/** Line-end handling, after Tcl's `-translation`. */
export type ChannelTranslation = 'auto' | 'lf' | 'crlf' | 'binary';

/** How {@link connectAsync$} orders and paces its attempts. */
export type ConnectStrategy = 'happy-eyeballs' | 'sequential';

/** Options of {@link connectAsync$}. Every option is validated when `connectAsync$` is called. */
export type ConnectOptions = {
  /** `'happy-eyeballs'` (RFC 8305, the default) or `'sequential'` (Tcl 8.6's order). */
  readonly strategy?: ConnectStrategy | undefined;
  /** Milliseconds between staggered attempts (happy-eyeballs). Clamped to 10..2000. Default 250. */
  readonly attemptDelay?: number | undefined;
  /** Milliseconds to wait for IPv6 when IPv4 answers first (happy-eyeballs). Default 50. */
  readonly resolutionDelay?: number | undefined;
  /** How many addresses of the first family go before the families alternate. Default 1. */
  readonly firstFamilyCount?: number | undefined;
  /** Milliseconds after which one attempt fails with `ETIMEDOUT` and the next one starts. Default: none. */
  readonly attemptTimeout?: number | undefined;
  /** Restrict to one address family: 0 (both, the default), 4 or 6. */
  readonly family?: 0 | 4 | 6 | undefined;
  /** Local address (name or literal) to bind each attempt to; one of the attempt's own family is used. */
  readonly myaddr?: string | undefined;
  /** Local port to bind each attempt to: a number or a service name. */
  readonly myport?: number | string | undefined;
  /** A `dns.lookup`-compatible function, called with `{ all: true, family }`. */
  readonly lookup?: LookupFunction | undefined;
  /** The IO boundary. Default: real sockets. `rxconnect/testing` provides a virtual one. */
  readonly transport?: Transport | undefined;
  /** The scheduler for every timer and for `elapsed`. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
  /** The channel's text encoding. Default `'utf-8'`. */
  readonly encoding?: ChannelEncoding | undefined;
  /** The channel's line-end handling. Default `'auto'`. */
  readonly translation?: ChannelTranslation | undefined;
  /** The longest line `lines$` accepts, in characters; `Infinity` for no limit. Default 1 MiB. */
  readonly maxLineLength?: number | undefined;
  /** Disable Nagle's algorithm on the connected socket. Default: Node's (false). */
  readonly noDelay?: boolean | undefined;
  /** Enable TCP keep-alive on the connected socket. Default: off. */
  readonly keepAlive?: boolean | undefined;
};
