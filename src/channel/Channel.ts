import { BehaviorSubject, Observable, Subject, Subscriber } from 'rxjs';
import { ChannelClosedError } from '../errors/ChannelClosedError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { errorCode, tclText } from '../errors/codes.js';
import { parseChoice } from '../validation/validate.js';
import { NAMES_KEPT } from '../transport/Transport.js';
import type { SocketEvents, TransportSocket } from '../transport/Transport.js';
import type { ChannelEncoding, ChannelTranslation } from './encoding.js';
import type { SocketAddress, SocketName, SocketSnapshot } from '../core/socket.js';
import { ENCODINGS, TRANSLATIONS, encodeText, lineEnd } from './encoding.js';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter } from './LineSplitter.js';
import { parseMaxLineLength } from '../validation/validate.js';

/** Options of a {@link Channel}. */
export type ChannelOptions = {
  /** The text encoding of `write`, `writeLine` and `lines$`. Default `'utf-8'`. */
  readonly encoding?: ChannelEncoding | undefined;
  /** The line-end handling of `writeLine` and `lines$`. Default `'auto'`. */
  readonly translation?: ChannelTranslation | undefined;
  /**
   * The longest line `lines$` accepts, in characters (UTF-16 code units), line end excluded; `Infinity` for no
   * limit. A longer line errors `lines$` with a `LineTooLongError`. Default 1 MiB (1048576).
   */
  readonly maxLineLength?: number | undefined;
  /**
   * Whether the socket stays writable after the peer's EOF. It must match the transport socket: rxconnect's
   * client sockets are not half-open (the peer's EOF ends our side too, as Node's default); `listen$` sockets
   * are when its `allowHalfOpen` option is set. Default false.
   */
  readonly allowHalfOpen?: boolean | undefined;
};

/** How a channel ended: `error` is set when it closed because of one. */
export type ChannelClose = {
  /** The socket error that closed the channel (`ECONNRESET`, ...), if one did. */
  readonly error?: Error;
};

/**
 * Whoever owns a channel and must know when it closes (`connectAsync$`'s run, `close()`), without the cost of a
 * `closed$` subscription. It is told in order with the `closed$` subscribers, as one of them would be.
 */
export type ChannelCloseWatcher = {
  channelClosed(close: ChannelClose): void;
};

/** Set by Channel's static block: the module's way into a channel's close watchers. */
let watchClose: (channel: Channel, watcher: ChannelCloseWatcher) => void;

/**
 * Internal (not exported by the package): tells `watcher` when `channel` has closed, at once if it has.
 * Cheaper than `channel.closed$.subscribe(...)`, which costs a subscriber chain per connection.
 */
export function watchChannelClose(channel: Channel, watcher: ChannelCloseWatcher): void {
  watchClose(channel, watcher);
}

/** Who reads the socket's bytes: a `data$` subscriber, or the channel's own `lines$` reader. */
type Reader = {
  readonly closed: boolean;
  next(chunk: Uint8Array): void;
  error(error: Error): void;
  complete(): void;
};

/** The channel's own reader behind `lines$`; `closed` is set when it stops. */
type LineReader = { closed: boolean; next(chunk: Uint8Array): void; error(error: Error): void; complete(): void };

type LinesEnd = { readonly error?: unknown };

/**
 * What `lines$` needs, made by the first read of `lines$`: most channels never split lines, and there is one
 * channel per connection.
 */
class LineState {
  readonly stream: Observable<string>;
  readonly subscribers = new Set<Subscriber<string>>();
  /** `subscribers` as an array, for pumpLines to walk once per line; dropped whenever a subscriber comes or goes. */
  list: Subscriber<string>[] | undefined;
  /** Lines split and not handed out yet: `queue[head]` is the next (no shift() per line). */
  readonly queue: string[] = [];
  head = 0;
  splitter: LineSplitter | undefined;
  reader: LineReader | undefined;
  end: LinesEnd | undefined;

  constructor(stream: Observable<string>) {
    this.stream = stream;
  }
}

/**
 * The parts of a channel made on first use: its streams and Subjects, its readers and unread bytes, its names
 * and its close Promise. An idle channel needs none of them, and there is one channel per connection.
 */
class ChannelParts {
  /** Read when first asked for if the socket keeps them (NAMES_KEPT), else when the channel is made. */
  sockname: SocketName | undefined;
  peername: SocketName | undefined;
  /**
   * Who reads the bytes now; made by the first reader. Replaced, never changed, when a reader comes or goes: a
   * chunk goes to the readers as they were when it came, without a copy per chunk.
   */
  readers: readonly Reader[] | undefined;
  /** Bytes that came while nobody read; made by the first such chunk. */
  pending: Uint8Array[] | undefined;
  closed$: Observable<ChannelClose> | undefined;
  data$: Observable<Uint8Array> | undefined;
  lines: LineState | undefined;
  drains: Subject<void> | undefined;
  drain$: Observable<void> | undefined;
  snapshot: BehaviorSubject<SocketSnapshot> | undefined;
  /** close()'s Promise, and how to settle it once its flush is over (closeOutcome) and the channel has closed. */
  closing: Promise<void> | undefined;
  resolveClose: (() => void) | undefined;
  rejectClose: ((error: Error) => void) | undefined;
  /** undefined while close() flushes; then null, or the error its Promise rejects with. */
  closeOutcome: Error | null | undefined;
}

/** A channel's text settings; channels with the defaults share one object. */
type TextSettings = { readonly encoding: ChannelEncoding; readonly translation: ChannelTranslation; readonly maxLineLength: number };

const DEFAULT_TEXT: TextSettings = { encoding: 'utf-8', translation: 'auto', maxLineLength: DEFAULT_MAX_LINE_LENGTH };

function textSettings(encoding: ChannelEncoding, translation: ChannelTranslation, maxLineLength: number): TextSettings {
  const { encoding: e, translation: t, maxLineLength: m } = DEFAULT_TEXT;
  return encoding === e && translation === t && maxLineLength === m ? DEFAULT_TEXT : { encoding, translation, maxLineLength };
}

// Channel.state bits.
/** Stays writable after the peer's EOF. */
const HALF_OPEN = 1;
/** The peer's EOF came. */
const EOF = 2;
/** The socket has closed. */
const CLOSED = 4;
/** The channel failed with written bytes still queued: they were lost. */
const LOST_WRITES = 8;

type CloseWatcher = Subscriber<ChannelClose> | ChannelCloseWatcher;

const NO_READERS: readonly Reader[] = [];

const isCloseWatcher = (w: CloseWatcher): w is ChannelCloseWatcher => typeof (w as Partial<ChannelCloseWatcher>).channelClosed === 'function';

const isOpen = (subscriber: { readonly closed: boolean }): boolean => !subscriber.closed;

function hasOpen(subscribers: Set<Subscriber<string>>): boolean {
  for (const r of subscribers) if (!r.closed) return true;
  return false;
}

/** One close watcher hears of the close; what it throws is reported, not passed on to the others. */
function tellClosed(w: CloseWatcher, result: ChannelClose): void {
  try {
    if (isCloseWatcher(w)) w.channelClosed(result);
    else w.next(result);
  } catch (error) {
    queueMicrotask(() => { throw error; });
  }
}

function socketName(address: SocketAddress | undefined): SocketName {
  // host is the numeric address: rxconnect does no reverse lookups.
  return address === undefined ? { address: '', host: '', port: 0 } : { address: address.address, host: address.address, port: address.port };
}

/** An error with a readable message, whatever the transport gave (Tcl once reported an empty one). */
function readable(error: Error): Error {
  if (error instanceof Error && error.message !== '') return error;
  const code = errorCode(error);
  const named = new Error(tclText(code, 'socket error'), { cause: error });
  return Object.assign(named, { code });
}

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
  private readonly text: TextSettings;
  /** How the channel closed, once it has. */
  private closeResult: ChannelClose | undefined;
  /**
   * Who waits for the close, in the order they came: `closed$` subscribers and internal watchers. Usually one
   * (the connect that made the channel), held as itself rather than in an array.
   */
  private closeWatchers: CloseWatcher | CloseWatcher[] | undefined;
  private parts: ChannelParts | undefined;
  private failure: Error | undefined;
  /** Why writing throws; undefined while the channel is writable. */
  private whyNotWritable: string | undefined;
  /** HALF_OPEN, EOF, CLOSED and LOST_WRITES, as bits of one field: there is one channel per connection. */
  private state = 0;
  /** Bytes written and not yet handed to the OS. */
  private unflushed = 0;

  /**
   * Wraps a connected transport socket. `connectAsync$` and `listen$` do this for you.
   *
   * @param socket A connected, paused transport socket. The channel takes over its events.
   * @param options Text settings, the line limit, and whether the socket is half-open.
   * @throws InvalidArgumentError or ArgumentOutOfRangeError for a bad option.
   */
  constructor(socket: TransportSocket, options: ChannelOptions = {}) {
    this.socket = socket;
    this.text = textSettings(
      parseChoice<ChannelEncoding>(options.encoding, 'encoding', ENCODINGS, 'utf-8'),
      parseChoice<ChannelTranslation>(options.translation, 'translation', TRANSLATIONS, 'auto'),
      parseMaxLineLength(options.maxLineLength) ?? DEFAULT_MAX_LINE_LENGTH,
    );
    if (options.allowHalfOpen === true) this.state = HALF_OPEN;
    if ((socket as { readonly [NAMES_KEPT]?: true })[NAMES_KEPT] !== true) {
      this.made.sockname = socketName(socket.localAddress);
      this.made.peername = socketName(socket.remoteAddress);
    }
    socket.events = new Channel.SocketEvents(this);
  }

  static {
    watchClose = (channel, watcher) => channel.watchClose(watcher);
  }

  /** The socket's events, as the methods of one small object rather than six closures per channel. */
  private static readonly SocketEvents = class implements SocketEvents {
    private readonly channel: Channel;

    constructor(channel: Channel) {
      this.channel = channel;
    }

    connect(): void {}

    data(chunk: Uint8Array): void {
      this.channel.onData(chunk);
    }

    end(): void {
      this.channel.onEnd();
    }

    error(error: Error): void {
      this.channel.onError(error);
    }

    close(): void {
      this.channel.onClose();
    }

    drain(): void {
      this.channel.parts?.drains?.next();
    }
  };

  /** The text encoding of `write`, `writeLine` and `lines$`. */
  get encoding(): ChannelEncoding {
    return this.text.encoding;
  }

  /** The line-end handling of `writeLine` and `lines$`. */
  get translation(): ChannelTranslation {
    return this.text.translation;
  }

  /** The longest line `lines$` accepts. */
  get maxLineLength(): number {
    return this.text.maxLineLength;
  }

  /**
   * The local endpoint, as Tcl's `-sockname`. It stays readable after the peer or an error closed the channel. After
   * your own `close()` or `destroy()` (or an unsubscribe), a name never read before is unknown:
   * `{ address: '', host: '', port: 0 }`. Read it while the channel is open if you will need it afterwards.
   */
  get sockname(): SocketName {
    return (this.made.sockname ??= socketName(this.socket.localAddress));
  }

  /** The remote endpoint, as Tcl's `-peername`. Kept after a close as `sockname` is. */
  get peername(): SocketName {
    return (this.made.peername ??= socketName(this.socket.remoteAddress));
  }

  /** Emits once when the channel has closed, for whatever reason, then completes. Late subscribers get it too. */
  get closed$(): Observable<ChannelClose> {
    return (this.made.closed$ ??= new Observable<ChannelClose>((subscriber) => {
      this.watchClose(subscriber);
      return () => this.unwatchClose(subscriber);
    }));
  }

  /** Incoming bytes; completes at EOF, errors on a socket error. Shared by all subscribers (and by `lines$`). */
  get data$(): Observable<Uint8Array> {
    return (this.made.data$ ??= new Observable<Uint8Array>((subscriber) => {
      this.attach(subscriber);
      return () => this.detach(subscriber);
    }));
  }

  /**
   * Incoming text split into lines (without their line ends), decoded with `encoding`, split per
   * `translation`. A last line without a line end comes at EOF. Shared; built on `data$`.
   */
  get lines$(): Observable<string> {
    const parts = this.made;
    if (parts.lines !== undefined) return parts.lines.stream;
    const lines = new LineState(
      new Observable<string>((subscriber) => {
        lines.subscribers.add(subscriber);
        lines.list = undefined;
        this.pumpLines(lines);
        if (!subscriber.closed) this.startLines(lines);
        return () => {
          lines.subscribers.delete(subscriber);
          lines.list = undefined;
          if (!hasOpen(lines.subscribers)) this.stopLines(lines);
        };
      }),
    );
    parts.lines = lines;
    return lines.stream;
  }

  /** Emits when the write queue falls below the high-water mark after a `write` returned false. */
  get drain$(): Observable<void> {
    const parts = this.made;
    if (parts.drain$ === undefined) {
      const drains = new Subject<void>();
      if (this.isClosed) drains.complete();
      parts.drains = drains;
      parts.drain$ = drains.asObservable();
    }
    return parts.drain$;
  }

  /** TIP 427's introspection of this socket: `sockname`, `peername`, and `error` once it failed. */
  get snapshot(): BehaviorSubject<SocketSnapshot> {
    return (this.made.snapshot ??= new BehaviorSubject<SocketSnapshot>({
      connecting: false,
      error: this.failureText(),
      sockname: this.sockname,
      peername: this.peername,
      inFlight: [],
    }));
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
   * high-water mark: wait for `drain$` before writing more (the bytes are queued all the same).
   *
   * @param data Bytes, or text to encode with `encoding`.
   * @returns False when the queue is past the high-water mark.
   * @throws ChannelClosedError after `end()` or `close()`, after a socket error, once the channel has closed,
   * or after the peer's EOF unless the channel is half-open.
   */
  write(data: string | Uint8Array): boolean {
    const bytes = this.toBytes(data, 'data');
    if (this.whyNotWritable !== undefined) throw new ChannelClosedError(this.whyNotWritable);
    const length = bytes.byteLength;
    this.unflushed += length;
    return this.socket.write(bytes, (error) => {
      if (error === null || error === undefined) this.unflushed -= length;
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
   * The Promise resolves once the queued bytes are handed to the OS and the channel has closed (`closed$` has
   * emitted). It rejects when
   * written bytes could not be flushed (peer reset, broken pipe), whether that happened before or during
   * `close()`; the reason has the transport's `code` and never an empty message. A failure that lost no written
   * bytes (say a reset while nothing was queued) does not reject: `closed$` and `data$` report it. Every call
   * returns the same Promise.
   *
   * `close()` waits as long as the peer takes to accept the bytes; to bound it, race it with a timer and call
   * `destroy()`.
   *
   * @returns A Promise of the flush and close.
   */
  close(): Promise<void> {
    const parts = this.made;
    if (parts.closing !== undefined) return parts.closing;
    this.stopWriting('channel was closed with close()');
    const closing = new Promise<void>((resolve, reject) => {
      parts.resolveClose = resolve;
      parts.rejectClose = reject;
    });
    parts.closing = closing;
    if (this.isClosed || this.failure !== undefined) this.flushed(parts, undefined);
    else this.socket.end((error) => this.flushed(parts, error));
    return closing;
  }

  /** close()'s flush is over: the socket goes, and the Promise settles with the outcome once the channel has closed. */
  private flushed(parts: ChannelParts, error: Error | null | undefined): void {
    this.socket.destroy();
    parts.closeOutcome = error !== null && error !== undefined ? readable(error) : this.lostWrites ? (this.failure ?? null) : null;
    // Not before closed$ has emitted: notifyClosed settles it otherwise.
    if (this.closeResult !== undefined) this.settleClose(parts);
  }

  /** Settles close()'s Promise, once: after the channel has closed (closed$ has emitted) and the flush is over. */
  private settleClose(parts: ChannelParts): void {
    const outcome = parts.closeOutcome;
    const resolve = parts.resolveClose;
    if (outcome === undefined || resolve === undefined) return;
    const reject = parts.rejectClose as (error: Error) => void;
    parts.resolveClose = undefined;
    parts.rejectClose = undefined;
    if (outcome === null) resolve();
    else reject(outcome);
  }

  /** Closes at once, discarding queued writes and unread input. Idempotent. */
  destroy(): void {
    this.stopWriting('channel was destroyed');
    this.socket.destroy();
  }

  private get eof(): boolean {
    return (this.state & EOF) !== 0;
  }

  private get isClosed(): boolean {
    return (this.state & CLOSED) !== 0;
  }

  private get lostWrites(): boolean {
    return (this.state & LOST_WRITES) !== 0;
  }

  /** The parts made on first use, made now if they aren't yet. */
  private get made(): ChannelParts {
    return (this.parts ??= new ChannelParts());
  }

  /** The snapshot's `error`: the failure's Tcl text once the channel has closed because of it, else empty. */
  private failureText(): string {
    const failure = this.failure;
    return this.isClosed && failure !== undefined ? tclText(errorCode(failure), failure.message) : '';
  }

  private stopWriting(why: string): void {
    this.whyNotWritable ??= why;
  }

  private toBytes(data: unknown, argument: string): Uint8Array {
    if (typeof data === 'string') return encodeText(data, this.encoding);
    if (data instanceof Uint8Array) return data;
    throw new InvalidArgumentError(argument, `must be a string or a Uint8Array, got ${data === null ? 'null' : typeof data}`, 'ERR_INVALID_ARG_TYPE');
  }

  // Reading: one list of readers, fed from the socket; bytes that find no reader wait in `pending`.

  private attach(reader: Reader): void {
    // Bytes that came in while nobody listened go to the first subscriber.
    const parts = this.made;
    const pending = parts.pending;
    while (pending !== undefined && pending.length > 0 && !reader.closed) reader.next(pending.shift() as Uint8Array);
    if (reader.closed) return;
    if (this.failure !== undefined) {
      reader.error(this.failure);
      return;
    }
    if (this.eof || this.isClosed) {
      reader.complete();
      return;
    }
    const readers = parts.readers;
    parts.readers = readers === undefined ? [reader] : [...readers, reader];
    if (readers === undefined || readers.length === 0) this.socket.resume();
  }

  private detach(reader: Reader): void {
    const parts = this.parts;
    const readers = parts?.readers;
    if (parts === undefined || readers === undefined || !readers.includes(reader)) return;
    const left = readers.filter((r) => r !== reader);
    parts.readers = left;
    if (left.length === 0 && !this.eof && !this.isClosed) this.socket.pause();
  }

  private onData(chunk: Uint8Array): void {
    let delivered = false;
    const readers = this.parts?.readers;
    if (readers !== undefined) {
      for (const r of readers) {
        if (r.closed) continue;
        r.next(chunk);
        delivered = true;
      }
    }
    if (!delivered) {
      (this.made.pending ??= []).push(chunk);
      this.socket.pause();
    }
  }

  private onEnd(): void {
    if (this.eof) return;
    this.state |= EOF;
    if ((this.state & HALF_OPEN) === 0) this.stopWriting('the peer closed the connection');
    const readers = this.takeReaders();
    for (const r of readers) r.complete();
  }

  private onError(error: Error): void {
    if (this.failure !== undefined) return;
    const e = readable(error);
    this.failure = e;
    if (this.unflushed > 0) this.state |= LOST_WRITES;
    this.stopWriting(`channel failed: ${e.message}`);
    const readers = this.takeReaders();
    for (const r of readers) r.error(e);
  }

  // Closing: closed$ as an AsyncSubject would do it, with internal watchers in the same list.

  private watchClose(watcher: CloseWatcher): void {
    const result = this.closeResult;
    if (result === undefined) {
      // The first alone, and a literal for two: a first push() would reserve room for 16 more.
      const watchers = this.closeWatchers;
      if (watchers === undefined) this.closeWatchers = watcher;
      else if (Array.isArray(watchers)) watchers.push(watcher);
      else this.closeWatchers = [watchers, watcher];
    } else if (!isCloseWatcher(watcher)) {
      watcher.next(result);
      watcher.complete();
    } else {
      watcher.channelClosed(result);
    }
  }

  private unwatchClose(watcher: Subscriber<ChannelClose>): void {
    const watchers = this.closeWatchers;
    if (watchers === watcher) {
      this.closeWatchers = undefined;
    } else if (Array.isArray(watchers)) {
      const i = watchers.indexOf(watcher);
      if (i >= 0) watchers.splice(i, 1);
    }
  }

  /** Everyone watching gets the close, in the order they came; then the subscribers complete. */
  private notifyClosed(result: ChannelClose): void {
    this.closeResult = result;
    const held = this.closeWatchers;
    this.closeWatchers = undefined;
    if (held !== undefined) {
      if (!Array.isArray(held)) {
        tellClosed(held, result);
        if (!isCloseWatcher(held)) held.complete();
      } else {
        // The list is no longer the channel's, so nothing changes it now: those who come while this runs are told
        // at once (closeResult is set), and a subscriber that left ignores the close.
        for (const w of held) tellClosed(w, result);
        for (const w of held) if (!isCloseWatcher(w)) w.complete();
      }
    }
    // close()'s Promise last (if its flush is over too): its callers run after the watchers in any case.
    const parts = this.parts;
    if (parts !== undefined) this.settleClose(parts);
  }

  /** The readers, removed: the stream is over for them. */
  private takeReaders(): readonly Reader[] {
    const parts = this.parts;
    const readers = parts?.readers;
    if (parts === undefined || readers === undefined) return NO_READERS;
    parts.readers = undefined;
    return readers;
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.state |= CLOSED;
    this.stopWriting('channel is closed');
    if (this.failure === undefined) this.onEnd();
    const failure = this.failure;
    const snapshot = this.parts?.snapshot;
    if (failure !== undefined && snapshot !== undefined) snapshot.next({ ...snapshot.value, error: this.failureText() });
    this.notifyClosed(failure === undefined ? {} : { error: failure });
    this.parts?.drains?.complete();
  }

  // Lines: one decoder per channel, reading as a Reader while some lines$ subscriber is there.

  private startLines(lines: LineState): void {
    if (lines.reader !== undefined || lines.end !== undefined) return;
    const splitter = (lines.splitter ??= new LineSplitter(this.encoding, this.translation, this.maxLineLength));
    const reader: LineReader = {
      closed: false,
      next: (chunk: Uint8Array) => {
        try {
          splitter.push(chunk, lines.queue);
        } catch (error) {
          this.finishLines(lines, { error });
        }
        this.pumpLines(lines);
      },
      error: (error: Error) => {
        this.finishLines(lines, { error });
        this.pumpLines(lines);
      },
      complete: () => {
        try {
          splitter.end(lines.queue);
          this.finishLines(lines, {});
        } catch (error) {
          this.finishLines(lines, { error });
        }
        this.pumpLines(lines);
      },
    };
    lines.reader = reader;
    this.attach(reader);
  }

  private stopLines(lines: LineState): void {
    const reader = lines.reader;
    if (reader === undefined) return;
    lines.reader = undefined;
    reader.closed = true;
    this.detach(reader);
  }

  private finishLines(lines: LineState, end: LinesEnd): void {
    if (lines.end !== undefined) return;
    lines.end = end;
    this.stopLines(lines);
  }

  /** Hands queued lines to the lines$ subscribers; ends them once the queue is empty and the lines are over. */
  private pumpLines(lines: LineState): void {
    const queue = lines.queue;
    while (lines.head < queue.length) {
      // The subscribers as they are when this line goes out: one that comes or goes meanwhile drops the list,
      // and the next line sees the new one.
      const readers = (lines.list ??= [...lines.subscribers]);
      if (!readers.some(isOpen)) break;
      // Taken before it is handed out, so a pumpLines() re-entered from next() goes on with the line after.
      const line = queue[lines.head++] as string;
      for (const r of readers) if (!r.closed) r.next(line);
    }
    // Drop the lines handed out: all of them, unless the subscribers left before the queue was empty.
    if (lines.head > 0) {
      queue.splice(0, lines.head);
      lines.head = 0;
    }
    const end = lines.end;
    if (end !== undefined && queue.length === 0) {
      const readers = [...lines.subscribers];
      lines.subscribers.clear();
      lines.list = undefined;
      for (const r of readers) {
        if ('error' in end) r.error(end.error as Error);
        else r.complete();
      }
    }
    if (!hasOpen(lines.subscribers)) this.stopLines(lines);
  }
}
