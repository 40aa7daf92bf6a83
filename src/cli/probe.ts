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
import type { TlsOptions } from '../index.js';
import { renderTimeline } from './timeline.js';

/** Options of `rxconnect probe`. */
export type ProbeOptions = ConnectSettings & {
  readonly json?: boolean | undefined;
  /** The TLS options of `https://` URL targets (`tls` is for `host:port` targets). */
  readonly https?: TlsOptions | undefined;
};

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
  const { json, https, ...settings } = options;
  const targets = targetTexts.map(parseProbeTarget);
  const settingsOf = (t: ProbeTarget): ConnectSettings => (t.kind === 'connect' ? settings : { ...settings, tls: t.target.secure ? (https ?? true) : undefined });
  // Every connect is planned (and so checked) before the first starts.
  const plans = targets.map((t) => planConnect(t.target, settingsOf(t)));
  const p = palette(colorEnabled(io.stdout, io.env));
  const reports: TargetReport[] = [];
  for (const [i, target] of targets.entries()) {
    const report = target.kind === 'url' ? await runHttpProbe(target.target, settingsOf(target)) : targetReport(target.target, await runConnect(plans[i]!));
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
