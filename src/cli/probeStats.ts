import type { Palette } from './colors.js';
import { visible } from './escape.js';
import type { TargetReport } from './report.js';
import { renderTable } from './table.js';
import { HISTORY_MARK, shortError } from './timeline.js';

/** The phases of one connect that `probe --count` measures, in the order they happen. */
export const PHASES = ['lookup', 'tcp', 'tls', 'firstByte', 'total'] as const;

/** A phase of {@link PHASES}. */
export type Phase = (typeof PHASES)[number];

const PHASE_NAMES: Readonly<Record<Phase, string>> = { lookup: 'lookup', tcp: 'TCP connect', tls: 'TLS handshake', firstByte: 'first byte', total: 'total' };

/** How long each phase of one connect took, in ms; a phase that did not happen is absent. */
export type PhaseTimes = Partial<Record<Phase, number>>;

/** The spread of one phase over the runs that had it. */
export type PhaseStats = { readonly runs: number; readonly min: number; readonly median: number; readonly max: number };

/** What `probe --count` reports for one target: every run, and the spread of each phase over the runs that connected. */
export type RepeatReport = {
  /** The target as it was written. */
  readonly target: string;
  readonly runs: readonly TargetReport[];
  readonly connected: number;
  readonly failed: number;
  readonly phases: Partial<Record<Phase, PhaseStats>>;
};

/**
 * The phases of a connect that succeeded, from its events: `lookup` until the first answer, `tcp` from the
 * winning attempt's start to its TCP connect, `tls` from there to the end of the handshake, `firstByte` from the
 * request to the response's headers (URL targets), and `total` from the start to the last of these. A failed
 * connect has no phases. Pure.
 */
export function phaseTimes(report: TargetReport): PhaseTimes {
  if (report.outcome !== 'connected') return {};
  const events = report.events;
  const connected = events.find((e) => e.type === 'connected');
  if (connected?.type !== 'connected') return {};
  const times: PhaseTimes = {};
  const resolved = events.find((e) => e.type === 'resolved');
  if (resolved !== undefined) times.lookup = resolved.elapsed;
  const start = events.find((e) => e.type === 'attempt' && e.attempt === connected.attempt);
  const handshake = events.find((e) => e.type === 'handshake' && e.attempt === connected.attempt);
  const tcpEnd = handshake?.elapsed ?? connected.elapsed;
  if (start !== undefined) times.tcp = tcpEnd - start.elapsed;
  if (handshake !== undefined) times.tls = connected.elapsed - handshake.elapsed;
  const http = report.http;
  if (http?.ttfb !== undefined) times.firstByte = http.ttfb - http.sent;
  times.total = http?.ttfb ?? connected.elapsed;
  return times;
}

/** The middle value of `values` (the mean of the two middle ones for an even count); `values` is not changed. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The report of `runs` of one target: counts, and min/median/max of each phase over the runs that connected. Pure. */
export function repeatReport(target: string, runs: readonly TargetReport[]): RepeatReport {
  const times = runs.map(phaseTimes);
  const phases: Partial<Record<Phase, PhaseStats>> = {};
  for (const phase of PHASES) {
    const values = times.flatMap((t) => (t[phase] === undefined ? [] : [t[phase]]));
    if (values.length > 0) phases[phase] = { runs: values.length, min: Math.min(...values), median: median(values), max: Math.max(...values) };
  }
  const connected = runs.filter((r) => r.outcome === 'connected').length;
  return { target, runs, connected, failed: runs.length - connected, phases };
}

function ms(n: number): string {
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ms`;
}

/** Whether the attempt that won was placed by the connect history (the last winner, tried first). */
function wonByHistory(report: TargetReport): boolean {
  const connected = report.events.find((e) => e.type === 'connected');
  return connected?.type === 'connected' && report.events.some((e) => e.type === 'attempt' && e.attempt === connected.attempt && e.history === true);
}

/**
 * One line for run `index` (0-based) of `count`, as ping prints a reply:
 * `2/5  connected to 127.0.0.1 in 3 ms (lookup 0 ms, TCP connect 2 ms, TLS handshake 1 ms)`. When the history put
 * the winner first, its address is followed by {@link HISTORY_MARK}: `connected to 127.0.0.1 (history) in 1 ms`. Pure.
 */
export function renderRun(report: TargetReport, index: number, count: number, p: Palette): string {
  const n = `${String(index + 1).padStart(String(count).length)}/${count}`;
  if (report.outcome !== 'connected') {
    const why = report.error === undefined ? 'no outcome' : visible(shortError(report.error));
    return `  ${p.dim(n)}  ${p.red(`failed after ${ms(Math.round(report.ms))}`)}: ${why}`;
  }
  const times = phaseTimes(report);
  const parts = PHASES.filter((phase) => phase !== 'total' && times[phase] !== undefined).map((phase) => `${PHASE_NAMES[phase]} ${ms(times[phase]!)}`);
  const status = report.http?.status === undefined ? '' : `, HTTP ${report.http.status}`;
  const to = `connected to ${visible(report.address ?? '')}`;
  const within = ` in ${ms(times.total ?? report.ms)}`;
  const total = wonByHistory(report) ? `${p.green(to)}${p.dim(HISTORY_MARK)}${p.green(within)}` : p.green(to + within);
  return `  ${p.dim(n)}  ${total}${status}${parts.length === 0 ? '' : p.dim(` (${parts.join(', ')})`)}`;
}

/**
 * The summary after the runs of one target: a heading with the counts, as ping's "statistics" line, then a table
 * of min, median and max per phase over the runs that connected. Pure.
 */
export function renderRepeatSummary(report: RepeatReport, p: Palette): string[] {
  const total = report.runs.length;
  const lost = total === 0 ? 0 : Math.round((report.failed / total) * 100);
  const failed = report.failed > 0 ? p.red(`${report.failed} failed`) : `${report.failed} failed`;
  const heading = `  ${p.bold(`--- ${visible(report.target)}`)}: ${total} connect${total === 1 ? '' : 's'}, ${p.green(`${report.connected} connected`)}, ${failed} (${lost}%)`;
  const rows = PHASES.flatMap((phase) => {
    const s = report.phases[phase];
    return s === undefined ? [] : [[PHASE_NAMES[phase], ms(s.min), ms(s.median), ms(s.max)]];
  });
  if (rows.length === 0) return [heading];
  const table = renderTable([{ header: 'phase' }, { header: 'min', align: 'right' }, { header: 'median', align: 'right' }, { header: 'max', align: 'right' }], rows, '  ');
  return [heading, ...table];
}
