import type { Palette } from './colors.js';
import { truncate } from './colors.js';
import { visible } from './escape.js';
import type { JsonError, TargetReport } from './report.js';
import type { ScanResult } from './scanConnect.js';
import { renderTable } from './table.js';
import { formatTarget } from './target.js';
import { shortError } from './timeline.js';

/**
 * A failure code with more results than this is counted, not listed ("Not shown: 65,530 down (ECONNREFUSED
 * connection refused)"), as nmap collapses a port state of more than 25 ports.
 */
export const LISTED_PER_CODE = 25;
/** At most this many connected targets are kept for the table and `--json`; `--jsonl` streams them all. */
export const LISTED_UP = 10_000;

type Group = { readonly error: JsonError; count: number; rows: ScanResult[] | undefined };

/** A group of results that the table and `--json` count instead of listing. */
export type NotShown = { readonly count: number; readonly outcome: 'connected' | 'failed'; readonly error?: JsonError };

/**
 * What a scan found, in bounded memory: every count, the connected targets (up to {@link LISTED_UP}), and the
 * failures of each error code while that code has at most {@link LISTED_PER_CODE} of them. A million refused
 * ports cost one counter.
 */
export class ScanTally {
  done = 0;
  up = 0;
  private readonly upRows: ScanResult[] = [];
  private readonly groups = new Map<string, Group>();

  private readonly list: boolean;
  private readonly onlyUp: boolean;

  /**
   * `list`: keep results to list (false for `--jsonl`, which has printed them: then only counts are kept);
   * `onlyUp`: `--open`, failures are counted and never listed.
   */
  constructor(options: { readonly list: boolean; readonly onlyUp: boolean }) {
    this.list = options.list;
    this.onlyUp = options.onlyUp;
  }

  get down(): number {
    return this.done - this.up;
  }

  add(result: ScanResult): void {
    this.done++;
    if (result.outcome === 'connected') {
      this.up++;
      if (this.list && this.upRows.length < LISTED_UP) this.upRows.push(result);
      return;
    }
    const error = result.error ?? { code: 'EUNKNOWN', message: 'unknown error' };
    let group = this.groups.get(error.code);
    if (group === undefined) {
      group = { error, count: 0, rows: this.list && !this.onlyUp ? [] : undefined };
      this.groups.set(error.code, group);
    }
    group.count++;
    if (group.count > LISTED_PER_CODE) group.rows = undefined;
    else group.rows?.push(result);
  }

  /** The listed results, in the order of the list of targets. */
  listed(): ScanResult[] {
    const rows = [...this.upRows];
    for (const group of this.groups.values()) if (group.rows !== undefined) rows.push(...group.rows);
    return rows.sort((a, b) => a.index - b.index);
  }

  /** The results counted instead of listed, the largest group first. */
  notShown(): NotShown[] {
    const out: NotShown[] = [];
    if (this.up > this.upRows.length) out.push({ count: this.up - this.upRows.length, outcome: 'connected' });
    for (const group of this.groups.values()) if (group.rows === undefined) out.push({ count: group.count, outcome: 'failed', error: group.error });
    return out.sort((a, b) => b.count - a.count);
  }
}

/**
 * `1,234,567`: a whole number's digits in groups of three (a fraction is dropped). Written out rather than
 * `toLocaleString('en-US')`, whose first call maps Node's ICU data into memory: 5–7 MiB of RSS measured, a scan of
 * one target going from 57.1 to 52.3 MiB (bench/README.md, "scan results").
 */
export function count(n: number): string {
  const digits = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = `${digits.slice(Math.max(0, end - 3), end)}${out === '' ? '' : `,${out}`}`;
  return `${n < 0 ? '-' : ''}${out}`;
}

/** `850 ms`, or `1.2 s` from a second on. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** How the end of a scan is described in its footer. */
export type ScanEnd = { readonly totalMs: number; readonly total: number | undefined; readonly interrupted: boolean };

/** `Not shown: 65,530 down (ECONNREFUSED connection refused)`. */
export function notShownLine(group: NotShown, p: Palette): string {
  if (group.outcome === 'connected') return `Not shown: ${count(group.count)} more up (the table keeps ${count(LISTED_UP)}; --jsonl streams every one)`;
  const error = group.error!;
  return `Not shown: ${p.red(`${count(group.count)} down`)} (${visible(error.code)} ${visible(shortError(error))})`;
}

/**
 * The summary of a scan: a table of the listed targets in list order (up or down, time to connect or fail, the
 * address that won, the error), a line per group counted instead of listed, and the totals. Control characters
 * from the input or the network are escaped. Pure.
 */
export function renderSummary(tally: ScanTally, p: Palette, end: ScanEnd): string[] {
  const rows = tally.listed().map((r) => [
    visible(formatTarget(r.host, r.port)),
    r.outcome === 'connected' ? p.green('up') : p.red('down'),
    `${Math.round(r.ms)} ms`,
    r.address === undefined ? p.dim('-') : visible(r.address),
    r.error === undefined ? '' : `${visible(r.error.code)} ${truncate(visible(shortError(r.error)), 48)}`,
  ]);
  const table =
    rows.length === 0
      ? []
      : [
          ...renderTable(
            [{ header: 'target' }, { header: 'status' }, { header: 'time', align: 'right' }, { header: 'address' }, { header: 'error' }],
            rows,
          ),
          '',
        ];
  const hidden = tally.notShown().map((group) => notShownLine(group, p));
  const { up, down, done } = tally;
  const counts = `${p.green(`${count(up)} up`)}, ${down > 0 ? p.red(`${count(down)} down`) : `${down} down`}`;
  const footer = end.interrupted
    ? `interrupted: ${counts} of ${count(done)} targets done${end.total === undefined ? '' : ` (of ${count(end.total)})`} in ${duration(end.totalMs)}`
    : `${counts} of ${count(done)} target${done === 1 ? '' : 's'} in ${duration(end.totalMs)}`;
  return [...table, ...hidden, ...(hidden.length > 0 ? [''] : []), footer];
}

/** A listed result in `--json`'s shape (probe's `targets` entries). */
export function jsonTarget(r: ScanResult): TargetReport {
  const base = { host: r.host, port: r.port, outcome: r.outcome };
  const events = r.events ?? [];
  return r.outcome === 'connected'
    ? { ...base, ms: r.ms, address: r.address!, events }
    : { ...base, error: r.error!, ms: r.ms, events };
}

/** One `--jsonl` object: flat, `target` written as `host:port`. */
export function jsonlResult(r: ScanResult): Record<string, unknown> {
  const line: Record<string, unknown> = { target: formatTarget(r.host, r.port), host: r.host, port: r.port, outcome: r.outcome, ms: r.ms };
  if (r.address !== undefined) line['address'] = r.address;
  if (r.error !== undefined) line['error'] = r.error;
  return line;
}
