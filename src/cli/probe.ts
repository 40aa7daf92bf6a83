import { colorEnabled, palette } from './colors.js';
import type { ConnectSettings } from './connect.js';
import { describeSettings, planConnect, runConnect } from './connect.js';
import type { CliIo } from './io.js';
import { terminalJson } from './escape.js';
import { exitCodeOf, targetReport } from './report.js';
import type { TargetReport } from './report.js';
import { parseTarget } from './target.js';
import type { Target } from './target.js';
import { isUrlTarget, parseUrlTarget } from './url.js';
import type { UrlTarget } from './url.js';
import { runHttpProbe } from './httpProbe.js';
import { createConnectHistory } from '../index.js';
import type { TlsOptions } from '../index.js';
import { renderTimeline } from './timeline.js';
import { lastValueFrom, timer } from 'rxjs';
import { visible } from './escape.js';
import { renderRepeatSummary, renderRun, repeatReport } from './probeStats.js';
import type { RepeatReport } from './probeStats.js';
import { EXIT } from './usage.js';

/** Options of `rxconnect probe`. */
export type ProbeOptions = ConnectSettings & {
  readonly json?: boolean | undefined;
  /** The TLS options of `https://` URL targets (`tls` is for `host:port` targets). */
  readonly https?: TlsOptions | undefined;
  /**
   * Probe each target this many times and print one line per run and min/median/max per phase (as ping does). The
   * runs share one connect history, so each starts with the address that won last.
   */
  readonly count?: number | undefined;
  /** With `count`: ms between the end of one run and the start of the next. Default {@link PROBE_INTERVAL}. */
  readonly interval?: number | undefined;
};

/** The default ms between the runs of `probe --count`, as ping's one second. */
export const PROBE_INTERVAL = 1000;

/** A TARGET of probe: `host:port` (a connect) or a URL (a connect and one request). */
type ProbeTarget = { readonly kind: 'connect'; readonly target: Target } | { readonly kind: 'url'; readonly target: UrlTarget };

function withoutAlpn(tls: TlsOptions | undefined): TlsOptions {
  const { ALPNProtocols: _alpn, ...rest } = tls ?? {};
  return rest;
}

function parseProbeTarget(text: string): ProbeTarget {
  return isUrlTarget(text) ? { kind: 'url', target: parseUrlTarget(text) } : { kind: 'connect', target: parseTarget(text) };
}

/** Bar width for a terminal of `columns` (labels and outcomes take about 70). */
export function barWidth(columns: number | undefined): number {
  return columns === undefined ? 40 : Math.max(16, Math.min(50, columns - 72));
}

/**
 * `rxconnect probe TARGET...`: connects to each target in turn, draws its waterfall (or, with `json`, prints
 * one JSON document), and closes each connection. A URL target (`https://host/path`, `http://...`) also sends
 * one GET on the connection and draws the time to its response's headers, then the status line. Resolves with
 * the exit code: 0 when every target connected (and every URL got a response, whatever its status), 1 when any
 * failed. Bad targets throw a `UsageError` before anything is opened.
 */
export async function probe(targetTexts: readonly string[], options: ProbeOptions, io: CliIo): Promise<number> {
  const { json, https, count, interval, ...settings } = options;
  if (count !== undefined) return probeRepeatedly(targetTexts, { ...settings, json, https, interval }, count, io);
  const { targets, runOnce } = planProbes(targetTexts, settings, https);
  const p = palette(colorEnabled(io.stdout, io.env));
  const reports: TargetReport[] = [];
  for (const [i, target] of targets.entries()) {
    const report = await runOnce(i);
    reports.push(report);
    if (json !== true) {
      if (i > 0) io.stdout.write('\n');
      // A URL's ALPN is always http/1.1: the note leaves it out.
      const note = describeSettings(target.kind === 'url' ? { ...settings, tls: target.target.secure ? withoutAlpn(https) : undefined } : settings);
      const lines = renderTimeline(report, { palette: p, width: barWidth(io.stdout.columns), columns: io.stdout.columns, title: target.target.text, note });
      io.stdout.write(lines.join('\n') + '\n');
    }
  }
  if (json === true) io.stdout.write(terminalJson({ targets: reports }) + '\n');
  return exitCodeOf(reports);
}

/**
 * Parses every target and plans its connect (so bad input fails before anything is opened), and returns a
 * function that runs target `i` once: a connect, or a connect and one request for a URL.
 */
function planProbes(targetTexts: readonly string[], settings: ConnectSettings, https: TlsOptions | undefined) {
  const targets = targetTexts.map(parseProbeTarget);
  const settingsOf = (t: ProbeTarget): ConnectSettings => (t.kind === 'connect' ? settings : { ...settings, tls: t.target.secure ? (https ?? true) : undefined });
  const plans = targets.map((t) => planConnect(t.target, settingsOf(t)));
  const runOnce = async (i: number): Promise<TargetReport> => {
    const target = targets[i]!;
    return target.kind === 'url' ? runHttpProbe(target.target, settingsOf(target)) : targetReport(target.target, await runConnect(plans[i]!));
  };
  return { targets, runOnce };
}

/**
 * `rxconnect probe --count N`: probes each target `count` times, `interval` ms apart, printing a line per run as
 * it ends, then min/median/max per phase (or, with `json`, one document of every run and the spread). The runs
 * share one connect history, made for this call unless `history` is given (false: none), so that a run starts
 * with the address that won the run before, as a long-lived client would (RFC 8305 §7). Ctrl-C
 * stops at once: the run under way is abandoned (its sockets closed), the summary of the runs that ended is
 * printed, and the exit code is 130. Otherwise 0 when every run of every target connected, else 1.
 */
async function probeRepeatedly(targetTexts: readonly string[], options: ConnectSettings & Pick<ProbeOptions, 'json' | 'https' | 'interval'>, count: number, io: CliIo): Promise<number> {
  const { json, https, interval = PROBE_INTERVAL, ...settings } = options;
  const stop = new AbortController();
  const history = settings.history ?? createConnectHistory();
  const { targets, runOnce } = planProbes(targetTexts, { ...settings, history, signal: stop.signal }, https);
  const p = palette(colorEnabled(io.stdout, io.env));
  const stopped = new Promise<'stopped'>((resolve) => stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
  const release = io.onInterrupt(() => stop.abort());
  const results: RepeatReport[] = [];
  try {
    for (const [i, target] of targets.entries()) {
      if (json !== true) io.stdout.write(`${i > 0 ? '\n' : ''}  ${p.bold(visible(target.target.text))}  ${p.dim(describeSettings(settings))}\n`);
      const runs: TargetReport[] = [];
      for (let run = 0; run < count && !stop.signal.aborted; run++) {
        if (run > 0 && interval > 0 && (await Promise.race([lastValueFrom(timer(interval)), stopped])) === 'stopped') break;
        const report = await runOnce(i);
        if (stop.signal.aborted) break;
        runs.push(report);
        if (json !== true) io.stdout.write(renderRun(report, run, count, p) + '\n');
      }
      results.push(repeatReport(target.target.text, runs));
      if (json !== true) io.stdout.write(renderRepeatSummary(results[results.length - 1]!, p).join('\n') + '\n');
      if (stop.signal.aborted) break;
    }
  } finally {
    release();
  }
  if (json === true) io.stdout.write(terminalJson({ targets: results }) + '\n');
  if (stop.signal.aborted) return EXIT.interrupted;
  return exitCodeOf(results.flatMap((r) => r.runs)) === 0 && results.every((r) => r.runs.length === count) ? EXIT.ok : EXIT.failed;
}
