import type { SchedulerLike } from 'rxjs';
import type { ChannelEncoding, ChannelTranslation } from '../channel/encoding.js';
import type { LookupFunction, Transport } from '../transport/Transport.js';
import type { TlsOptions } from '../core/tls.js';
import type { ConnectHistory } from './ConnectHistory.js';

/** Options of {@link connectAsync$}. Every option is validated when `connectAsync$` is called. */
export type ConnectOptions = {
  /** `'happy-eyeballs'` (RFC 8305, the default) or `'sequential'` (Tcl 8.6's order). */
  readonly strategy?: ConnectStrategy | undefined;
  /**
   * Milliseconds between staggered attempts. Clamped to 10..2000. Default 250. Happy-eyeballs only; ignored by
   * `'sequential'`, where the next attempt starts when one fails.
   */
  readonly attemptDelay?: number | undefined;
  /**
   * Milliseconds to wait for IPv6 when IPv4 answers first. Default 50. Happy-eyeballs only; ignored by
   * `'sequential'`.
   */
  readonly resolutionDelay?: number | undefined;
  /**
   * Which family the happy-eyeballs race starts with, in the words of Node's `dns.setDefaultResultOrder`:
   * `'ipv6first'` looks both families up at once and starts with IPv6 (RFC 8305 §4: a working IPv6 path gets used
   * and a broken one costs one `attemptDelay`); `'ipv4first'` does the same starting with IPv4 (and waits
   * `resolutionDelay` for IPv4 when IPv6 answers first); `'verbatim'` makes one lookup of both families and starts
   * with the family of the resolver's first address (for a resolver that sorts per RFC 6724 or by policy), the
   * families alternating after it. Default `'ipv6first'`, the RFC's order. Happy-eyeballs only; ignored by
   * `'sequential'`, which makes one lookup and keeps the resolver's order.
   */
  readonly familyOrder?: FamilyOrder | undefined;
  /**
   * How many addresses of the first family go before the families alternate. Default 1. Happy-eyeballs only;
   * ignored by `'sequential'`.
   */
  readonly firstFamilyCount?: number | undefined;
  /** Milliseconds after which one attempt fails with `ETIMEDOUT` and the next one starts. Default: none. */
  readonly attemptTimeout?: number | undefined;
  /**
   * The most attempts in flight at once: when the next attempt is due with this many still
   * connecting, it waits for one of them to fail. It bounds the sockets a long resolver answer can open, as
   * curl's limit does. An integer of at least 1. Default 6. Happy-eyeballs only; ignored by `'sequential'`, which
   * has one attempt in flight at a time.
   */
  readonly maxConcurrentAttempts?: number | undefined;
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
  /**
   * Ends the connect when aborted, as an unsubscribe does, but telling why: attempts in flight end with
   * `attemptFailed` and then `failed` comes, with a {@link ConnectError} whose `code` is `'ABORT_ERR'`, `name`
   * `'AbortError'` and `cause` the signal's reason. Aborted after `connected`, it closes the channel as an unsubscribe does, and
   * `closed` carries that `ABORT_ERR` error ({@link reconnect} then stops).
   * An already aborted signal fails at once, without a lookup.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * TLS on the winning connection: `true` for Node's defaults, or {@link TlsOptions}. The race is a TCP race;
   * the handshake runs on the winner, between a `handshake` event and `connected`, which carries what it agreed
   * on. `servername` defaults to the host when it is a name. Default: none (plain TCP).
   */
  readonly tls?: boolean | TlsOptions | undefined;
  /**
   * What earlier connects learned, from {@link createConnectHistory} (RFC 8305 §7): the address that won last time
   * for this host and port is tried first as soon as a lookup returns it (no resolution delay, whatever its
   * family), and the addresses that failed last time go last; each `attempt` so placed carries `history: true`.
   * This connect's winner and failures are recorded in it. `false` or undefined: none (the default here;
   * rxconnect/http's `connector` and Agents make one per instance unless given `false`). Ignored for an IP literal.
   */
  readonly history?: ConnectHistory | false | undefined;
};

/** Which family a happy-eyeballs connect starts with (see {@link ConnectOptions.familyOrder}). */
export type FamilyOrder = 'ipv6first' | 'ipv4first' | 'verbatim';

/** How {@link connectAsync$} orders and paces its attempts. */
export type ConnectStrategy = 'happy-eyeballs' | 'sequential';
