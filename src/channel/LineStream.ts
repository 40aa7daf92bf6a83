import { Observable } from 'rxjs';
import type { Subscriber } from 'rxjs';
import type { ChannelSettings } from './ChannelOptions.js';
import type { Inbound, Reader } from './Inbound.js';
import { LineSplitter } from './LineSplitter.js';

/** How the lines ended: at the end of input (`{}`), or with the error that stopped them. */
type LinesEnd = { readonly error?: unknown };

/** The line stream's own reader of the inbound bytes while some `lines$` subscriber is there. */
class LineReader implements Reader {
  closed = false;
  private readonly lines: LineStream;

  constructor(lines: LineStream) {
    this.lines = lines;
  }

  next(chunk: Uint8Array): void {
    this.lines.decode(chunk);
  }

  error(error: Error): void {
    this.lines.fail(error);
  }

  complete(): void {
    this.lines.decodeEnd();
  }
}

const isOpen = (subscriber: { readonly closed: boolean }): boolean => !subscriber.closed;

/**
 * A channel's `lines$`: one decoder over the inbound bytes, reading while some subscriber is there. Split lines
 * wait in a queue until a subscriber takes them; the decoder keeps its state (a partial line, half a character)
 * between subscribers. Made by the first read of `lines$`.
 */
export class LineStream {
  /** The lines, shared by every subscriber. */
  readonly lines$: Observable<string>;
  private readonly inbound: Inbound;
  private readonly settings: ChannelSettings;
  private readonly subscribers = new Set<Subscriber<string>>();
  /** `subscribers` as an array, for pump() to walk once per line; dropped whenever a subscriber comes or goes. */
  private list: Subscriber<string>[] | undefined;
  /** Lines split and not handed out yet: `queue[head]` is the next, so handing one out costs no shift(). */
  private readonly queue: string[] = [];
  private head = 0;
  private splitter: LineSplitter | undefined;
  private reader: LineReader | undefined;
  private end: LinesEnd | undefined;

  constructor(inbound: Inbound, settings: ChannelSettings) {
    this.inbound = inbound;
    this.settings = settings;
    this.lines$ = new Observable<string>((subscriber) => {
      this.subscribers.add(subscriber);
      this.list = undefined;
      this.pump();
      if (!subscriber.closed) this.start();
      return () => {
        this.subscribers.delete(subscriber);
        this.list = undefined;
        if (!this.hasOpenSubscriber()) this.stop();
      };
    });
  }

  /** Splits one chunk into the queue and hands the lines out. */
  decode(chunk: Uint8Array): void {
    try {
      this.splitter?.push(chunk, this.queue);
    } catch (error) {
      this.finish({ error });
    }
    this.pump();
  }

  /** End of input: the last line, if it has no line end, then the end. */
  decodeEnd(): void {
    try {
      this.splitter?.end(this.queue);
      this.finish({});
    } catch (error) {
      this.finish({ error });
    }
    this.pump();
  }

  /** The socket failed: the lines already split go out first, then the error. */
  fail(error: Error): void {
    this.finish({ error });
    this.pump();
  }

  private start(): void {
    if (this.reader !== undefined || this.end !== undefined) return;
    const { encoding, translation, maxLineLength } = this.settings;
    this.splitter ??= new LineSplitter(encoding, translation, maxLineLength);
    const reader = new LineReader(this);
    this.reader = reader;
    this.inbound.attach(reader);
  }

  private stop(): void {
    const reader = this.reader;
    if (reader === undefined) return;
    this.reader = undefined;
    reader.closed = true;
    this.inbound.detach(reader);
  }

  private finish(end: LinesEnd): void {
    if (this.end !== undefined) return;
    this.end = end;
    this.stop();
  }

  private hasOpenSubscriber(): boolean {
    for (const s of this.subscribers) if (!s.closed) return true;
    return false;
  }

  /** Hands queued lines to the subscribers; ends them once the queue is empty and the lines are over. */
  private pump(): void {
    const queue = this.queue;
    while (this.head < queue.length) {
      // The subscribers as they are when this line goes out: one that comes or goes meanwhile drops the list,
      // and the next line sees the new one.
      const subscribers = (this.list ??= [...this.subscribers]);
      if (!subscribers.some(isOpen)) break;
      // Taken before it is handed out, so a pump() re-entered from next() goes on with the line after.
      const line = queue[this.head++] as string;
      for (const s of subscribers) if (!s.closed) s.next(line);
    }
    // Drop the lines handed out: all of them, unless the subscribers left before the queue was empty.
    if (this.head > 0) {
      queue.splice(0, this.head);
      this.head = 0;
    }
    const end = this.end;
    if (end !== undefined && queue.length === 0) {
      const subscribers = [...this.subscribers];
      this.subscribers.clear();
      this.list = undefined;
      for (const s of subscribers) {
        if ('error' in end) s.error(end.error);
        else s.complete();
      }
    }
    if (!this.hasOpenSubscriber()) this.stop();
  }
}
