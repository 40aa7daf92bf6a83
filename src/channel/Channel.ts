import type { TlsSession } from '../core/tls.js';
import { BehaviorSubject } from 'rxjs';
import type { Observable } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { errorCode, socketError } from '../errors/codes.js';
import { NAMES_KEPT } from '../transport/Transport.js';
import type { NetSocket, TransportSocket } from '../transport/Transport.js';
import type { SocketName, SocketSnapshot } from '../core/socket.js';
import type { ChannelEncoding, ChannelTranslation } from './encoding.js';
import { lineEnd, toBytes } from './encoding.js';
import { channelSettings } from './ChannelOptions.js';
import type { ChannelClose, ChannelCloseWatcher, ChannelOptions, ChannelSettings } from './ChannelOptions.js';
import { ChannelParts, socketName } from './ChannelParts.js';
import type { ChannelPhase } from './ChannelParts.js';
import { ChannelSocketEvents } from './ChannelSocketEvents.js';
import { CloseSignal, closeResult } from './CloseSignal.js';
import { Inbound } from './Inbound.js';
import { LineStream } from './LineStream.js';

export type { ChannelClose, ChannelCloseWatcher, ChannelOptions } from './ChannelOptions.js';

/**
 * A connected socket as streams: incoming bytes as `data$` and lines as `lines$`, writes with backpressure,
 * half-close, and a close that reports what went wrong. Client connects (`connectAsync$`) and servers
 * (`listen$`) both hand out Channels.
 *
 * <span class="informal">Incoming data is never lost: the socket stays paused until something subscribes to
 * `data$` or `lines$`, and pauses again when nobody does. Bytes that arrived meanwhile go to the next
 * subscriber.</span>
 *
 * ```
 * peer sends:  -a--b------c--|      chunks a = "x\r", b = "\ny", c = "z", then its EOF (|)
 * data$:       -------^(ab)c--|     nothing is read until the first subscriber (^): a and b waited for it
 * lines$:      -------^x---(y|)     used instead of data$: x = "x", y = "yz" (a last line needs no line end)
 * closed$:     --------------(d|)   d = {} or { error }, once; late subscribers get it too
 * ```
 *
 * Reading. `data$` is one shared stream of chunks: every current subscriber gets each chunk. It completes at
 * the peer's EOF and errors on a socket error (`ECONNRESET`, ...). `lines$` is built on the same stream and
 * shares it: a chunk reaches every subscriber of `data$` and the `lines$` decoder alike, so subscribe to one or
 * the other, or to `lines$` alone while you want lines. `lines$` is shared too: each line goes to every current
 * `lines$` subscriber, and the decoder keeps its state (a partial line, half a UTF-8 character, a `\r` waiting
 * for its `\n`) when the last subscriber leaves, so the next one goes on where it stopped. Lines already split
 * but not yet taken (say by `take(1)`) wait for the next `lines$` subscriber. A line longer than `maxLineLength`
 * errors `lines$` (not `data$`) with a `LineTooLongError`, for good.
 *
 * Writing. `write` and `writeLine` queue bytes and return false past the high-water mark; `drain$` tells when
 * to go on. `end()` half-closes; `close()` flushes, then closes, and its Promise tells whether the flush worked.
 * After `end()`, `close()`, an error, or (unless `allowHalfOpen`) the peer's EOF, writing throws a
 * `ChannelClosedError`.
 *
 * Closing. Written bytes are never dropped silently: when some never reach the OS (a reset, `destroy()`),
 * `closed$` emits the error with an `unsent` byte count, and `close()` rejects with it. Errors read as Tcl's
 * (`connection reset by peer`), with the errno `code` and Node's error as `cause`. A Channel is
 * `AsyncDisposable`: `await using channel = ...` closes it at the end of the block. A close waits for the
 * peer's EOF (at most 30 s), reading away what the peer still sends, so that unread input does not reset the
 * connection and lose the tail of what was written. When its owner lets go (an unsubscribe from
 * `connectAsync$`), the channel closes as `close()` does and still flushes what is queued, bounded: once no
 * queued byte reaches the OS for 30 s, the flush ends and `closed$` reports the unsent bytes (code `ETIMEDOUT`).
 *
 * ## Example
 * ```ts
 * import { connectAsync$, connected } from 'rxconnect';
 * import { switchMap, take } from 'rxjs';
 *
 * connectAsync$('localhost', 9900)
 *   .pipe(connected(), switchMap((channel) => channel.lines$.pipe(take(2))))
 *   .subscribe((line) => console.log(line));
 * ```
 */
export class Channel {
  private readonly socket: TransportSocket;
  private readonly settings: ChannelSettings;
  private phase: ChannelPhase = 'open';
  /** The socket error, once one came. */
  private failure: Error | undefined;
  /** Why writing throws; undefined while the channel is writable. */
  private whyNotWritable: string | undefined;
  /** Bytes written and not yet handed to the OS: whole writes, until destroy() asks the transport for the rest. */
  private unflushed = 0;
  /** The one internal close watcher (`connectAsync$`'s run), told before the `closed$` subscribers. */
  private owner: ChannelCloseWatcher | undefined;
  /** The collaborators and other parts made on first use: an idle channel has none. */
  private parts: ChannelParts | undefined;

  /**
   * Wraps a connected transport socket. `connectAsync$` and `listen$` do this for you.
   *
   * @param socket A connected, paused transport socket. The channel takes over its events.
   * @param options Text settings, the line limit, whether the socket is half-open, and the scheduler of its timers.
   * @throws InvalidArgumentError or ArgumentOutOfRangeError for a bad option.
   */
  constructor(socket: TransportSocket, options: ChannelOptions = {}) {
    this.socket = socket;
    this.settings = channelSettings(options);
    if ((socket as { readonly [NAMES_KEPT]?: true })[NAMES_KEPT] !== true) {
      const parts = this.useParts();
      parts.sockname = socketName(socket.localAddress);
      parts.peername = socketName(socket.remoteAddress);
    }
    socket.events = new ChannelSocketEvents(this);
  }

  /** The text encoding of `write`, `writeLine` and `lines$`. */
  get encoding(): ChannelEncoding {
    return this.settings.encoding;
  }

  /** The line-end handling of `writeLine` and `lines$`. */
  get translation(): ChannelTranslation {
    return this.settings.translation;
  }

  /** The longest line `lines$` accepts. */
  get maxLineLength(): number {
    return this.settings.maxLineLength;
  }

  /**
   * The local endpoint, as Tcl's `-sockname`. It stays readable after the peer or an error closed the channel. After
   * your own `close()` or `destroy()` (or an unsubscribe), a name never read before is unknown:
   * `{ address: '', host: '', port: 0 }`. Read it while the channel is open if you will need it afterwards.
   */
  get sockname(): SocketName {
    return (this.useParts().sockname ??= socketName(this.socket.localAddress));
  }

  /** The remote endpoint, as Tcl's `-peername`. Kept after a close as `sockname` is. */
  get peername(): SocketName {
    return (this.useParts().peername ??= socketName(this.socket.remoteAddress));
  }

  /** With `tls`: the session (protocol, ALPN, cipher, verification, `peerCertificate()`); `null` for plain TCP. */
  get tls(): TlsSession | null {
    return this.socket.tls ?? null;
  }

  /** Emits once when the channel has closed, for whatever reason, then completes. Late subscribers get it too. */
  get closed$(): Observable<ChannelClose> {
    return this.useCloseSignal().closed$;
  }

  /** Incoming bytes; completes at EOF, errors on a socket error. Shared by all subscribers (and by `lines$`). */
  get data$(): Observable<Uint8Array> {
    return this.useInbound().data$;
  }

  /**
   * Incoming text split into lines (without their line ends), decoded with `encoding`, split per
   * `translation`. A last line without a line end comes at EOF. Shared; built on `data$`.
   */
  get lines$(): Observable<string> {
    return (this.useParts().lines ??= new LineStream(this.useInbound(), this.settings)).lines$;
  }

  /** Emits when the write queue falls below the high-water mark after a `write` returned false. */
  get drain$(): Observable<void> {
    return this.useParts().drainStream(this.phase === 'closed');
  }

  /** TIP 427's introspection of this socket: `sockname`, `peername`, and `error` once it failed. */
  get snapshot(): BehaviorSubject<SocketSnapshot> {
    const initial: SocketSnapshot = { connecting: false, error: this.failureText(), sockname: this.sockname, peername: this.peername, inFlight: [] };
    return (this.useParts().snapshot ??= new BehaviorSubject<SocketSnapshot>(initial));
  }

  /** True once the channel has closed. */
  get closed(): boolean { return this.phase === 'closed'; }

  /** Bytes queued for writing and not yet handed to the OS. */
  get bufferedAmount(): number { return this.socket.writableLength; }

  /**
   * Queues bytes, or text encoded with the channel's encoding. Returns false once the queue is past the
   * high-water mark: wait for `drain$` before writing more (the bytes are queued all the same).
   *
   * @param data Bytes, or text to encode with `encoding`.
   * @returns False when the queue is past the high-water mark.
   * @throws ChannelClosedError after `end()` or `close()`, after a socket error, once the channel has closed,
   * or after the peer's EOF unless the channel is half-open.
   */
  write(data: string | Uint8Array): boolean {
    const bytes = toBytes(data, this.encoding);
    if (this.whyNotWritable !== undefined) throw new ChannelClosedError(this.whyNotWritable);
    const length = bytes.byteLength;
    this.unflushed += length;
    return this.socket.write(bytes, (error) => {
      // Once the socket is destroyed or failed, Node reports a cancelled write as done: only earlier ones count.
      if ((error === null || error === undefined) && this.failure === undefined && this.parts?.closeSignal?.wasCut !== true) this.unflushed -= length;
    });
  }

  /**
   * Tcl's `puts`: writes `text` and a line end (`\r\n` for `auto` and `crlf`, as Tcl sockets send, and `\n` for
   * `lf` and `binary`).
   *
   * @param text The line, without its line end.
   * @returns False when the queue is past the high-water mark.
   * @throws ChannelClosedError as `write` does.
   */
  writeLine(text: string): boolean {
    if (typeof text !== 'string') throw new InvalidArgumentError('text', `must be a string, got ${typeof text}`, 'ERR_INVALID_ARG_TYPE');
    return this.write(text + lineEnd(this.translation));
  }

  /**
   * Half-close: the peer sees EOF after the queued bytes; reading goes on. Writing afterwards throws.
   * Idempotent. A failed flush shows in `closed$` and in a later `close()`.
   */
  end(): void {
    if (this.whyNotWritable !== undefined) return;
    this.stopWriting('channel was ended with end()');
    this.socket.end();
  }

  /**
   * Flushes what is queued, then closes both ways. Unread incoming data is discarded.
   *
   * Over TCP the close lingers: after the flush it half-closes and reads away what the peer sends until the
   * peer's EOF (a socket closed with unread input resets, losing the tail of what was written), at most 30 s on
   * the channel's scheduler, then lets the socket go. `closed$` emits when the socket has closed.
   *
   * The Promise resolves once the queued bytes are handed to the OS and the channel has closed (`closed$` has
   * emitted). It rejects whenever written bytes were not handed to the OS: the peer reset or the pipe broke
   * (before or during `close()`), or `destroy()` cut the flush short. The reason has a `code` (the socket
   * error's, or `ECANCELED` after `destroy()`), a message that says how many bytes were unsent, and that count
   * as `unsent`; `closed$` emits the same reason with the same count. A failure that lost no written bytes (say a
   * reset once every byte was handed over) does not reject: `closed$` and `data$` report it. Every call returns the
   * same Promise.
   *
   * `close()` waits as long as the peer takes to accept the bytes; to bound it, race it with a timer and call
   * `destroy()`, after which this Promise rejects with code `ECANCELED` and the `unsent` count.
   *
   * @returns A Promise of the flush and close.
   */
  close(): Promise<void> {
    const signal = this.useCloseSignal();
    const started = signal.closing;
    if (started !== undefined) return started;
    this.stopWriting('channel was closed with close()');
    const closing = signal.startClosing();
    if (this.phase === 'closed' || this.failure !== undefined) this.onFlushed(undefined);
    else if (this.socket.lingeringClose !== undefined) this.socket.lingeringClose((error) => this.onFlushed(error));
    else this.socket.end((error) => this.onFlushed(error));
    return closing;
  }

  /** `close()`, so that `await using channel = await connect(...)` closes it when the block ends; see `close()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * @internal The owner lets go (an unsubscribe from `connectAsync$`): `close()`, which flushes as Tcl's does,
   * bounded: every `stallTimeout` ms (default 30 s) on the channel's scheduler, a flush whose unsent bytes did not
   * go down since the last check is cut short, and `closed$` reports them with code `ETIMEDOUT`. Throws and
   * rejects nothing: `closed$` has the outcome.
   */
  release(stallTimeout?: number): void {
    if (this.phase === 'closed') return;
    // The outcome is on closed$; close()'s own callers still get its rejection.
    this.close().catch(() => undefined);
    // Progress in the transport's bytes (a big write completes once, at its end); a virtual socket has none left.
    if (this.socket.writableLength === 0) return;
    this.useCloseSignal().watchStall(this.settings.scheduler, () => this.socket.writableLength, () => this.cutShort('ETIMEDOUT'), stallTimeout);
  }

  /**
   * Closes at once, discarding queued writes and unread input. Idempotent. Discarded writes are not dropped
   * silently: `closed$` (and a pending `close()`) report how many bytes were unsent.
   */
  destroy(): void {
    this.cutShort('ECANCELED');
  }

  /**
   * Hands the socket over, open, to code that takes a Node socket (a driver, `node:http`); the channel closes as
   * detached (`closed$` emits `{ detached: true }`, `data$` completes, writing throws). Bytes read and not yet
   * taken from `data$` go back into the socket, and bytes written before are the socket's to send.
   *
   * @returns The socket (Node: a `net.Socket`, or a `tls.TLSSocket` with `tls`), not paused.
   * @throws ChannelClosedError once the channel has closed, failed or begun closing, after `lines$` was read (its
   * decoder holds bytes as text), or when its transport cannot hand sockets over.
   */
  detach(): NetSocket {
    const parts = this.parts;
    const why = this.phase === 'closed' || this.failure !== undefined || parts?.closeSignal?.closing !== undefined || parts?.closeSignal?.wasCut === true ? 'channel is closed' : parts?.lines !== undefined ? 'lines$ was read' : this.socket.detach === undefined ? "the channel's transport cannot hand sockets over" : undefined;
    if (why !== undefined) throw new ChannelClosedError(`cannot detach: ${why}`);
    const socket = (this.socket.detach as () => NetSocket)();
    const unread = parts?.inbound?.takeUnread() ?? [];
    for (let i = unread.length - 1; i >= 0; i--) socket.unshift(unread[i]);
    this.phase = 'closed';
    this.stopWriting('channel was detached');
    parts?.inbound?.finish();
    parts?.drains?.complete();
    const owner = this.owner;
    this.owner = undefined;
    this.useCloseSignal().closed({ detached: true }, owner);
    return socket;
  }

  /** @internal The channel's one owner hears of the close first, at once if it has closed. See watchChannelClose. */
  watchClose(watcher: ChannelCloseWatcher): void {
    if (this.owner !== undefined) throw new Error('a channel has one owner');
    const closed = this.parts?.closeSignal?.closeResult;
    if (closed !== undefined) watcher.channelClosed(closed);
    else this.owner = watcher;
  }

  /** @internal */
  onSocketData(chunk: Uint8Array): void {
    this.useInbound().push(chunk);
  }

  /** @internal */
  onSocketEnd(): void {
    if (this.phase !== 'open') return;
    this.phase = 'peerEnded';
    if (!this.settings.allowHalfOpen) this.stopWriting('the peer closed the connection');
    this.parts?.inbound?.finish();
  }

  /** @internal */
  onSocketError(error: Error): void {
    if (this.failure !== undefined) return;
    const e = socketError(error, errorCode(error));
    this.failure = e;
    this.stopWriting(`channel failed: ${e.message}`);
    this.parts?.inbound?.fail(e);
  }

  /** @internal */
  onSocketClose(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopWriting('channel is closed');
    // Made now, so that whoever subscribes to closed$ while the readers end waits in line for the close.
    const signal = this.useCloseSignal();
    if (this.failure === undefined) this.parts?.inbound?.finish();
    const snapshot = this.parts?.snapshot;
    if (this.failure !== undefined && snapshot !== undefined) snapshot.next({ ...snapshot.value, error: this.failureText() });
    const result = closeResult(this.failure, this.unflushed, signal.unsentCode);
    const owner = this.owner;
    this.owner = undefined;
    signal.closed(result, owner);
    this.parts?.drains?.complete();
  }

  /** @internal */
  onSocketDrain(): void {
    this.parts?.drains?.next();
  }

  /** close()'s flush is over: a lingering socket goes at the peer's EOF or the release bound, any other now. */
  private onFlushed(error: Error | null | undefined): void {
    const signal = this.useCloseSignal();
    if ((error !== null && error !== undefined) || this.socket.lingeringClose === undefined) this.socket.destroy();
    else signal.linger(this.settings.scheduler, () => this.socket.destroy());
    signal.flushed();
  }

  /** Closes at once; the unsent bytes are reported with `code`. */
  private cutShort(code: string): void {
    // What the OS has of a write in progress is not unsent: the transport counts the rest byte by byte.
    if (this.useCloseSignal().cut(code) && this.phase !== 'closed') this.unflushed = Math.min(this.unflushed, this.socket.writableLength);
    this.stopWriting('channel was destroyed');
    this.socket.destroy();
  }

  private useInbound(): Inbound {
    const parts = this.useParts();
    let inbound = parts.inbound;
    if (inbound === undefined) {
      inbound = parts.inbound = new Inbound(this.socket);
      // Made late: it learns what the stream already did.
      if (this.failure !== undefined) inbound.fail(this.failure);
      else if (this.phase !== 'open') inbound.finish();
    }
    return inbound;
  }

  private useCloseSignal(): CloseSignal {
    return (this.useParts().closeSignal ??= new CloseSignal());
  }

  private useParts(): ChannelParts {
    return (this.parts ??= new ChannelParts());
  }

  /** The snapshot's `error`: the failure's Tcl text once the channel has closed because of it, else empty. */
  private failureText(): string {
    return this.phase === 'closed' ? (this.failure?.message ?? '') : '';
  }

  private stopWriting(why: string): void {
    this.whyNotWritable ??= why;
  }
}
