import type { SchedulerLike, Subscription } from 'rxjs';
import { isExactIPv4 } from '../core/address.js';
import { NAMES_KEPT } from '../transport/Transport.js';
import type { SocketEvents, TransportSocket } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { TlsSession } from '../core/tls.js';
import type { PeerScript } from './AddressScript.js';
import type { TlsScript } from './TlsScript.js';
import type { VirtualSocketRecord } from './VirtualNetwork.js';
import { errnoError } from './errnoError.js';

/** A {@link VirtualSocketRecord} the network keeps up to date. */
export type MutableSocketRecord = { -readonly [K in keyof VirtualSocketRecord]: VirtualSocketRecord[K] };

/** Where a socket's writes go: the paired socket, or a scripted peer. */
export type SocketSink = { data(chunk: Uint8Array): void; end(): void; reset(): void };

/** Who answers a TLS handshake on a socket: a plain server, a scripted TLS server, or the other end of a pair. */
export type TlsFarEnd =
  | { readonly kind: 'plain' }
  | { readonly kind: 'script'; readonly script: TlsScript; readonly peer: PeerScript | undefined }
  | { readonly kind: 'pair'; readonly socket: VirtualSocket };

/** A handshake under way on a socket, told what the far end does meanwhile. */
export type HandshakeHooks = {
  /** Bytes arrived that are not TLS. */
  plaintext(): void;
  /** The far end closed or reset. */
  disconnected(): void;
  /** The socket was destroyed: the handshake ends without a word. */
  cancel(): void;
};

const PLAIN: TlsFarEnd = { kind: 'plain' };

/** One end of a virtual TCP connection, with Node's semantics where rxconnect relies on them. */
export class VirtualSocket implements TransportSocket {
  events: SocketEvents;
  remoteAddress: SocketAddress | undefined;
  readonly writableLength = 0;
  readonly writableHighWaterMark = 16384;
  readonly record: MutableSocketRecord;
  /** Where our writes go: the paired socket, or a scripted peer. */
  sink: SocketSink | undefined;
  onDestroy: (() => void) | undefined;
  /** Stays writable after the far side's EOF (a listener's `allowHalfOpen`). */
  allowHalfOpen = false;
  /** Who answers a handshake. */
  tlsFarEnd: TlsFarEnd = PLAIN;
  /** The handshake under way: no data or EOF is delivered meanwhile. */
  handshake: HandshakeHooks | undefined = undefined;
  /** The TLS session, once a handshake has succeeded. */
  tls: TlsSession | undefined = undefined;
  private readonly scheduler: SchedulerLike;
  private readonly inbox: Uint8Array[] = [];
  private paused = true;
  private flushing: Subscription | undefined;
  private peerEnded = false;
  private endDelivered = false;
  private writeEnded = false;
  private closed = false;
  private local: SocketAddress | undefined;
  /** localAddress was read: it is kept whatever closes the socket (see destroy). */
  private localRead = false;

  constructor(scheduler: SchedulerLike, events: SocketEvents, record: MutableSocketRecord) {
    this.scheduler = scheduler;
    this.events = events;
    this.record = record;
  }

  get localAddress(): SocketAddress | undefined {
    this.localRead = true;
    return this.local;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes from the far side arrived and were not delivered. */
  get hasUnreadBytes(): boolean {
    return this.inbox.length > 0;
  }

  /** The far side has half-closed or closed. */
  get farEnded(): boolean {
    return this.peerEnded;
  }

  /** As Node's sockets once a handshake starts: the local name is kept, whatever closes the socket. */
  keepNames(): void {
    this.localRead = true;
  }

  /** The handshake succeeded: what waited is delivered (when resumed). */
  secured(session: TlsSession): void {
    this.handshake = undefined;
    this.tls = session;
    if (!this.paused) this.scheduleFlush();
  }

  write(chunk: Uint8Array, done?: (error?: Error | null) => void): boolean {
    if (this.closed || this.writeEnded) {
      const error = errnoError('EPIPE', 'write EPIPE');
      this.later(() => done?.(error));
      return false;
    }
    const copy = Uint8Array.from(chunk);
    (this.record.sent as Uint8Array[]).push(copy);
    this.sink?.data(copy);
    this.later(() => done?.(null));
    return true;
  }

  end(done?: (error?: Error | null) => void): void {
    if (this.closed) {
      this.later(() => done?.(null));
      return;
    }
    if (!this.writeEnded) {
      this.writeEnded = true;
      this.sink?.end();
    }
    this.later(() => {
      done?.(null);
      this.maybeClose();
    });
  }

  destroy(): void {
    if (this.closed) return;
    // The owner's destroy ends a handshake without a word, before the far end hears of it.
    this.cancelHandshake();
    if (this.record.state === 'connecting') this.record.state = 'cancelled';
    // As rxconnect's Node client sockets: a local name nobody read is not kept past the owner's own destroy(),
    // unless the peer's EOF came first. So a test on the virtual network sees what production would.
    if (this.record.side === 'client' && !this.localRead && !this.endDelivered && !isExactIPv4(this.record.local)) this.local = undefined;
    const sink = this.sink;
    this.sink = undefined;
    // As Node's destroy(): a FIN for the far side, unless unread input makes the kernel send a reset instead.
    if (sink !== undefined) {
      if (this.inbox.length > 0) sink.reset();
      else if (!this.writeEnded) sink.end();
    }
    this.close();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.scheduleFlush();
  }

  /**
   * Delivers on the scheduler, in the same virtual instant but never re-entrantly: as with Node, no 'data' is
   * emitted from inside write() or resume(), so a client answering every message cannot recurse.
   */
  private scheduleFlush(): void {
    this.flushing ??= this.scheduler.schedule(() => {
      this.flushing = undefined;
      this.flush();
    });
  }

  /** Bytes from the far side. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.inbox.push(chunk);
    if (this.handshake !== undefined) this.handshake.plaintext();
    if (!this.paused) this.scheduleFlush();
  }

  /** EOF from the far side. */
  receiveEnd(): void {
    if (this.closed || this.peerEnded) return;
    this.peerEnded = true;
    if (this.handshake !== undefined) this.handshake.disconnected();
    else if (!this.paused) this.scheduleFlush();
  }

  /** A reset from the far side. */
  receiveReset(code = 'ECONNRESET'): void {
    if (this.closed) return;
    this.sink = undefined;
    // During a handshake its failure tells (Node's error is the handshake's, not the socket's).
    if (this.handshake !== undefined) {
      this.handshake.disconnected();
      return;
    }
    const syscall = code === 'EPIPE' ? 'write' : 'read';
    this.events.error(errnoError(code, `${syscall} ${code}`, { syscall }));
    this.close();
  }

  /** The attempt's outcome, as the script decides. */
  fail(error: Error, state: VirtualSocketRecord['state']): void {
    if (this.closed) return;
    this.record.state = state;
    this.events.error(error);
    this.close();
  }

  connect(local: SocketAddress, remote: SocketAddress): void {
    this.local = local;
    this.remoteAddress = remote;
    this.record.state = 'connected';
    this.events.connect();
  }

  private flush(): void {
    if (this.handshake !== undefined) return;
    while (!this.paused && !this.closed && this.inbox.length > 0) this.events.data(this.inbox.shift() as Uint8Array);
    if (!this.paused && !this.closed && this.peerEnded && this.inbox.length === 0 && !this.endDelivered) {
      this.endDelivered = true;
      this.events.end();
      // Unless half-open (as Node's client sockets are not), EOF from the peer ends our side too.
      if (!this.writeEnded && !this.allowHalfOpen) this.end();
      else this.maybeClose();
    }
  }

  private cancelHandshake(): void {
    const handshake = this.handshake;
    this.handshake = undefined;
    handshake?.cancel();
  }

  private maybeClose(): void {
    if (this.writeEnded && this.endDelivered) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flushing?.unsubscribe();
    this.cancelHandshake();
    this.record.closedAt = this.scheduler.now();
    if (this.record.state === 'connected') this.record.state = 'closed';
    this.onDestroy?.();
    const events = this.events;
    this.later(() => events.close());
  }

  private later(work: () => void): void {
    this.scheduler.schedule(work);
  }
}

// It keeps its names as Node's sockets do (NAMES_KEPT); an exported class cannot declare a symbol-keyed member
// under isolatedDeclarations, so the marker goes on the prototype.
Object.defineProperty(VirtualSocket.prototype, NAMES_KEPT, { value: true });
