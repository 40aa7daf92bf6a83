import { defer, from, lastValueFrom, map, mergeMap, tap } from 'rxjs';
import type { Palette } from './colors.js';
import { colorEnabled, palette, truncate } from './colors.js';
import type { ConnectSettings } from './connect.js';
import { planConnect, runConnect } from './connect.js';
import type { CliIo } from './io.js';
import { terminalJson, visible } from './escape.js';
import { liveRegion } from './liveRegion.js';
import { renderProgress } from './progress.js';
import { exitCodeOf, targetReport } from './report.js';
import type { TargetReport } from './report.js';
import { renderTable } from './table.js';
import { parseTargetList } from './target.js';
import { shortError } from './timeline.js';
import { UsageError } from './usage.js';

/** Options of `rxconnect scan`. */
export type ScanOptions = ConnectSettings & {
  /** How many connects run at once. Default 16. */
  readonly concurrency?: number | undefined;
  readonly json?: boolean | undefined;
};

/** The default concurrency of scan. */
export const SCAN_CONCURRENCY = 16;
/** The default per-target timeout of scan, in ms: a scan should not wait minutes for a black hole. */
export const SCAN_TIMEOUT = 5000;

/** `850 ms`, or `1.2 s` from a second on. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The summary table of a scan: one row per target in list order (up or down, time to connect or fail, the
 * address that won, the error), control characters from the input or the network escaped. Pure.
 */
export function renderSummary(texts: readonly string[], reports: readonly TargetReport[], p: Palette, totalMs: number): string[] {
  const rows = reports.map((r, i) => [
    visible(texts[i] ?? `${r.host}:${r.port}`),
    r.outcome === 'connected' ? p.green('up') : p.red('down'),
    `${Math.round(r.ms)} ms`,
    r.address === undefined ? p.dim('-') : visible(r.address),
    r.error === undefined ? '' : `${visible(r.error.code)} ${truncate(visible(shortError(r.error)), 48)}`,
  ]);
  const table = renderTable(
    [{ header: 'target' }, { header: 'status' }, { header: 'time', align: 'right' }, { header: 'address' }, { header: 'error' }],
    rows,
  );
  const up = reports.filter((r) => r.outcome === 'connected').length;
  const down = reports.length - up;
  const footer = `${p.green(`${up} up`)}, ${down > 0 ? p.red(`${down} down`) : `${down} down`} of ${reports.length} target${reports.length === 1 ? '' : 's'} in ${duration(totalMs)}`;
  return [...table, '', footer];
}

/**
 * `rxconnect scan FILE|-`: connects to every target of the list with bounded concurrency (TIP 427's "check which
 * of many hosts are alive"), shows progress on stderr when it is a TTY, and ends with a summary table (or one
 * JSON document). Resolves with the exit code: 0 when every target is up, 1 when any is down.
 */
export async function scan(file: string, options: ScanOptions, io: CliIo): Promise<number> {
  const { json, concurrency = SCAN_CONCURRENCY, ...rest } = options;
  const settings: ConnectSettings = { ...rest, timeout: rest.timeout ?? SCAN_TIMEOUT };
  const source = file === '-' ? 'stdin' : file;
  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`cannot read ${source}${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : `: ${(error as Error).message}`}`);
  }
  const listed = parseTargetList(text, source);
  if (listed.length === 0) throw new UsageError(`no targets in ${source} (one host:port per line; blank lines and # comments are skipped)`);
  const plans = listed.map(({ target }) => planConnect(target, settings));

  const started = Date.now();
  const reports: TargetReport[] = new Array<TargetReport>(listed.length);
  const region = liveRegion(io.stderr, io.env);
  const errPalette = palette(colorEnabled(io.stderr, io.env));
  let done = 0;
  let up = 0;
  const drawProgress = (): void => {
    const line = renderProgress({ done, total: listed.length, up, down: done - up, elapsedMs: Date.now() - started }, errPalette);
    region?.show([line]);
  };
  const ticker = region === undefined ? undefined : setInterval(drawProgress, 200);
  if (region !== undefined) drawProgress();
  try {
    await lastValueFrom(
      from(plans.map((events$, index) => ({ events$, index }))).pipe(
        mergeMap(({ events$, index }) => defer(() => runConnect(events$)).pipe(map((events) => ({ index, events }))), concurrency),
        tap(({ index, events }) => {
          const report = targetReport(listed[index]!.target, events);
          reports[index] = report;
          done++;
          if (report.outcome === 'connected') up++;
          if (region !== undefined) drawProgress();
        }),
      ),
      { defaultValue: undefined },
    );
  } finally {
    if (ticker !== undefined) clearInterval(ticker);
    region?.clear();
    region?.done();
  }

  if (json === true) {
    io.stdout.write(terminalJson({ targets: reports }) + '\n');
  } else {
    const p = palette(colorEnabled(io.stdout, io.env));
    const lines = renderSummary(listed.map((l) => l.target.text), reports, p, Date.now() - started);
    io.stdout.write(lines.join('\n') + '\n');
  }
  return exitCodeOf(reports);
}
