import { LineSplitter } from '../../src/channel/LineSplitter.js';
import { Channel } from '../../src/channel/Channel.js';
import { LineTooLongError } from '../../src/errors/LineTooLongError.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { TransportSocket } from '../../src/transport/Transport.js';
import type { ChannelEncoding, ChannelTranslation } from '../../src/channel/encoding.js';

function split(chunks: readonly (string | number[])[], translation: ChannelTranslation = 'auto', max = 1 << 20, encoding: ChannelEncoding = 'utf-8'): string[] {
  const splitter = new LineSplitter(encoding, translation, max);
  const out: string[] = [];
  for (const c of chunks) splitter.push(typeof c === 'string' ? Buffer.from(c) : Uint8Array.from(c), out);
  splitter.end(out);
  return out;
}

describe('LineSplitter', () => {
  it('should treat a trailing \\r at EOF as a line end (auto) and keep it in the line (crlf)', () => {
    expect(split(['a\r'])).toEqual(['a']);
    expect(split(['a\r'], 'crlf')).toEqual(['a\r']);
    expect(split(['a\r', ''], 'auto')).toEqual(['a']);
  });

  it('should keep the \\r\\n state across empty decodes (half a UTF-8 character in between)', () => {
    expect(split(['x\r', [0xc3], [0xa9, 0x0a]])).toEqual(['x', 'é']);
    expect(split(['x\r', [], '\ny'])).toEqual(['x', 'y']);
  });

  it('should emit no line for empty input, and one empty line for a lone line end', () => {
    expect(split([])).toEqual([]);
    expect(split(['\n'])).toEqual(['']);
    expect(split(['\r\n'], 'crlf')).toEqual(['']);
  });

  it('should throw LineTooLongError for a line or an unfinished line over the limit, line end excluded', () => {
    expect(split(['abc\r\n'], 'crlf', 3)).toEqual(['abc']);
    // crlf: a trailing \r may be half a line end, so it does not count while waiting; at EOF it is data.
    expect(split(['abc\r', '\n'], 'crlf', 3)).toEqual(['abc']);
    expect(() => split(['abc\r'], 'crlf', 3)).toThrow(LineTooLongError);
    expect(() => split(['abcd\n'], 'lf', 3)).toThrow(LineTooLongError);
    expect(() => split(['ab', 'cd'], 'lf', 3)).toThrow(new LineTooLongError(3));
    expect(split(['x'.repeat(10_000), '\n'], 'lf', Infinity)).toEqual(['x'.repeat(10_000)]);
  });

  it('should decode latin1 bytes 0x80..0x9f as their own code points (not windows-1252)', () => {
    expect(split([[0x80, 0x93, 0x0a]], 'lf', 10, 'latin1')).toEqual(['\u0080\u0093']);
  });
});

describe('Channel options', () => {
  const socket = (): TransportSocket => ({
    events: NO_EVENTS, localAddress: undefined, remoteAddress: undefined, writableLength: 0, writableHighWaterMark: 16384,
    write: () => true, end: () => undefined, destroy: () => undefined, pause: () => undefined, resume: () => undefined,
  });

  it('should validate its options, naming them', () => {
    expect(() => new Channel(socket(), { encoding: 'utf-16' as never })).toThrow(/^encoding: /);
    expect(() => new Channel(socket(), { translation: 'cr' as never })).toThrow(/^translation: /);
    expect(() => new Channel(socket(), { maxLineLength: 1.5 })).toThrow(/^maxLineLength: /);
    expect(new Channel(socket()).maxLineLength).toBe(1024 * 1024);
    expect(new Channel(socket(), { maxLineLength: Infinity }).maxLineLength).toBe(Infinity);
  });
});
