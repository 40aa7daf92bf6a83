import { colorEnabled, palette } from './colors.js';
import type { ConnectSettings } from './connect.js';
import { describeSettings, planConnect, runConnect } from './connect.js';
import type { CliIo } from './io.js';
import { terminalJson } from './escape.js';
import { exitCodeOf, targetReport } from './report.js';
import type { TargetReport } from './report.js';
import { parseTarget } from './target.js';
import { renderTimeline } from './timeline.js';

/** Options of `rxconnect probe`. */
export type ProbeOptions = ConnectSettings & { readonly json?: boolean | undefined };

/** Bar width for a terminal of `columns` (labels and outcomes take about 70). */
export function barWidth(columns: number | undefined): number {
  return columns === undefined ? 40 : Math.max(16, Math.min(50, columns - 72));
}

/**
 * `rxconnect probe TARGET...`: connects to each target in turn, draws its waterfall (or, with `json`, prints
 * one JSON document), and closes each connection. Resolves with the exit code: 0 when every target connected,
 * 1 when any failed. Bad targets throw a `UsageError` before anything is opened.
 */
export async function probe(targetTexts: readonly string[], options: ProbeOptions, io: CliIo): Promise<number> {
  const { json, ...settings } = options;
  const targets = targetTexts.map(parseTarget);
  const plans = targets.map((t) => planConnect(t, settings));
  const p = palette(colorEnabled(io.stdout, io.env));
  const reports: TargetReport[] = [];
  for (const [i, target] of targets.entries()) {
    const report = targetReport(target, await runConnect(plans[i]!));
    reports.push(report);
    if (json !== true) {
      if (i > 0) io.stdout.write('\n');
      const lines = renderTimeline(report, { palette: p, width: barWidth(io.stdout.columns), columns: io.stdout.columns, title: target.text, note: describeSettings(settings) });
      io.stdout.write(lines.join('\n') + '\n');
    }
  }
  if (json === true) io.stdout.write(terminalJson({ targets: reports }) + '\n');
  return exitCodeOf(reports);
}
