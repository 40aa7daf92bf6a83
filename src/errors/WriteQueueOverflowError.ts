/**
 * The error of {@link flushOnConnect} when the values queued while connecting would exceed its `maxBytes`.
 * The connect is cancelled. Nothing is dropped silently: `unsent` holds every value that was not written,
 * in order, the one that did not fit last.
 *
 * ## Example
 * ```ts
 * import { connectAsync$, flushOnConnect, WriteQueueOverflowError } from 'rxconnect';
 * import { Subject } from 'rxjs';
 *
 * const outgoing = new Subject<string>();
 * connectAsync$('localhost', 7).pipe(flushOnConnect(outgoing, { maxBytes: 1024 })).subscribe({
 *   error: (e) => { if (e instanceof WriteQueueOverflowError) console.log(e.code, e.unsent.length); },
 * });
 * ```
 */
export class WriteQueueOverflowError extends Error {
  /** Always `'WriteQueueOverflowError'`. */
  override readonly name: string = 'WriteQueueOverflowError';
  /** Always `ERR_WRITE_QUEUE_OVERFLOW`. */
  readonly code = 'ERR_WRITE_QUEUE_OVERFLOW' as const;
  /** Every value not written, in order; the value that did not fit is the last one. */
  readonly unsent: readonly (string | Uint8Array)[];
  /** The bound that was hit. */
  readonly maxBytes: number;
  /** The size, in bytes, the queue would have had with the value that did not fit. */
  readonly bytes: number;

  constructor(unsent: readonly (string | Uint8Array)[], maxBytes: number, bytes: number) {
    super(`write queue overflow: ${bytes} bytes queued while connecting would exceed maxBytes (${maxBytes}); ${unsent.length} value(s) unsent`);
    this.unsent = unsent;
    this.maxBytes = maxBytes;
    this.bytes = bytes;
  }
}
