import type { ChannelEncoding, ChannelTranslation } from '../types.js';

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

/** Text to bytes. `ascii` sends `?` for characters outside ASCII, as Tcl does. */
export function encodeText(text: string, encoding: ChannelEncoding): Uint8Array {
  const enc = bufferEncoding(encoding);
  if (enc === 'ascii') return Buffer.from(text.replace(/[^\x00-\x7f]/g, '?'), 'latin1');
  return Buffer.from(text, enc);
}

/** The line end `writeLine` sends: `\r\n` for `auto` and `crlf` (as Tcl sockets do), `\n` otherwise. */
export function lineEnd(translation: ChannelTranslation): string {
  return translation === 'auto' || translation === 'crlf' ? '\r\n' : '\n';
}
