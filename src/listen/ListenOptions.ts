import type { SchedulerLike } from 'rxjs';
import type { ChannelEncoding, ChannelTranslation } from '../channel/encoding.js';
import type { LookupFunction, Transport } from '../transport/Transport.js';
import type { TlsServerOptions } from '../core/tls.js';

/** Options of {@link listen$}. Every option is validated when `listen$` is called. */
export type ListenOptions = {
  /**
   * The local address to listen on: an IP literal, or a name whose local addresses are all listened on (those
   * not local to this host are skipped while at least one works). Default: the wildcards `0.0.0.0` and `::`,
   * each family where the host has it.
   */
  readonly myaddr?: string | undefined;
  /** Restrict to one address family: 0 (both, the default), 4 or 6. */
  readonly family?: 0 | 4 | 6 | undefined;
  /** The length of the queue of connections not yet accepted. Default: Node's (511, capped by the system). */
  readonly backlog?: number | undefined;
  /** A `dns.lookup`-compatible function for `myaddr` names, called with `{ all: true, family }`. */
  readonly lookup?: LookupFunction | undefined;
  /** The IO boundary. Default: real sockets. `rxconnect/testing` provides a virtual one. */
  readonly transport?: Transport | undefined;
  /**
   * The scheduler of the listen's timers (each client's `tls.handshakeTimeout`) and of accepted channels' (the
   * bound on a close's flush). Default `asyncScheduler`.
   */
  readonly scheduler?: SchedulerLike | undefined;
  /** The text encoding of accepted channels. Default `'utf-8'`. */
  readonly encoding?: ChannelEncoding | undefined;
  /** The line-end handling of accepted channels. Default `'auto'`. */
  readonly translation?: ChannelTranslation | undefined;
  /** The longest line accepted channels' `lines$` accepts. Default 1 MiB. */
  readonly maxLineLength?: number | undefined;
  /**
   * Keep an accepted channel writable after the client's EOF, so a server can answer a client that half-closed
   * (Tcl's behaviour). The channel then stays open until you `end()` or `close()` it. Default false: the
   * client's EOF ends both ways, as Node's default.
   */
  readonly allowHalfOpen?: boolean | undefined;
  /** Disable Nagle's algorithm on accepted sockets. Default: Node's (false). */
  readonly noDelay?: boolean | undefined;
  /** Enable TCP keep-alive on accepted sockets. Default: off. */
  readonly keepAlive?: boolean | undefined;
  /**
   * Stops listening when aborted: the listeners close and the Observable errors with a {@link ConnectError}
   * whose `code` is `'ABORT_ERR'`, `name` `'AbortError'` and `cause` the signal's reason. Accepted channels
   * live on, as on unsubscribe. An already aborted signal errors at once, listening on nothing.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Serve TLS: the server's `key` and `cert` (or `pfx`), and optionally ALPN, client certificates
   * (`requestCert`, `ca`) and `handshakeTimeout`. Each client's handshake runs before its `connection`; one that
   * fails or stalls is reported as `handshakeFailed` and dropped. Default: none (plain TCP).
   */
  readonly tls?: TlsServerOptions | undefined;
};
