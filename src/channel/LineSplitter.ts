import { LineTooLongError } from '../errors/LineTooLongError.js';
import type { ChannelEncoding, ChannelTranslation } from './encoding.js';
import { textDecoder } from './encoding.js';
import type { TextChunkDecoder } from './encoding.js';

/** The default `maxLineLength`: 1 MiB of characters. */
export const DEFAULT_MAX_LINE_LENGTH: number = 1024 * 1024;

const LF = 10;

/**
 * Turns a byte stream into lines: decodes with the channel's encoding (keeping characters split across chunks),
 * then splits per translation. State survives between chunks, so it can be fed chunk by chunk.
 *
 * - `auto`: `\n`, `\r\n` and `\r` end a line. A `\r` ends its line at once; a `\n` that comes right after it, even
 *   in the next chunk, is swallowed (Tcl's INPUT_SAW_CR), so a `\r\n` split across chunks is one line end.
 * - `lf` and `binary`: only `\n`; a `\r` stays in the line.
 * - `crlf`: only `\r\n`; a lone `\r` or `\n` stays in the line.
 *
 * A final line without a line end comes out at `end()`. A line (or an unfinished one) longer than
 * `maxLineLength` makes `push`/`end` throw a {@link LineTooLongError}.
 */
export class LineSplitter {
  private readonly decoder: TextChunkDecoder;
  private readonly translation: ChannelTranslation;
  private readonly maxLineLength: number;
  /** The text of the line not ended yet. */
  private unfinishedLine = '';
  /** auto: the last character seen was a `\r` that ended a line; a `\n` next is part of that line end. */
  private sawCR = false;

  constructor(encoding: ChannelEncoding, translation: ChannelTranslation, maxLineLength: number) {
    this.decoder = textDecoder(encoding);
    this.translation = translation;
    this.maxLineLength = maxLineLength;
  }

  /** Decodes and splits one chunk; complete lines are appended to `out`. */
  push(chunk: Uint8Array, out: string[]): void {
    this.split(this.decoder.write(chunk), out);
  }

  /** End of input: flushes the decoder and emits the last line, if it has no line end. */
  end(out: string[]): void {
    this.split(this.decoder.end(), out);
    if (this.unfinishedLine !== '') this.emit(this.unfinishedLine, out);
    this.unfinishedLine = '';
  }

  private emit(line: string, out: string[]): void {
    if (line.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
    out.push(line);
  }

  private split(text: string, out: string[]): void {
    if (text === '') return;
    let start = 0;
    switch (this.translation) {
      case 'auto': {
        if (this.sawCR) {
          this.sawCR = false;
          if (text.charCodeAt(0) === LF) start = 1;
        }
        // The next \n and the next \r, each searched again only once passed (-1: none left). indexOf, not a
        // /[\r\n]/g regex: no match object per line, and text without any \r is never scanned twice.
        let lf = text.indexOf('\n', start);
        let cr = text.indexOf('\r', start);
        while (lf !== -1 || cr !== -1) {
          const i = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
          this.emit(this.unfinishedLine + text.slice(start, i), out);
          this.unfinishedLine = '';
          start = i + 1;
          if (i === cr) {
            if (i + 1 === text.length) this.sawCR = true;
            else if (text.charCodeAt(i + 1) === LF) start = i + 2;
          }
          if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
          if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
        }
        break;
      }
      case 'crlf': {
        if (this.unfinishedLine.endsWith('\r') && text.charCodeAt(0) === LF) {
          this.emit(this.unfinishedLine.slice(0, -1), out);
          this.unfinishedLine = '';
          start = 1;
        }
        for (let i = text.indexOf('\r\n', start); i !== -1; i = text.indexOf('\r\n', start)) {
          this.emit(this.unfinishedLine + text.slice(start, i), out);
          this.unfinishedLine = '';
          start = i + 2;
        }
        break;
      }
      default: {
        for (let i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', start)) {
          this.emit(this.unfinishedLine + text.slice(start, i), out);
          this.unfinishedLine = '';
          start = i + 1;
        }
      }
    }
    if (start < text.length) this.unfinishedLine += text.slice(start);
    // crlf: a trailing \r may be the first half of the line end, so it does not count yet.
    const length = this.translation === 'crlf' && this.unfinishedLine.endsWith('\r') ? this.unfinishedLine.length - 1 : this.unfinishedLine.length;
    if (length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
  }
}
