/** Colours for the terminal, off unless the stream is a TTY and `NO_COLOR` is unset. Pure. */
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';

/** A set of styling functions; each is the identity when colour is off. */
export type Palette = {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
  readonly magenta: (text: string) => string;
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether to colour a stream: only a TTY, never with `NO_COLOR` set to anything but the empty string
 * (https://no-color.org), and never on a `dumb` terminal.
 */
export function colorEnabled(stream: { readonly isTTY?: boolean | undefined }, env: Env): boolean {
  if (stream.isTTY !== true) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return env['TERM'] !== 'dumb';
}

const plain = (text: string): string => text;

/**
 * The palette for `enabled`. The escape codes come from picocolors; a palette that is off returns its input
 * unchanged, whatever the process's own terminal is.
 */
export function palette(enabled: boolean): Palette {
  if (!enabled) return { enabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, magenta: plain };
  const c = pc.createColors(true);
  const styled = (format: (text: string) => string) => (text: string) => (text === '' ? '' : format(text));
  return {
    enabled,
    bold: styled(c.bold),
    dim: styled(c.dim),
    red: styled(c.red),
    green: styled(c.green),
    yellow: styled(c.yellow),
    cyan: styled(c.cyan),
    magenta: styled(c.magenta),
  };
}

/** `text` without ANSI colour codes. */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** The width of `text` on screen: its length without colour codes (every character counted as one column). */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

/** Pads `text` with spaces to `width` visible columns (left-aligned, or right-aligned with `right`). */
export function pad(text: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return right ? fill + text : text + fill;
}

/** Cuts plain `text` to at most `width` columns, ending with `…` when it was longer. */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 1) return chars.slice(0, width).join('');
  return chars.slice(0, width - 1).join('') + '…';
}
