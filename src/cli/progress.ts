import type { Palette } from './colors.js';

/** What {@link renderProgress} shows. */
export type Progress = { readonly done: number; readonly total: number; readonly up: number; readonly down: number; readonly elapsedMs: number };

/**
 * One line of progress: `[█████·····]  5/10  up 4  down 1  1.2 s`. Pure; the caller writes it after a `\r` on a
 * TTY and clears it at the end.
 */
export function renderProgress(progress: Progress, p: Palette, width = 24): string {
  const total = Math.max(0, progress.total);
  const done = Math.min(total, Math.max(0, progress.done));
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const bar = p.cyan('█'.repeat(filled)) + p.dim('·'.repeat(width - filled));
  const seconds = (progress.elapsedMs / 1000).toFixed(1);
  const counts = `${String(done).padStart(String(total).length)}/${total}`;
  return `[${bar}] ${counts}  ${p.green(`up ${progress.up}`)}  ${progress.down > 0 ? p.red(`down ${progress.down}`) : `down ${progress.down}`}  ${seconds} s`;
}
