import { AsyncSubject, BehaviorSubject, Observable, Subject } from 'rxjs';
import type { Subscriber } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { errorCode } from '../errors/ConnectError.js';
import { tclText } from '../errors/tclText.js';
import type { TransportSocket } from '../transport/Transport.js';
import type { ChannelEncoding, ChannelTranslation, SocketAddress, SocketName, SocketSnapshot } from '../types.js';
import { encodeText, lineEnd } from './encoding.js';

/** Options of a {@link Channel}. */
export type ChannelOptions = {
  readonly encoding?: ChannelEncoding | undefined;
  readonly translation?: ChannelTranslation | undefined;
};

/** How a channel ended: `error` is set when it closed because of one. */
export type ChannelClose = { readonly error?: Error };

function socketName(address: SocketAddress | undefined): SocketName {
  // host is the numeric address: rxconnect does no reverse lookups.
  return address === undefined ? { address: '', host: '', port: 0 } : { address: address.address, host: address.address, port: address.port };
}

/** An error with a readable message, whatever the transport gave (Tcl once reported an empty one). */
function readable(error: Error): Error {
  if (error.message !== '') return error;
  const code = errorCode(error);
  const named = new Error(tclText(code, 'socket error'), { cause: error });
  return Object.assign(named, { code });
}

/**
 * A connected socket as streams: incoming bytes as `data$`, writes with backpressure, half-close, and a
 * close that reports what went wrong.
 *
 * Incoming data is never lost: the socket stays paused until something subscribes to `data$`, and pauses
 * again when nobody does.
 *
 * ## Example
 * ```ts
 * import { connectAsync$, connected } from 'rxconnect';
 * import { switchMap } from 'rxjs';
 *
 * connectAsync$('localhost', 7)
 *   .pipe(connected(), switchMap((channel) => { channel.writeLine('hello'); return channel.data$; }))
 *   .subscribe((bytes) => console.log(bytes.length));
 * ```
 */
export class Channel {
  /** Incoming bytes; completes at EOF, errors on a socket error. Shared by all subscribers. */
  readonly data$: Observable<Uint8Array>;
  /** Emits when the write queue falls below the high-water mark. */
  readonly drain$: Observable<void>;
  /** Emits once when the channel has closed, for whatever reason, then completes. Late subscribers get it too. */
  readonly closed$: Observable<ChannelClose>;
  /** TIP 427's introspection of this socket. */
  readonly snapshot: BehaviorSubject<SocketSnapshot>;
  /** The local endpoint, as Tcl's `-sockname`. */
  readonly sockname: SocketName;
  /** The remote endpoint, as Tcl's `-peername`. */
  readonly peername: SocketName;
  /** The text encoding of `write`, `writeLine` and `lines$`. */
  readonly encoding: ChannelEncoding;
  /** The line-end handling of `writeLine` and `lines$`. */
  readonly translation: ChannelTranslation;

  private readonly socket: TransportSocket;
  private readonly readers = new Set<Subscriber<Uint8Array>>();
  private readonly pending: Uint8Array[] = [];
  private readonly drains = new Subject<void>();
  private readonly closes = new AsyncSubject<ChannelClose>();
  private eof = false;
  private failure: Error | undefined;
  private isClosed = false;
  private writable = true;
  private closing: Promise<void> | undefined;

  constructor(socket: TransportSocket, options: ChannelOptions = {}) {
    this.socket = socket;
    this.encoding = options.encoding ?? 'utf-8';
    this.translation = options.translation ?? 'auto';
    this.sockname = socketName(socket.localAddress);
    this.peername = socketName(socket.remoteAddress);
    this.snapshot = new BehaviorSubject<SocketSnapshot>({
      connecting: false,
      error: '',
      sockname: this.sockname,
      peername: this.peername,
      inFlight: [],
    });
    this.drain$ = this.drains.asObservable();
    this.closed$ = this.closes.asObservable();
    this.data$ = new Observable<Uint8Array>((subscriber) => this.addReader(subscriber));
    socket.events = {
      connect: () => {},
      data: (chunk) => this.onData(chunk),
      end: () => this.onEnd(),
      error: (error) => this.onError(error),
      close: () => this.onClose(),
      drain: () => this.drains.next(),
    };
  }

  /** True once the channel has closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Bytes queued for writing and not yet handed to the OS. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Queues bytes, or text encoded with the channel's encoding. Returns false once the queue is past the
   * high-water mark: wait for `drain$` before writing more.
   * @throws ChannelClosedError after `end()` or `close()`, or once the socket has closed.
   */
  write(data: string | Uint8Array): boolean {
    const bytes = this.toBytes(data, 'data');
    if (!this.writable || this.isClosed) throw new ChannelClosedError();
    return this.socket.write(bytes);
  }

  /** Tcl's `puts`: writes `text` and a line end (`\r\n` for `auto` and `crlf`, `\n` for `lf` and `binary`). */
  writeLine(text: string): boolean {
    if (typeof text !== 'string') throw new InvalidArgumentError('text', `must be a string, got ${typeof text}`, 'ERR_INVALID_ARG_TYPE');
    return this.write(text + lineEnd(this.translation));
  }

  /** Half-close: the peer sees EOF after the queued bytes; reading goes on. */
  end(): void {
    if (!this.writable || this.isClosed) return;
    this.writable = false;
    this.socket.end();
  }

  /**
   * Flushes what is queued, then closes both ways. Resolves once closed; rejects with the reason if the flush
   * failed (peer reset, broken pipe). The reason's message is never empty.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.writable = false;
    if (this.isClosed) {
      this.closing = Promise.resolve();
      return this.closing;
    }
    this.closing = new Promise<void>((resolve, reject) => {
      this.socket.end((error) => {
        this.socket.destroy();
        if (error) reject(readable(error));
        else resolve();
      });
    });
    return this.closing;
  }

  /** Closes at once, discarding queued writes. */
  destroy(): void {
    this.writable = false;
    this.socket.destroy();
  }

  private toBytes(data: unknown, argument: string): Uint8Array {
    if (typeof data === 'string') return encodeText(data, this.encoding);
    if (data instanceof Uint8Array) return data;
    throw new InvalidArgumentError(argument, `must be a string or a Uint8Array, got ${data === null ? 'null' : typeof data}`, 'ERR_INVALID_ARG_TYPE');
  }

  private addReader(subscriber: Subscriber<Uint8Array>): () => void {
    if (this.failure !== undefined) {
      subscriber.error(this.failure);
      return () => {};
    }
    // Bytes that came in while nobody listened go to the first subscriber.
    while (this.pending.length > 0 && !subscriber.closed) subscriber.next(this.pending.shift() as Uint8Array);
    if (this.eof || this.isClosed) {
      subscriber.complete();
      return () => {};
    }
    this.readers.add(subscriber);
    if (this.readers.size === 1) this.socket.resume();
    return () => {
      if (this.readers.delete(subscriber) && this.readers.size === 0 && !this.isClosed) this.socket.pause();
    };
  }

  private onData(chunk: Uint8Array): void {
    if (this.readers.size === 0) {
      this.pending.push(chunk);
      this.socket.pause();
      return;
    }
    for (const r of [...this.readers]) r.next(chunk);
  }

  private onEnd(): void {
    this.eof = true;
    const readers = [...this.readers];
    this.readers.clear();
    for (const r of readers) r.complete();
  }

  private onError(error: Error): void {
    const e = readable(error);
    this.failure ??= e;
    const readers = [...this.readers];
    this.readers.clear();
    for (const r of readers) r.error(e);
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.writable = false;
    this.onEnd();
    const failure = this.failure;
    if (failure !== undefined) {
      this.snapshot.next({ ...this.snapshot.value, error: tclText(errorCode(failure), failure.message) });
    }
    this.closes.next(failure === undefined ? {} : { error: failure });
    this.closes.complete();
    this.drains.complete();
  }
}
