import { LineTooLongError } from '../errors/LineTooLongError.js';
import type { ChannelEncoding, ChannelTranslation } from './encoding.js';
import { textDecoder } from './encoding.js';
import type { TextChunkDecoder } from './encoding.js';

/** The default `maxLineLength`: 1 MiB of characters. */
export const DEFAULT_MAX_LINE_LENGTH: number = 1024 * 1024;

const LF = 10;
const CR = 13;

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
  /** crlf: the last character seen was a `\r`, not in `unfinishedLine` yet: a `\n` next makes it a line end. */
  private heldCR = false;

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
    if (this.heldCR) this.unfinishedLine += '\r';
    this.heldCR = false;
    if (this.unfinishedLine !== '') this.emit(this.unfinishedLine, out);
    this.unfinishedLine = '';
  }

  private emit(line: string, out: string[]): void {
    if (line.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
    out.push(line);
  }

  private split(text: string, out: string[]): void {
    if (text === '') return;
    let rest: number;
    if (this.translation === 'auto') rest = this.splitAuto(text, out);
    else if (this.translation === 'crlf') rest = this.splitCrlf(text, out);
    else rest = this.splitLf(text, out);
    // Only appended to between line ends, never read: a method call on it would copy it whole per chunk.
    if (rest < text.length) this.unfinishedLine += text.slice(rest);
    if (this.unfinishedLine.length > this.maxLineLength) throw new LineTooLongError(this.maxLineLength);
  }

  /** Emits the lines `text` ends; returns where its unfinished rest starts. */
  private splitAuto(text: string, out: string[]): number {
    let start = 0;
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
      this.endLine(text.slice(start, i), out);
      start = i + 1;
      if (i === cr) {
        if (i + 1 === text.length) this.sawCR = true;
        else if (text.charCodeAt(i + 1) === LF) start = i + 2;
      }
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    }
    return start;
  }

  /** As splitAuto, for crlf: a `\r` at the end of `text` is held back, as it may be half of a `\r\n`. */
  private splitCrlf(text: string, out: string[]): number {
    let start = 0;
    if (this.heldCR) {
      this.heldCR = false;
      if (text.charCodeAt(0) === LF) {
        this.endLine('', out);
        start = 1;
      } else {
        this.unfinishedLine += '\r';
      }
    }
    for (let i = text.indexOf('\r\n', start); i !== -1; i = text.indexOf('\r\n', start)) {
      this.endLine(text.slice(start, i), out);
      start = i + 2;
    }
    if (start < text.length && text.charCodeAt(text.length - 1) === CR) {
      this.heldCR = true;
      this.unfinishedLine += text.slice(start, text.length - 1);
      return text.length;
    }
    return start;
  }

  /** As splitAuto, for lf and binary. */
  private splitLf(text: string, out: string[]): number {
    let start = 0;
    for (let i = text.indexOf('\n', start); i !== -1; i = text.indexOf('\n', start)) {
      this.endLine(text.slice(start, i), out);
      start = i + 1;
    }
    return start;
  }

  /** The unfinished line ends with `tail`. */
  private endLine(tail: string, out: string[]): void {
    this.emit(this.unfinishedLine + tail, out);
    this.unfinishedLine = '';
  }
}
