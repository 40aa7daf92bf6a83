import { describe, expect, it } from '@jest/globals';
import { palette, stripAnsi } from '../../src/cli/colors.js';
import { median, phaseTimes, renderRepeatSummary, renderRun, repeatReport } from '../../src/cli/probeStats.js';
import type { JsonEvent, TargetReport } from '../../src/cli/report.js';
import { targetReport } from '../../src/cli/report.js';

const plain = palette(false);
const target = { text: 'db.example:5432', host: 'db.example', port: 5432 };
const v6 = { address: '::1', family: 6, port: 5432 } as const;
const v4 = { address: '127.0.0.1', family: 4, port: 5432 } as const;

/** A connect where ::1 hangs and 127.0.0.1 wins at `won`, with a TLS handshake of `tls` ms when given. */
function run(won: number, tls?: number): TargetReport {
  const events: JsonEvent[] = [
    { type: 'resolved', elapsed: 2, host: 'db.example', port: 5432, family: 6, addresses: [v6] },
    { type: 'attempt', elapsed: 2, attempt: 0, address: v6 },
    { type: 'resolved', elapsed: 3, host: 'db.example', port: 5432, family: 4, addresses: [v4] },
    { type: 'attempt', elapsed: 252, attempt: 1, address: v4 },
    { type: 'attemptCancelled', elapsed: 252 + won, attempt: 0, address: v6, reason: 'lost' },
  ];
  if (tls !== undefined) events.push({ type: 'handshake', elapsed: 252 + won, attempt: 1, address: v4 });
  events.push({ type: 'connected', elapsed: 252 + won + (tls ?? 0), attempt: 1, address: v4 });
  return targetReport(target, events);
}

const refused: TargetReport = targetReport(target, [
  { type: 'resolved', elapsed: 1, host: 'db.example', port: 5432, family: 4, addresses: [v4] },
  { type: 'attempt', elapsed: 1, attempt: 0, address: v4 },
  { type: 'attemptFailed', elapsed: 2, attempt: 0, address: v4, error: { code: 'ECONNREFUSED', message: 'connection refused' } },
  { type: 'failed', elapsed: 2, error: { code: 'ECONNREFUSED', message: 'connection refused (127.0.0.1 port 5432: connection refused after 1 ms)' } },
]);

describe('probe --count: phases and their spread', () => {
  it('splits a connect into lookup, the winner\'s TCP connect, the TLS handshake and the total', () => {
    expect(phaseTimes(run(4))).toEqual({ lookup: 2, tcp: 4, total: 256 });
    expect(phaseTimes(run(4, 7))).toEqual({ lookup: 2, tcp: 4, tls: 7, total: 263 });
    expect(phaseTimes(refused)).toEqual({});
  });

  it('measures the first byte from the request, and the total to it, for a URL', () => {
    const report = { ...run(4), http: { url: 'http://db.example:5432/', method: 'GET', sent: 257, ended: 270, ttfb: 270, status: 200 } } as const;
    expect(phaseTimes(report)).toEqual({ lookup: 2, tcp: 4, firstByte: 13, total: 270 });
  });

  it('takes the median of an odd and an even count without reordering its input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(values).toEqual([5, 1, 3]);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('gives min, median and max per phase over the runs that connected, and counts the failures', () => {
    const report = repeatReport('db.example:5432', [run(4, 10), refused, run(2, 6), run(9, 8)]);
    expect(report).toMatchObject({ connected: 3, failed: 1 });
    expect(report.phases).toEqual({
      lookup: { runs: 3, min: 2, median: 2, max: 2 },
      tcp: { runs: 3, min: 2, median: 4, max: 9 },
      tls: { runs: 3, min: 6, median: 8, max: 10 },
      total: { runs: 3, min: 260, median: 266, max: 269 },
    });
  });

  it('prints a line per run as ping does, and a summary table', () => {
    expect(renderRun(run(4, 7), 0, 10, plain)).toBe('   1/10  connected to 127.0.0.1 in 263 ms (lookup 2 ms, TCP connect 4 ms, TLS handshake 7 ms)');
    expect(renderRun(refused, 9, 10, plain)).toBe('  10/10  failed after 2 ms: connection refused');
    const summary = renderRepeatSummary(repeatReport('db.example:5432', [run(4), refused, run(5)]), plain);
    expect(summary).toEqual([
      '  --- db.example:5432: 3 connects, 2 connected, 1 failed (33%)',
      '  phase           min    median     max',
      '  ───────────  ──────  ────────  ──────',
      '  lookup         2 ms      2 ms    2 ms',
      '  TCP connect    4 ms    4.5 ms    5 ms',
      '  total        256 ms  256.5 ms  257 ms',
    ]);
  });

  it('marks a run whose winner the connect history put first', () => {
    const learned = targetReport(target, [
      { type: 'resolved', elapsed: 1, host: 'db.example', port: 5432, family: 4, addresses: [v4] },
      { type: 'attempt', elapsed: 1, attempt: 0, address: v4, history: true },
      { type: 'connected', elapsed: 2, attempt: 0, address: v4 },
    ]);
    expect(renderRun(learned, 1, 2, plain)).toBe('  2/2  connected to 127.0.0.1 (history) in 2 ms (lookup 1 ms, TCP connect 1 ms)');
    expect(stripAnsi(renderRun(learned, 1, 2, palette(true)))).toBe(renderRun(learned, 1, 2, plain));
    // A history that placed a loser only (::1, the stale winner) does not mark the run.
    const stale = targetReport(target, run(4).events.map((e) => (e.type === 'attempt' && e.attempt === 0 ? { ...e, history: true as const } : e)));
    expect(renderRun(stale, 0, 2, plain)).toBe('  1/2  connected to 127.0.0.1 in 256 ms (lookup 2 ms, TCP connect 4 ms)');
  });

  it('escapes control characters of the target and of the error, and colours only with a coloured palette', () => {
    const evil = { ...refused, error: { code: 'EX', message: 'bad\u001b[2Jthing' } };
    expect(renderRun(evil, 0, 1, plain)).toContain('bad\\x1b[2Jthing');
    expect(renderRepeatSummary(repeatReport('h\u0007:1', [evil]), plain)[0]).toContain('h\\x07:1');
    const coloured = renderRun(run(4), 0, 1, palette(true));
    expect(coloured).not.toBe(stripAnsi(coloured));
    expect(stripAnsi(coloured)).toBe(renderRun(run(4), 0, 1, plain));
  });
});
