import { LineSplitter } from '../../src/channel/LineSplitter.js';
import { Channel } from '../../src/channel/Channel.js';
import { watchChannelClose } from '../../src/channel/watchChannelClose.js';
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

/**
 * Splits `chunks` and returns the lines with the splitter's work: the total length of the strings it called a
 * string method on. Such a call may read the whole string (and flattens a string built by `+=`), so this total
 * bounds the characters it scanned or copied.
 */
function splitCountingWork(chunks: readonly string[], translation: ChannelTranslation): { lines: string[]; work: number } {
  const names = ['at', 'charAt', 'charCodeAt', 'codePointAt', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'slice', 'startsWith', 'substring'] as const;
  const originals = names.map((name) => [name, Reflect.get(String.prototype, name) as (...a: unknown[]) => unknown] as const);
  const bytes = chunks.map((c) => Buffer.from(c));
  const splitter = new LineSplitter('utf-8', translation, Infinity);
  const lines: string[] = [];
  let work = 0;
  for (const [name, original] of originals) {
    Object.defineProperty(String.prototype, name, {
      configurable: true,
      writable: true,
      value(this: string, ...args: unknown[]): unknown {
        work += this.length;
        return original.apply(this, args);
      },
    });
  }
  try {
    for (const b of bytes) splitter.push(b, lines);
    splitter.end(lines);
  } finally {
    for (const [name, original] of originals) Object.defineProperty(String.prototype, name, { configurable: true, writable: true, value: original });
  }
  return { lines, work };
}

describe('LineSplitter work', () => {
  const n = 20_000;

  it.each(['auto', 'lf', 'crlf'] as const)('should split a line fed one byte a chunk in work linear in its length (%s)', (translation) => {
    const { lines, work } = splitCountingWork([...Array<string>(n).fill('x'), translation === 'lf' ? '\n' : '\r\n'], translation);
    expect(lines).toEqual(['x'.repeat(n)]);
    expect(work).toBeLessThan(10 * n);
  });

  it('should keep each lone CR in a crlf line fed in pieces that end with one, in linear work', () => {
    const { lines, work } = splitCountingWork([...Array<string>(n).fill('x\r'), '\n'], 'crlf');
    expect(lines).toEqual([`${'x\r'.repeat(n - 1)}x`]);
    expect(work).toBeLessThan(10 * 2 * n);
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
    expect(() => new Channel(socket(), { scheduler: {} as never })).toThrow(/^scheduler: /);
    expect(new Channel(socket()).maxLineLength).toBe(1024 * 1024);
    expect(new Channel(socket(), { maxLineLength: Infinity }).maxLineLength).toBe(Infinity);
  });

  it('should have one owner, told of the close before the closed$ subscribers', () => {
    const s = socket();
    const channel = new Channel(s);
    const heard: string[] = [];
    channel.closed$.subscribe(() => heard.push('subscriber'));
    watchChannelClose(channel, { channelClosed: () => heard.push('owner') });
    expect(() => watchChannelClose(channel, { channelClosed: () => undefined })).toThrow('a channel has one owner');
    s.events.close();
    expect(heard).toEqual(['owner', 'subscriber']);
    // An owner that comes after the close is told at once.
    const closedSocket = socket();
    const closedChannel = new Channel(closedSocket);
    closedSocket.events.close();
    watchChannelClose(closedChannel, { channelClosed: (c) => heard.push(`late owner ${JSON.stringify(c)}`) });
    expect(heard).toEqual(['owner', 'subscriber', 'late owner {}']);
  });
});
