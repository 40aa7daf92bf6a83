import { colorEnabled, pad, palette, stripAnsi, truncate, visibleLength } from '../../src/cli/colors.js';
import { describeSnapshot, formatSnapshot } from '../../src/cli/demo.js';
import { renderProgress } from '../../src/cli/progress.js';
import { exitCodeOf, jsonError, targetReport, toJsonEvent } from '../../src/cli/report.js';
import type { JsonEvent, TargetReport } from '../../src/cli/report.js';
import { ScanTally, duration, renderSummary } from '../../src/cli/scanTally.js';
import { describeSocknames, tclClockFormat } from '../../src/cli/serve.js';
import { renderTable } from '../../src/cli/table.js';
import { MARKS, legend, renderTimeline, shortError } from '../../src/cli/timeline.js';
import { wrapLine } from '../../src/cli/wrap.js';
import { ConnectError } from '../../src/index.js';
import type { ConnectEvent, SocketSnapshot } from '../../src/index.js';
import { ANSI } from './support.js';

const plain = palette(false);
const colored = palette(true);
const v6 = { address: '::1', family: 6 as const, port: 8080 };
const v4 = { address: '127.0.0.1', family: 4 as const, port: 8080 };

/** Happy Eyeballs where ::1 hangs and 127.0.0.1 wins after the attempt delay. */
const raceEvents: JsonEvent[] = [
  { type: 'resolved', elapsed: 1, host: 'localhost', port: 8080, family: 6, addresses: [v6] },
  { type: 'resolved', elapsed: 1, host: 'localhost', port: 8080, family: 4, addresses: [v4] },
  { type: 'attempt', elapsed: 1, attempt: 0, address: v6 },
  { type: 'attempt', elapsed: 251, attempt: 1, address: v4 },
  { type: 'attemptCancelled', elapsed: 252, attempt: 0, address: v6, reason: 'lost' },
  { type: 'connected', elapsed: 252, attempt: 1, address: v4 },
  { type: 'closed', elapsed: 253 },
];

const refusedEvents: JsonEvent[] = [
  { type: 'resolved', elapsed: 0, host: 'localhost', port: 8080, family: 0, addresses: [v6, v4] },
  { type: 'attempt', elapsed: 0, attempt: 0, address: v6 },
  { type: 'attemptFailed', elapsed: 1, attempt: 0, address: v6, error: { code: 'ECONNREFUSED', message: 'connection refused (::1 port 8080 after 1 ms)' } },
  { type: 'attempt', elapsed: 1, attempt: 1, address: v4 },
  { type: 'attemptFailed', elapsed: 2, attempt: 1, address: v4, error: { code: 'ECONNREFUSED', message: 'connection refused (127.0.0.1 port 8080 after 1 ms)' } },
  {
    type: 'failed',
    elapsed: 2,
    error: { code: 'ECONNREFUSED', message: 'connection refused (::1 port 8080: connection refused after 1 ms; 127.0.0.1 port 8080: connection refused after 1 ms)' },
  },
];

const target = { text: 'localhost:8080', host: 'localhost', port: 8080 };

describe('colours', () => {
  it('are on only for a TTY without NO_COLOR (and not on a dumb terminal)', () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: false }, {})).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });

  it('are the identity when off, ANSI codes when on', () => {
    expect(plain.red('x')).toBe('x');
    expect(colored.red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(stripAnsi(colored.bold(colored.green('ok')))).toBe('ok');
    expect(visibleLength(colored.green('●─'))).toBe(2);
  });

  it('pad and truncate by visible width', () => {
    expect(pad(colored.red('ab'), 4)).toBe(`${colored.red('ab')}  `);
    expect(pad('ab', 4, true)).toBe('  ab');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('JSON reports', () => {
  it('turn events into plain data: no channel, errors as { code, message }', () => {
    const error = new ConnectError({ code: 'ECONNREFUSED', address: '::1', port: 1, duration: 2 });
    const channel = { secret: true } as unknown as ConnectEvent & { type: 'connected' } extends { channel: infer C } ? C : never;
    expect(toJsonEvent({ type: 'connected', elapsed: 3, attempt: 0, address: v4, channel })).toEqual({ type: 'connected', elapsed: 3, attempt: 0, address: v4 });
    expect(toJsonEvent({ type: 'attemptFailed', elapsed: 2, attempt: 0, address: v6, error })).toEqual({
      type: 'attemptFailed',
      elapsed: 2,
      attempt: 0,
      address: v6,
      error: { code: 'ECONNREFUSED', message: error.message },
    });
    expect(toJsonEvent({ type: 'closed', elapsed: 9 })).toEqual({ type: 'closed', elapsed: 9 });
    // `history` only when a history placed the attempt, and only as true.
    expect(toJsonEvent({ type: 'attempt', elapsed: 1, attempt: 0, address: v4, history: true })).toEqual({ type: 'attempt', elapsed: 1, attempt: 0, address: v4, history: true });
    expect(toJsonEvent({ type: 'attempt', elapsed: 1, attempt: 0, address: v4 })).toEqual({ type: 'attempt', elapsed: 1, attempt: 0, address: v4 });
    expect(toJsonEvent({ type: 'attempt', elapsed: 1, attempt: 0, address: v4, local: v4 })).toEqual({ type: 'attempt', elapsed: 1, attempt: 0, address: v4, local: v4 });
    expect(jsonError(new Error(''))).toEqual({ code: 'EUNKNOWN', message: 'unknown error' });
  });

  it('summarise a target: outcome, ms to the terminal event, the winner, the resolved port', () => {
    const up = targetReport({ ...target, port: 'http-alt' }, raceEvents);
    expect(up).toEqual({ host: 'localhost', port: 8080, outcome: 'connected', ms: 252, address: '127.0.0.1', events: raceEvents });
    const down = targetReport(target, refusedEvents);
    expect(down).toMatchObject({ outcome: 'failed', ms: 2, error: { code: 'ECONNREFUSED' } });
    expect(down).not.toHaveProperty('address');
    expect(exitCodeOf([up])).toBe(0);
    expect(exitCodeOf([up, down])).toBe(1);
  });
});

describe('renderTimeline', () => {
  const lines = (report: TargetReport, width = 40): string[] => renderTimeline(report, { palette: plain, width, note: 'happy-eyeballs' });

  it('draws lookups as diamonds and attempts as bars on one time axis, then names the winner', () => {
    const out = lines(targetReport(target, raceEvents));
    expect(out[0]).toBe('localhost:8080  happy-eyeballs');
    expect(out[1]).toMatch(/^ {2}lookup IPv6 +◆ +1 ms {2}→ ::1$/);
    expect(out[2]).toMatch(/^ {2}lookup IPv4 +◆ +1 ms {2}→ 127\.0\.0\.1$/);
    // #0 runs from the start to its cancellation at the very end; #1 starts at the end and wins.
    expect(out[3]).toMatch(/#0 ::1 +├─{30,}○ +1 ms → 252 ms {2}cancelled: lost the race$/);
    expect(out[4]).toMatch(/#1 127\.0\.0\.1 +├?● {2}251 ms → 252 ms {2}connected$/);
    expect(out[5]).toMatch(/0 ms +252 ms$/);
    expect(out[6]).toBe('  ✔ connected to 127.0.0.1 port 8080 in 252 ms (attempt #1 of 2, 1 cancelled)');
    // Every bar is as wide as asked: the tails line up.
    const bars = out.slice(1, 5).map((l) => l.indexOf(' ms'));
    expect(new Set(bars.slice(0, 2)).size).toBe(1);
  });

  it('puts each mark where its time falls', () => {
    const out = lines(targetReport(target, raceEvents), 21);
    // Indent 2, the widest label ('#1 127.0.0.1', 12), two spaces: the bars start at column 16.
    const bar = (row: number): string => [...out[row]!].slice(16, 16 + 21).join('');
    expect(bar(1).indexOf(MARKS.lookup)).toBe(0);
    expect(bar(3).indexOf(MARKS.start)).toBe(0);
    expect(bar(3).indexOf(MARKS.cancelled)).toBe(20);
    expect(bar(4).indexOf(MARKS.connected)).toBe(20);
    expect(bar(4).trimEnd()).toBe(' '.repeat(20) + MARKS.connected);
  });

  it('gives the readable aggregated error when every attempt failed', () => {
    const out = lines(targetReport(target, refusedEvents));
    expect(out.filter((l) => l.includes(MARKS.failed))).toHaveLength(2);
    expect(out.some((l) => /connection refused$/.test(l))).toBe(true);
    expect(out.at(-1)).toBe(
      '  ✘ failed after 2 ms: ECONNREFUSED connection refused (::1 port 8080: connection refused after 1 ms; 127.0.0.1 port 8080: connection refused after 1 ms)',
    );
  });

  it('shows a lookup that failed without attempts', () => {
    const events: JsonEvent[] = [
      { type: 'resolved', elapsed: 3, host: 'nx.invalid', port: 80, family: 6, addresses: [] },
      { type: 'failed', elapsed: 4, error: { code: 'ENOTFOUND', message: 'Name or service not known (lookup of nx.invalid failed)' } },
    ];
    const out = lines(targetReport({ text: 'nx.invalid:80', host: 'nx.invalid', port: 80 }, events));
    expect(out[1]).toMatch(/lookup IPv6 +◆ +3 ms {2}→ no addresses/);
    expect(out.at(-1)).toContain('ENOTFOUND Name or service not known');
  });

  it('tells a timeout from a lost race', () => {
    const events: JsonEvent[] = [
      { type: 'resolved', elapsed: 0, host: '::1', port: 80, family: 6, addresses: [v6] },
      { type: 'attempt', elapsed: 0, attempt: 0, address: v6 },
      { type: 'attemptCancelled', elapsed: 300, attempt: 0, address: v6, reason: 'timeout' },
      { type: 'failed', elapsed: 300, error: { code: 'ETIMEDOUT', message: 'connection timed out (::1 port 8080: connection timed out after 300 ms)' } },
    ];
    expect(lines(targetReport(target, events)).join('\n')).toContain('cancelled: timed out');
  });

  it('marks the row of an attempt that the connect history placed, and keeps the mark when the outcome is cut', () => {
    const learned: JsonEvent[] = [
      { type: 'resolved', elapsed: 1, host: 'localhost', port: 8080, family: 6, addresses: [v6] },
      { type: 'resolved', elapsed: 1, host: 'localhost', port: 8080, family: 4, addresses: [v4] },
      { type: 'attempt', elapsed: 1, attempt: 0, address: v4, history: true },
      { type: 'connected', elapsed: 2, attempt: 0, address: v4 },
    ];
    const out = lines(targetReport(target, learned));
    expect(out[3]).toMatch(/^ {2}#0 127\.0\.0\.1 +├─+● +1 ms → 2 ms {2}connected \(history\)$/);
    expect(out.filter((l) => l.includes('(history)'))).toHaveLength(1);
    // A stale winner (::1 won last time, hangs now) loses the race; at 80 columns its outcome is cut, not the mark.
    const stale = raceEvents.map((e) => (e.type === 'attempt' && e.attempt === 0 ? { ...e, history: true as const } : e));
    const cut = renderTimeline(targetReport(target, stale), { palette: plain, width: 16, columns: 80 });
    expect(cut[3]).toMatch(/^ {2}#0 ::1 .* {2}cancelled:[^(]*… \(history\)$/);
    expect(cut[3]).toHaveLength(80);
    expect(lines(targetReport(target, raceEvents)).join('\n')).not.toContain('history');
  });

  it('draws short connects on a 10 ms axis at least, and on a common scale when asked', () => {
    const quick: JsonEvent[] = [
      { type: 'resolved', elapsed: 0, host: 'h', port: 1, family: 4, addresses: [v4] },
      { type: 'attempt', elapsed: 0, attempt: 0, address: v4 },
      { type: 'connected', elapsed: 1, attempt: 0, address: v4 },
    ];
    expect(lines(targetReport(target, quick)).join('\n')).toContain('10 ms');
    expect(renderTimeline(targetReport(target, quick), { palette: plain, scale: 1000 }).join('\n')).toContain('1000 ms');
  });

  it('uses colour only with a coloured palette', () => {
    const report = targetReport(target, raceEvents);
    expect(lines(report).join('\n')).not.toMatch(ANSI);
    expect(renderTimeline(report, { palette: colored }).join('\n')).toMatch(ANSI);
    expect(stripAnsi(renderTimeline(report, { palette: colored }).join('\n'))).toBe(renderTimeline(report, { palette: plain }).join('\n'));
  });

  it('has a legend', () => {
    expect(legend(plain)).toBe('◆ lookup answered   ├─● connected   ├─✗ failed   ├─○ cancelled');
    expect(shortError({ code: 'X', message: 'connection refused (a; b)' })).toBe('connection refused');
  });
});

describe('tables, progress and the scan summary', () => {
  it('aligns columns by visible width, right-aligning where asked', () => {
    const out = renderTable([{ header: 'name' }, { header: 'ms', align: 'right' }], [[colored.green('a'), '5'], ['bbb', '120']]);
    expect(out.map(stripAnsi)).toEqual(['name   ms', '────  ───', 'a       5', 'bbb   120']);
  });

  it('draws a progress bar with counts, rate, ETA and open ports; an unknown total has no ETA', () => {
    expect(renderProgress({ done: 5, total: 10, open: 1, rate: 2.5 }, plain, 10)).toBe('[█████·····] 5/10  3/s  ETA 0:02  open 1');
    expect(renderProgress({ done: 1234, total: 1_000_000, open: 0, rate: 1000 }, plain, 4)).toBe('[····] 1,234/1,000,000  1,000/s  ETA 16:39  open 0');
    expect(renderProgress({ done: 0, total: 0, open: 0, rate: 0 }, plain, 4)).toBe('[████] 0/0  0/s  ETA -:--  open 0');
    expect(renderProgress({ done: 7, total: undefined, open: 2, rate: 7 }, plain, 4)).toBe('[····] 7/?  7/s  ETA -:--  open 2');
  });

  it('summarises a scan: up or down, time, winner, error, and totals', () => {
    const reports = [targetReport(target, raceEvents), targetReport({ ...target, host: '::1' }, refusedEvents)];
    const tally = new ScanTally({ list: true, onlyUp: false });
    reports.forEach((r, index) => tally.add({ index, host: r.host, port: r.port, outcome: r.outcome, ms: r.ms, address: r.address, error: r.error }));
    const out = renderSummary(tally, plain, { totalMs: 1500, total: 2, interrupted: false });
    expect(out[0]).toMatch(/^target +status +time +address +error$/);
    expect(out[2]).toMatch(/^localhost:8080 +up +252 ms +127\.0\.0\.1$/);
    expect(out[3]).toMatch(/^\[::1\]:8080 +down +2 ms +- +ECONNREFUSED connection refused$/);
    expect(out.at(-1)).toBe('1 up, 1 down of 2 targets in 1.5 s');
    expect(duration(850)).toBe('850 ms');
  });
});

describe('serve and demo helpers', () => {
  it("formats the time as Tcl's clock format does", () => {
    expect(tclClockFormat(new Date(2025, 10, 21, 9, 5, 7))).toMatch(/^Fri Nov 21 09:05:07 \S+ 2025$/);
    expect(describeSocknames([{ address: '0.0.0.0', host: '0.0.0.0', port: 9900 }, { address: '::', host: '::', port: 9900 }])).toBe('0.0.0.0 port 9900, :: port 9900');
  });

  it('describes snapshots in a few words', () => {
    const idle: SocketSnapshot = { connecting: false, error: '', sockname: null, peername: null, inFlight: [] };
    expect(describeSnapshot({ ...idle, connecting: true }, plain)).toBe('lookup');
    expect(describeSnapshot({ ...idle, connecting: true, inFlight: [v6, v4] }, plain)).toBe('::1 127.0.0.1');
    expect(describeSnapshot({ ...idle, error: 'connection refused' }, plain)).toBe('✘ connection refused');
    expect(describeSnapshot({ ...idle, peername: { address: '127.0.0.1', host: '127.0.0.1', port: 1 } }, plain)).toBe('✔ 127.0.0.1');
    expect(describeSnapshot(idle, plain)).toBe('idle');
    expect(formatSnapshot({ ...idle, inFlight: [v6] })).toEqual(["{ connecting: false,", "  error: '',", '  sockname: null,', '  peername: null,', "  inFlight: ['::1'] }"]);
  });
});

describe('wrapLine', () => {
  it('leaves a line that fits alone', () => {
    expect(wrapLine('   short line', 20)).toEqual(['   short line']);
  });

  it('breaks at spaces, keeping the indentation plus two spaces, and never splits a word', () => {
    expect(wrapLine('   one two three four five', 14)).toEqual(['   one two', '     three', '     four five']);
    expect(wrapLine('  averyveryverylongword x', 8)).toEqual(['  averyveryverylongword', '    x']);
  });

  it('counts visible columns, not colour codes', () => {
    const green = palette(true).green;
    expect(wrapLine(`${green('ok')} ${green('ok')}`, 5)).toEqual([`${green('ok')} ${green('ok')}`]);
  });
});
