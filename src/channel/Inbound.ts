import { Observable } from 'rxjs';

/** Who reads the socket's bytes: a `data$` subscriber, or the reader behind `lines$`. */
export type Reader = {
  readonly closed: boolean;
  next(chunk: Uint8Array): void;
  error(error: Error): void;
  complete(): void;
};

/** The socket's flow control, as Inbound uses it. */
export type InboundSocket = {
  pause(): void;
  resume(): void;
};

/** How the incoming stream ended: at the peer's EOF or the close (`{}`), or with the socket's error. */
type InboundEnd = { readonly error?: Error };

/**
 * A channel's incoming bytes: fans each chunk out to the current readers, keeps the chunks that came while
 * nobody read, keeps the socket paused while nobody reads, and tells every reader, late ones too, how the
 * stream ended. Made by the channel's first reader or first unread chunk.
 */
export class Inbound {
  /** Incoming bytes, shared by every subscriber. */
  readonly data$: Observable<Uint8Array>;
  private readonly socket: InboundSocket;
  /**
   * Who reads now. Replaced, never changed, when a reader comes or goes: a chunk goes to the readers as they were
   * when it came, without a copy per chunk.
   */
  private readers: readonly Reader[] = [];
  /** Bytes that came while nobody read, oldest first. */
  private readonly unread: Uint8Array[] = [];
  private end: InboundEnd | undefined;

  constructor(socket: InboundSocket) {
    this.socket = socket;
    this.data$ = new Observable<Uint8Array>((subscriber) => {
      this.attach(subscriber);
      return () => this.detach(subscriber);
    });
  }

  /** Adds a reader: it gets the unread bytes first, then what comes, or at once how the stream ended. */
  attach(reader: Reader): void {
    const unread = this.unread;
    while (unread.length > 0 && !reader.closed) reader.next(unread.shift() as Uint8Array);
    if (reader.closed) return;
    const end = this.end;
    if (end !== undefined) {
      if (end.error !== undefined) reader.error(end.error);
      else reader.complete();
      return;
    }
    const readers = this.readers;
    this.readers = [...readers, reader];
    if (readers.length === 0) this.socket.resume();
  }

  /** Removes a reader; the socket pauses when the last one goes. */
  detach(reader: Reader): void {
    const readers = this.readers;
    if (!readers.includes(reader)) return;
    this.readers = readers.filter((r) => r !== reader);
    if (this.readers.length === 0 && this.end === undefined) this.socket.pause();
  }

  /** A chunk came: to every open reader, or kept (and the socket paused) when there is none. */
  push(chunk: Uint8Array): void {
    let delivered = false;
    for (const r of this.readers) {
      if (r.closed) continue;
      r.next(chunk);
      delivered = true;
    }
    if (!delivered) {
      this.unread.push(chunk);
      this.socket.pause();
    }
  }

  /** The peer's EOF, or the close: the readers complete. Unread bytes still go to the next reader. */
  finish(): void {
    if (this.end !== undefined) return;
    this.end = {};
    for (const r of this.takeReaders()) r.complete();
  }

  /** The socket failed: the readers error, and so will every later one, even after an EOF. */
  fail(error: Error): void {
    if (this.end?.error !== undefined) return;
    this.end = { error };
    for (const r of this.takeReaders()) r.error(error);
  }

  /** The bytes that came while nobody read, taken out (the socket is handed over), oldest first. */
  takeUnread(): Uint8Array[] {
    return this.unread.splice(0);
  }

  /** The readers, removed: the stream is over for them. */
  private takeReaders(): readonly Reader[] {
    const readers = this.readers;
    this.readers = [];
    return readers;
  }
}
