import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { SocketAddress } from '../core/socket.js';
import type { Socket } from 'node:net';
import type { TlsOptions, TlsServerOptions, TlsSession } from '../core/tls.js';

/** The socket a Node program gets from a handover: a `net.Socket`, or a `tls.TLSSocket` (a subclass) after TLS. */
export type NetSocket = Socket;

/** One address as `dns.lookup(host, { all: true })` returns it. */
export type LookupAddress = {
  /** The IP literal. */
  readonly address: string;
  /** 4 or 6 (other values are ignored). */
  readonly family: number;
};

/** The options rxconnect passes to a {@link LookupFunction}. */
export type LookupOptions = {
  /** Always true: every address is wanted. */
  readonly all: true;
  /** 0 for both families, or 4 or 6. */
  readonly family: 0 | 4 | 6;
};

/** The callback of a {@link LookupFunction}: `dns.lookup`'s, with `all: true`. */
export type LookupCallback = (error: Error | null, addresses?: readonly LookupAddress[] | string, family?: number) => void;

/**
 * A `dns.lookup`-compatible function. It may return an object with a `cancel()` method; rxconnect calls it
 * when the lookup's answer is no longer wanted.
 */
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => unknown;

/** What the transport tells about one socket. The owner may replace these at any time. */
export type SocketEvents = {
  /** The connect succeeded. */
  connect(): void;
  /** Bytes arrived (only while resumed). */
  data(chunk: Uint8Array): void;
  /** The peer half-closed: no more data will arrive. */
  end(): void;
  /** The connect failed, or the connected socket failed. Always followed by `close`. */
  error(error: Error): void;
  /** The socket is closed; its handle is released. */
  close(): void;
  /** The write queue fell below the high-water mark. */
  drain(): void;
};

/** What to dial. */
export type DialRequest = {
  /** The address to connect to. */
  readonly remote: SocketAddress;
  /** The local address (and port; 0 for any) to bind first. */
  readonly local?: SocketAddress | undefined;
  /** Disable Nagle's algorithm once connected. */
  readonly noDelay?: boolean | undefined;
  /** Enable TCP keep-alive once connected. */
  readonly keepAlive?: boolean | undefined;
};

/**
 * Marks a transport socket that reads `localAddress` and `remoteAddress` when first asked and keeps them, also when
 * the peer or an error closes it, so a Channel need not read them when it is made. Internal.
 */
export const NAMES_KEPT: unique symbol = Symbol('rxconnect.namesKept');

/** One socket of a transport: connecting at first, then connected, until closed. It starts paused. */
export interface TransportSocket {
  /** Where events go. Replaceable. */
  events: SocketEvents;
  /** The local endpoint, once connected. */
  readonly localAddress: SocketAddress | undefined;
  /** The remote endpoint, once connected. */
  readonly remoteAddress: SocketAddress | undefined;
  /** Bytes queued for writing and not yet handed to the OS, counted byte by byte (a write may be handed over in part). */
  readonly writableLength: number;
  /** The write-queue size past which `write` returns false. */
  readonly writableHighWaterMark: number;
  /** Queues bytes; false past the high-water mark. `done` is called once they are handed off, or with an error. */
  write(chunk: Uint8Array, done?: (error?: Error | null) => void): boolean;
  /** Half-closes after the queued bytes are written; `done` runs then (with an error if flushing failed). */
  end(done?: (error?: Error | null) => void): void;
  /**
   * A lingering close, for transports whose sockets reset when closed with unread input (TCP on Linux discards
   * its send queue then): half-closes after the queued bytes, `done` running as for `end`, then reads and
   * discards what the peer sends until the peer's EOF, when the socket is released (`close`). A socket that never
   * wrote has nothing to lose and may be released once its FIN is queued. The owner bounds the wait with
   * `destroy()`. Without it, the owner ends, then destroys.
   */
  lingeringClose?(done: (error?: Error | null) => void): void;
  /** Releases the socket at once, discarding queued writes. Idempotent. */
  destroy(): void;
  /**
   * Hands the connected socket over to a new owner: the transport's listeners are removed, it reports nothing
   * more, and the platform's socket is returned as it is (Node: the `net.Socket`, or the `tls.TLSSocket` after
   * TLS), not paused, with nothing read from it. This object must not be used afterwards. Transports that cannot
   * hand their sockets over lack it.
   */
  detach?(): NetSocket;
  /** The TLS session once {@link Transport.startTls} has finished its handshake; absent or undefined for plain TCP. */
  readonly tls?: TlsSession | undefined;
  /** Stops delivering `data`. */
  pause(): void;
  /** Delivers `data` again. */
  resume(): void;
}

/**
 * A TLS handshake to run on a connected socket: as the client (`servername` already decided: absent for an IP
 * literal) or as the server. The same options object is passed for every socket of one connect or listen, so a
 * transport may keep what it derives from it (Node's SecureContext) per object.
 */
export type TlsRequest =
  | {
      /** The connecting side. */
      readonly side: 'client';
      /** The connect's validated `tls` options, `servername` decided. */
      readonly options: TlsOptions;
      /**
       * The origin the certificate is checked against when there is no `servername` (an IP literal). Default: the
       * socket's peer, which a proxy's tunnel does not have as its origin.
       */
      readonly origin?: string | undefined;
    }
  | {
      /** The accepting side. */
      readonly side: 'server';
      /** The listen's validated `tls` options. */
      readonly options: TlsServerOptions;
    };

/**
 * How a handshake ended: `null` and the session, or the error (Node's, with its code: `CERT_HAS_EXPIRED`,
 * `ECONNRESET`, ...). The socket is destroyed after a failure. Not called after the owner's own `destroy()`.
 */
export type TlsDone = (error: Error | null, session?: TlsSession) => void;

/** A listening endpoint of a transport. */
export interface TransportServer {
  /** Where the server listens. */
  readonly address: SocketAddress;
  /** Stops listening. Idempotent. */
  close(): void;
}

/** What a transport tells about a listening endpoint. */
export type ServerEvents = {
  /** A client connected; the socket is connected and paused. */
  connection(socket: TransportSocket): void;
  /** The listener failed after it was listening. */
  error(error: Error): void;
};

/** A request to listen on one local address. */
export type ListenRequest = {
  /** The address and port to bind; port 0 lets the system pick one. */
  readonly local: SocketAddress;
  /** The length of the queue of pending connections. Default: the transport's (Node: 511). */
  readonly backlog?: number | undefined;
  /** Accepted sockets stay writable after the client's EOF. Default false: the client's EOF ends both ways. */
  readonly allowHalfOpen?: boolean | undefined;
  /** Disable Nagle's algorithm on accepted sockets. */
  readonly noDelay?: boolean | undefined;
  /** Enable TCP keep-alive on accepted sockets. */
  readonly keepAlive?: boolean | undefined;
};

/**
 * The IO boundary of rxconnect: lookups, dials and listeners. The Node implementation is the only code that
 * touches `node:net`/`node:dns`; `rxconnect/testing` provides a virtual one that runs on a scheduler.
 */
export interface Transport {
  /** The resolver used when no `lookup` option is given. */
  readonly lookup: LookupFunction;
  /** Dials one address, optionally bound to a local one. Events go to `events`; the socket is returned at once. */
  dial(request: DialRequest, events: SocketEvents): TransportSocket;
  /** Listens on one local address; `done` gets the server or the error (`EADDRINUSE`, ...). */
  listen(request: ListenRequest, events: ServerEvents, done: (error: Error | null, server?: TransportServer) => void): void;
  /**
   * Runs a TLS handshake on a connected socket of this transport, before anything was written or read on it.
   * While it runs the socket delivers no `data` or `end`, and its failure goes to `done` alone (then `close` may
   * follow); afterwards `data` is the decrypted stream, `write` encrypts, and `tls` describes the session.
   * Transports without it cannot carry the `tls` option.
   */
  startTls?(socket: TransportSocket, request: TlsRequest, done: TlsDone): void;
  /**
   * Makes now what the handshakes of `request` will use (Node: the SecureContext), so that key material that
   * cannot be loaded fails the call that gave it, with an InvalidArgumentError, rather than every handshake.
   */
  prepareTls?(request: TlsRequest): void;
  /**
   * Takes a connected socket made elsewhere (a proxy's tunnel) as one of this transport's, paused and with its
   * events going nowhere, so that `startTls` can run on it and `detach` hand it back.
   */
  adopt?(socket: NetSocket): TransportSocket;
}

/** Socket events that go nowhere: for sockets whose owner has not attached yet, or no longer listens. */
export const NO_EVENTS: SocketEvents = {
  connect() {},
  data() {},
  end() {},
  error() {},
  close() {},
  drain() {},
};

/**
 * A custom transport: an object with `lookup` and the method the caller needs (`dial` to connect, `listen` to
 * serve), and `startTls` when the caller asks for TLS. Undefined when not given.
 */
export function parseTransport(value: unknown, needs: 'dial' | 'listen', withTls = false): Transport | undefined {
  if (value === undefined) return undefined;
  const methods = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (typeof methods[needs] !== 'function' || typeof methods['lookup'] !== 'function') {
    throw new InvalidArgumentError('transport', `must be a Transport (with lookup and ${needs})`, 'ERR_INVALID_ARG_TYPE');
  }
  if (withTls && typeof methods['startTls'] !== 'function') {
    throw new InvalidArgumentError('transport', 'must have startTls to carry the tls option', 'ERR_INVALID_ARG_TYPE');
  }
  return value as Transport;
}
