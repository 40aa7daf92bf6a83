import type { Palette } from './colors.js';
import { count } from './scanTally.js';

/** What {@link renderProgress} shows. */
export type Progress = {
  readonly done: number;
  /** Undefined while the total is not known yet (a list still being read). */
  readonly total: number | undefined;
  /** How many targets connected so far. */
  readonly open: number;
  /** Targets finished per second, lately. */
  readonly rate: number;
};

/** `1:05`, `1:02:03`. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  const [h, m, sec] = hms as [number, number, number];
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/**
 * One line of a scan's progress: `[██████··········]  1,204/4,096  2,310/s  ETA 0:02  open 3`. With an unknown
 * total, the count stands alone (`1,204/?`) and there is no ETA. Pure.
 */
export function renderProgress(progress: Progress, p: Palette, width = 20): string {
  const { total, open, rate } = progress;
  const done = total === undefined ? progress.done : Math.min(total, progress.done);
  const filled = total === undefined ? 0 : total === 0 ? width : Math.floor((done / total) * width);
  const bar = p.cyan('█'.repeat(filled)) + p.dim('·'.repeat(width - filled));
  const counts = `${count(done)}/${total === undefined ? '?' : count(total)}`;
  const speed = `${count(Math.round(rate))}/s`;
  const eta = total === undefined || rate <= 0 ? 'ETA -:--' : `ETA ${clock((total - done) / rate)}`;
  return `[${bar}] ${counts}  ${speed}  ${eta}  ${open > 0 ? p.green(`open ${count(open)}`) : 'open 0'}`;
}
