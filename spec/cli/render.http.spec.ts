import { palette, stripAnsi } from '../../src/cli/colors.js';
import { httpOutcome, statusLine, statusPaint } from '../../src/cli/httpDetails.js';
import { exitCodeOf, targetReport } from '../../src/cli/report.js';
import type { HttpReport, JsonEvent } from '../../src/cli/report.js';
import { renderTimeline } from '../../src/cli/timeline.js';

const plain = palette(false);
const v4 = { address: '127.0.0.1', family: 4 as const, port: 8080 };
const target = { text: 'http://localhost:8080/', host: 'localhost', port: 8080 };

/** Connected at 2 ms; the GET goes out at 2 ms and its headers arrive at 20 ms. */
const events: JsonEvent[] = [
  { type: 'resolved', elapsed: 0, host: 'localhost', port: 8080, family: 4, addresses: [v4] },
  { type: 'attempt', elapsed: 0, attempt: 0, address: v4 },
  { type: 'connected', elapsed: 2, attempt: 0, address: v4 },
  { type: 'closed', elapsed: 2 },
];
const ok: HttpReport = {
  url: target.text,
  method: 'GET',
  sent: 2,
  ended: 20,
  ttfb: 20,
  status: 200,
  statusText: 'OK',
  httpVersion: '1.1',
  headers: 4,
  selected: { server: 'nginx', 'content-type': 'text/html' },
};

describe('renderTimeline with a URL\'s request', () => {
  const draw = (http: HttpReport, columns?: number): string[] =>
    renderTimeline({ ...targetReport(target, events), http }, { palette: plain, width: 20, title: target.text, note: 'happy-eyeballs', columns });

  it('draws the wait for the first byte after the connect, on the same axis, then the status line and the headers', () => {
    expect(draw(ok)).toEqual([
      'http://localhost:8080/  happy-eyeballs',
      '  lookup IPv4   ◆                     0 ms  → 127.0.0.1',
      '  #0 127.0.0.1  ├─●                   0 ms → 2 ms  connected',
      '     HTTP GET     ├┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄●  2 ms → 20 ms  first byte: HTTP 200 OK',
      '                0 ms           20 ms',
      '  ✔ connected to 127.0.0.1 port 8080 in 2 ms',
      '  ✔ HTTP 200 OK, first byte at 20 ms (18 ms after the request, 4 headers)',
      '    server        nginx',
      '    content-type  text/html',
    ]);
  });

  it('draws no response as ✗ with the error, and cuts long header values to the terminal', () => {
    const failed: HttpReport = { url: target.text, method: 'GET', sent: 2, ended: 30, error: { code: 'ETIMEDOUT', message: 'no response within 30 ms' } };
    const out = draw(failed);
    expect(out[3]).toBe('     HTTP GET    ├┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄✗  2 ms → 30 ms  no response within 30 ms');
    expect(out.at(-1)).toBe('  ✘ no response after 30 ms: ETIMEDOUT no response within 30 ms');
    const long = draw({ ...ok, selected: { 'content-type': 'x'.repeat(200) } }, 60);
    expect(long.at(-1)).toBe(`    content-type  ${'x'.repeat(41)}…`);
  });

  it('a status of any class is a response (exit 0); no response is a failure (exit 1)', () => {
    const report = targetReport(target, events);
    expect(exitCodeOf([{ ...report, http: { ...ok, status: 503, statusText: 'Service Unavailable' } }])).toBe(0);
    expect(exitCodeOf([{ ...report, http: { url: target.text, method: 'GET', sent: 2, ended: 3, error: { code: 'ECONNRESET', message: 'socket hang up' } } }])).toBe(1);
    expect(exitCodeOf([report])).toBe(0);
  });

  it('paints 2xx green, 3xx cyan, others yellow, and escapes the reason phrase', () => {
    const p = palette(true);
    expect(statusPaint(204, p)('x')).toBe(p.green('x'));
    expect(statusPaint(301, p)('x')).toBe(p.cyan('x'));
    expect(statusPaint(404, p)('x')).toBe(p.yellow('x'));
    expect(statusLine({ ...ok, statusText: 'OK\u001b[2J' })).toBe('HTTP 200 OK\\x1b[2J');
    expect(statusLine({ ...ok, status: 204, statusText: '' })).toBe('HTTP 204');
    expect(stripAnsi(httpOutcome({ ...ok, headers: 1 }, p))).toBe('✔ HTTP 200 OK, first byte at 20 ms (18 ms after the request, 1 header)');
  });
});
