import type { Palette } from './colors.js';
import { pad, stripAnsi, truncate, visibleLength } from './colors.js';
import type { JsonError, JsonEvent, TargetReport } from './report.js';
import { visible } from './escape.js';
import { formatTarget } from './target.js';
import { tlsDetails } from './tlsDetails.js';
import { httpHeaderRows, httpOutcome, statusLine, statusPaint } from './httpDetails.js';
import { wrapLine } from './wrap.js';

/** How {@link renderTimeline} draws. */
export type TimelineOptions = {
  readonly palette: Palette;
  /** Columns for the bars. Default 40. */
  readonly width?: number | undefined;
  /** The heading; default `host:port`. */
  readonly title?: string | undefined;
  /** A dim note after the heading (the strategy, say). */
  readonly note?: string | undefined;
  /** Indentation of every line. Default two spaces. */
  readonly indent?: string | undefined;
  /**
   * The time the full width stands for, in ms, when it is longer than the events (to draw several timelines
   * on one scale). Never less than {@link MIN_SCALE}.
   */
  readonly scale?: number | undefined;
  /**
   * The terminal's width: each row's outcome text is cut (with `…`) to fit it, and the failure line is broken
   * at spaces. Undefined (a pipe): nothing is cut.
   */
  readonly columns?: number | undefined;
};

/** The shortest time axis, in ms: a connect of 1 ms on loopback is not drawn as a full-width bar. */
export const MIN_SCALE = 10;

/** The characters of the waterfall: a TCP attempt is drawn `├──●`, a TLS handshake `╞══●`, a request's wait `├┄┄●`. */
export const MARKS: Readonly<Record<'lookup' | 'start' | 'run' | 'tlsStart' | 'tlsRun' | 'wait' | 'connected' | 'failed' | 'cancelled', string>> = Object.freeze({
  lookup: '◆',
  start: '├',
  run: '─',
  tlsStart: '╞',
  tlsRun: '═',
  wait: '┄',
  connected: '●',
  failed: '✗',
  cancelled: '○',
});

/** A one-line legend of {@link MARKS}. */
export function legend(p: Palette): string {
  return [
    `${p.cyan(MARKS.lookup)} lookup answered`,
    `${p.green(MARKS.start + MARKS.run + MARKS.connected)} connected`,
    `${p.red(MARKS.start + MARKS.run + MARKS.failed)} failed`,
    `${p.yellow(MARKS.start + MARKS.run + MARKS.cancelled)} cancelled`,
  ].join('   ');
}

/**
 * A row: its label, its bar, its times, and what happened (plain, cut to fit `columns`, then painted), then a dim
 * `mark` that is never cut.
 */
type Row = { readonly label: string; readonly bar: string; readonly times: string; readonly what: string; readonly paint: (text: string) => string; readonly mark?: string };

/** After the outcome of an attempt whose place the connect history chose (its event has `history: true`). */
export const HISTORY_MARK = ' (history)';

/** An error's first part: Tcl's text, without the per-attempt details in parentheses. */
export function shortError(error: JsonError): string {
  const text = error.message.replace(/\s*\(.*\)\s*$/s, '');
  return text === '' ? error.code : text;
}

function ms(n: number): string {
  return `${Math.round(n)} ms`;
}

function familyName(family: 0 | 4 | 6): string {
  return family === 0 ? '' : ` IPv${family}`;
}

function addressList(addresses: readonly { readonly address: string }[], max = 3): string {
  if (addresses.length === 0) return 'no addresses';
  const shown = addresses.slice(0, max).map((a) => visible(a.address)).join(', ');
  return addresses.length > max ? `${shown} +${addresses.length - max} more` : shown;
}

/**
 * Draws one target's events as a waterfall: one row per lookup (a diamond when it answered, and what it
 * returned) and one row per attempt (a bar from its start to its outcome, then {@link HISTORY_MARK} when the
 * connect history placed it), on a common time axis, then a line
 * that names the winner or gives the readable error. Control characters in the title, addresses and errors
 * (from the input or the network) are escaped. Pure: returns the lines.
 */
export function renderTimeline(report: TargetReport, options: TimelineOptions): string[] {
  const p = options.palette;
  const width = Math.max(8, Math.floor(options.width ?? 40));
  const indent = options.indent ?? '  ';
  const events = report.events;
  const http = report.http;
  const end = Math.max(MIN_SCALE, options.scale ?? 0, report.ms, http?.ended ?? 0, ...events.filter((e) => e.type !== 'closed').map((e) => e.elapsed));
  const col = (t: number): number => Math.min(width - 1, Math.max(0, Math.round((t / end) * (width - 1))));

  const rows: Row[] = [];
  const outcomes = new Map<number, JsonEvent>();
  for (const e of events) if (e.type === 'attemptFailed' || e.type === 'attemptCancelled' || e.type === 'connected') outcomes.set(e.attempt, e);
  const handshakes = new Map<number, JsonEvent>();
  for (const e of events) if (e.type === 'handshake') handshakes.set(e.attempt, e);
  let attempts = 0;
  let cancelled = 0;

  // One bar from `start` to the outcome (or the end of the axis): `├──●` for TCP, `╞══●` for a TLS handshake.
  const span = (label: string, start: number, outcome: JsonEvent | { type: 'tcp'; elapsed: number } | undefined, tls: boolean): Row => {
    const stop = outcome?.elapsed ?? end;
    let color = p.dim;
    let mark = ' ';
    let what = 'no outcome';
    if (outcome?.type === 'connected' || outcome?.type === 'tcp') {
      color = p.green;
      mark = MARKS.connected;
      what = outcome.type === 'tcp' ? 'TCP connected' : tls ? 'TLS connected' : 'connected';
    } else if (outcome?.type === 'attemptFailed') {
      color = p.red;
      mark = MARKS.failed;
      what = visible(shortError(outcome.error));
    } else if (outcome?.type === 'attemptCancelled') {
      color = p.yellow;
      mark = MARKS.cancelled;
      what = outcome.reason === 'lost' ? 'cancelled: lost the race' : 'cancelled: timed out';
    }
    const a = col(start);
    const b = Math.max(a, col(stop));
    const body = b === a ? mark : (tls ? MARKS.tlsStart : MARKS.start) + (tls ? MARKS.tlsRun : MARKS.run).repeat(b - a - 1) + mark;
    const bar = ' '.repeat(a) + color(body) + ' '.repeat(width - b - 1);
    return { label, bar, times: `${ms(start)} → ${ms(stop)}  `, what, paint: color };
  };

  for (const e of events) {
    if (e.type === 'resolved') {
      const at = col(e.elapsed);
      const bar = ' '.repeat(at) + p.cyan(MARKS.lookup) + ' '.repeat(width - at - 1);
      const paint = e.addresses.length === 0 ? p.dim : (text: string): string => text;
      rows.push({ label: `lookup${familyName(e.family)}`, bar, times: `${ms(e.elapsed)}  → `, what: addressList(e.addresses), paint });
    } else if (e.type === 'attempt') {
      attempts++;
      const outcome = outcomes.get(e.attempt);
      if (outcome?.type === 'attemptCancelled') cancelled++;
      const handshake = handshakes.get(e.attempt);
      const mark = e.history === true ? HISTORY_MARK : '';
      if (handshake === undefined) {
        rows.push({ ...span(`#${e.attempt} ${visible(e.address.address)}`, e.elapsed, outcome, false), mark });
      } else {
        // TCP won at the handshake event; the handshake's own bar follows, so TCP and TLS time read apart.
        rows.push({ ...span(`#${e.attempt} ${visible(e.address.address)}`, e.elapsed, { type: 'tcp', elapsed: handshake.elapsed }, false), mark });
        rows.push(span(`${' '.repeat(String(e.attempt).length + 2)}TLS handshake`, handshake.elapsed, outcome, true));
      }
    }
  }
  if (http !== undefined) {
    // The request's row: from writing the GET to the response's headers (the time to first byte), or to its error.
    const answered = http.error === undefined;
    const a = col(http.sent);
    const b = Math.max(a, col(http.ended));
    const paint = answered ? statusPaint(http.status, p) : p.red;
    const mark = answered ? MARKS.connected : MARKS.failed;
    const bar = ' '.repeat(a) + paint(b === a ? mark : MARKS.start + MARKS.wait.repeat(b - a - 1) + mark) + ' '.repeat(width - b - 1);
    const what = answered ? `first byte: ${statusLine(http)}` : visible(shortError(http.error));
    const winner = events.find((e) => e.type === 'connected');
    const under = winner?.type === 'connected' ? ' '.repeat(String(winner.attempt).length + 2) : '';
    rows.push({ label: `${under}HTTP GET`, bar, times: `${ms(http.sent)} → ${ms(http.ended)}  `, what, paint });
  }

  const labelWidth = Math.min(40, Math.max(6, ...rows.map((r) => visibleLength(r.label))));
  const title = visible(options.title ?? formatTarget(report.host, report.port));
  const heading = `${p.bold(title)}${options.note === undefined ? '' : '  ' + p.dim(visible(options.note))}`;
  const lines: string[] = options.columns === undefined ? [heading] : wrapLine(heading, options.columns);
  for (const r of rows) {
    const head = `${indent}${pad(truncate(r.label, labelWidth), labelWidth)}  ${r.bar}  ${r.times}`;
    const mark = r.mark ?? '';
    const room = options.columns === undefined ? Infinity : Math.max(12, options.columns - visibleLength(head) - mark.length);
    lines.push(head + r.paint(truncate(r.what, room)) + p.dim(mark));
  }
  if (rows.length > 0) {
    const right = ms(end);
    const axis = '0 ms'.padEnd(Math.max(5, width - right.length)) + right;
    lines.push(`${indent}${' '.repeat(labelWidth)}  ${p.dim(axis)}`);
  }
  const connected = events.find((e) => e.type === 'connected');
  if (report.outcome === 'connected' && connected?.type === 'connected') {
    const extra = attempts > 1 ? [`attempt #${connected.attempt} of ${attempts}`] : [];
    if (cancelled > 0) extra.push(`${cancelled} cancelled`);
    const handshake = handshakes.get(connected.attempt);
    if (handshake !== undefined) extra.push(`TLS handshake ${ms(connected.elapsed - handshake.elapsed)}`);
    const how = extra.length > 0 ? ` ${p.dim(`(${extra.join(', ')})`)}` : '';
    lines.push(`${indent}${p.green('✔')} connected to ${p.bold(visible(report.address ?? '?'))} port ${visible(String(report.port))} in ${ms(report.ms)}${how}`);
    if (http !== undefined) {
      const outcome = `${indent}${httpOutcome(http, p)}`;
      lines.push(...(options.columns === undefined ? [outcome] : wrapLine(outcome, options.columns)));
    }
    const details = [...(http === undefined ? [] : httpHeaderRows(http)), ...tlsDetails(connected, p)];
    const labels = Math.max(0, ...details.map((d) => d.label.length));
    for (const d of details) {
      const head = `${indent}  ${p.dim(d.label.padEnd(labels))}  `;
      // A header's value (plain text) is cut to the terminal; a coloured value is one of tlsDetails' short ones.
      const room = options.columns === undefined ? Infinity : Math.max(12, options.columns - visibleLength(head));
      lines.push(head + (stripAnsi(d.value) === d.value ? truncate(d.value, room) : d.value));
    }
  } else {
    const error = report.error ?? { code: 'EUNKNOWN', message: 'failed' };
    const failure = `${indent}${p.red('✘')} failed after ${ms(report.ms)}: ${p.red(visible(error.code))} ${visible(error.message)}`;
    lines.push(...(options.columns === undefined ? [failure] : wrapLine(failure, options.columns)));
  }
  return lines;
}
