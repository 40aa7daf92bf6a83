/**
 * The error of `Channel.lines$` when a line grows past the channel's `maxLineLength` before its line end
 * arrives. It guards against a peer that never sends a line end; `lines$` stops there, `data$` is unaffected.
 *
 * ## Example
 * ```ts
 * import { LineTooLongError } from 'rxconnect';
 * import type { Channel } from 'rxconnect';
 *
 * declare const channel: Channel;
 * channel.lines$.subscribe({
 *   error: (e) => { if (e instanceof LineTooLongError) channel.destroy(); },
 * });
 * ```
 */
export class LineTooLongError extends Error {
  /** Always `'LineTooLongError'`. */
  override readonly name: string = 'LineTooLongError';
  /** Always `ERR_LINE_TOO_LONG`. */
  readonly code = 'ERR_LINE_TOO_LONG' as const;
  /** The limit that was exceeded, in characters (UTF-16 code units), line end excluded. */
  readonly maxLineLength: number;

  constructor(maxLineLength: number) {
    super(`line too long: more than ${maxLineLength} characters without a line end`);
    this.maxLineLength = maxLineLength;
  }
}
