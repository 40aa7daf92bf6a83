import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

/** Text encodings a channel knows. `binary` is `latin1` without a byte-order mark, as in Tcl. */
export type ChannelEncoding = 'utf-8' | 'utf8' | 'iso8859-1' | 'latin1' | 'ascii' | 'binary';

/** Line-end handling, after Tcl's `-translation`. */
export type ChannelTranslation = 'auto' | 'lf' | 'crlf' | 'binary';

export const ENCODINGS: readonly ChannelEncoding[] = ['utf-8', 'utf8', 'iso8859-1', 'latin1', 'ascii', 'binary'];
export const TRANSLATIONS: readonly ChannelTranslation[] = ['auto', 'lf', 'crlf', 'binary'];

/** Node's name for a channel encoding. */
export function bufferEncoding(encoding: ChannelEncoding): 'utf8' | 'latin1' | 'ascii' {
  switch (encoding) {
    case 'utf-8':
    case 'utf8':
      return 'utf8';
    case 'ascii':
      return 'ascii';
    default:
      return 'latin1';
  }
}

/** A UTF-16 code unit outside ASCII. */
const NOT_ASCII = /[\u0080-\uffff]/g;

/** Text to bytes. `ascii` sends `?` for characters outside ASCII, as Tcl does. */
export function encodeText(text: string, encoding: ChannelEncoding): Uint8Array {
  const enc = bufferEncoding(encoding);
  if (enc === 'ascii') return Buffer.from(text.replace(NOT_ASCII, '?'), 'latin1');
  return Buffer.from(text, enc);
}

/**
 * What `write` sends: bytes as they are, text encoded.
 *
 * @throws InvalidArgumentError naming `data` for anything else.
 */
export function toBytes(data: unknown, encoding: ChannelEncoding): Uint8Array {
  if (typeof data === 'string') return encodeText(data, encoding);
  if (data instanceof Uint8Array) return data;
  throw new InvalidArgumentError('data', `must be a string or a Uint8Array, got ${data === null ? 'null' : typeof data}`, 'ERR_INVALID_ARG_TYPE');
}

/** The line end `writeLine` sends: `\r\n` for `auto` and `crlf` (as Tcl sockets do), `\n` otherwise. */
export function lineEnd(translation: ChannelTranslation): string {
  return translation === 'auto' || translation === 'crlf' ? '\r\n' : '\n';
}

/**
 * An incremental bytes-to-text decoder for one encoding. UTF-8 keeps a character split across chunks until its
 * last byte arrives (and ends a truncated one as U+FFFD); the byte encodings map each byte to the character of
 * the same code. `ascii` decodes bytes above 0x7f as Latin-1, as Tcl 8.6's table encodings do.
 */
export interface TextChunkDecoder {
  /** The text of `chunk`, holding back an incomplete trailing character. */
  write(chunk: Uint8Array): string;
  /** What is held back, at end of input. */
  end(): string;
}

export function textDecoder(encoding: ChannelEncoding): TextChunkDecoder {
  if (bufferEncoding(encoding) === 'utf8') {
    // ignoreBOM: a U+FEFF at the start is data, as in Tcl; fatal false: bad bytes become U+FFFD.
    const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    return {
      write: (chunk) => decoder.decode(chunk, { stream: true }),
      end: () => decoder.decode(),
    };
  }
  // Not TextDecoder('latin1'): WHATWG maps that label to windows-1252, which differs in 0x80..0x9f.
  return {
    write: (chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'),
    end: () => '',
  };
}
