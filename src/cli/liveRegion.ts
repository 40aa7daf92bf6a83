import type { OutStream } from './io.js';

/**
 * Lines redrawn in place on a terminal: a scan's progress bar, `wait`'s line per target. Drawing (cursor
 * movement, erasing, wrapping to the terminal's width) is log-update's; this type only says what the CLI needs.
 */
export type LiveRegion = {
  /** Replaces the region's lines with `lines`. */
  show(lines: readonly string[]): void;
  /** Writes `lines` above the region, where they stay, and draws the region again below them. */
  print(lines: readonly string[]): void;
  /** Erases the region; what {@link LiveRegion.print} wrote stays. */
  clear(): void;
  /** Leaves the region's last lines on screen as they are and stops redrawing. */
  done(): void;
};

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether `stream` can redraw lines in place: a TTY that is not a `dumb` terminal (which has no cursor
 * movement). `NO_COLOR` turns colours off, not live lines.
 */
export function liveEnabled(stream: OutStream, env: Env): boolean {
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

/**
 * A live region on `stream`, or `undefined` when the stream cannot redraw lines ({@link liveEnabled}): callers
 * then print a plain line per change instead. The cursor is hidden while the region is drawn on the process's
 * own stdout or stderr, and shown again by {@link LiveRegion.done} (or at exit, by log-update).
 */
export async function liveRegion(stream: OutStream, env: Env): Promise<LiveRegion | undefined> {
  if (!liveEnabled(stream, env)) return undefined;
  // log-update is loaded only when a terminal will show it: loading it builds three Intl.Segmenters for its width
  // tables, a fifth of a start-up that a pipe, a CI job or a container entrypoint never uses (docs/design.md).
  const { createLogUpdate } = await import('log-update');
  const own = stream === process.stdout || stream === process.stderr;
  const draw = createLogUpdate(stream as NodeJS.WriteStream, { showCursor: !own });
  let last: readonly string[] = [];
  let drawn = false;
  return {
    show(lines) {
      last = lines;
      drawn = true;
      draw(lines.join('\n'));
    },
    print(lines) {
      draw.persist(lines.join('\n'));
      if (drawn) draw(last.join('\n'));
    },
    clear() {
      draw.clear();
      drawn = false;
    },
    done() {
      draw.done();
      drawn = false;
    },
  };
}
