import type { BehaviorSubject, SchedulerLike } from 'rxjs';
import type { Channel } from './channel/Channel.js';
import type { ConnectError } from './errors/ConnectError.js';
import type { LookupFunction, Transport } from './transport/Transport.js';

/** One remote or local endpoint: an IP literal, its family and a port. */
export type SocketAddress = { readonly address: string; readonly family: 4 | 6; readonly port: number };

/** Tcl's `{address hostname port}` triple, as `-sockname` and `-peername` report it. */
export type SocketName = { readonly address: string; readonly host: string; readonly port: number };

/** The typed events of {@link connectAsync$}. `elapsed` is milliseconds since subscription, read from the scheduler. */
export type ConnectEvent = { readonly elapsed: number } & (
  | {
      readonly type: 'resolved';
      readonly host: string;
      readonly port: number;
      readonly family: 0 | 4 | 6;
      readonly addresses: readonly SocketAddress[];
    }
  | { readonly type: 'attempt'; readonly attempt: number; readonly address: SocketAddress; readonly local?: SocketAddress }
  | { readonly type: 'attemptFailed'; readonly attempt: number; readonly address: SocketAddress; readonly error: ConnectError }
  | {
      readonly type: 'attemptCancelled';
      readonly attempt: number;
      readonly address: SocketAddress;
      readonly reason: 'lost' | 'timeout';
    }
  | { readonly type: 'connected'; readonly attempt: number; readonly address: SocketAddress; readonly channel: Channel }
  | { readonly type: 'failed'; readonly error: ConnectError; readonly unsent?: readonly (string | Uint8Array)[] }
  | { readonly type: 'closed'; readonly error?: Error }
);

/** The event types of {@link ConnectEvent}, by their `type`. */
export type ConnectEventOf<T extends ConnectEvent['type']> = Extract<ConnectEvent, { type: T }>;

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
