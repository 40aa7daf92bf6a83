import { of } from 'rxjs';
import { runCli } from '../../src/cli/cli.js';
import { palette } from '../../src/cli/colors.js';
import { terminalJson, visible } from '../../src/cli/escape.js';
import type { TargetReport } from '../../src/cli/report.js';
import { ScanTally, jsonlResult, renderSummary } from '../../src/cli/scanTally.js';
import { jsonLine } from '../../src/cli/escape.js';
import { server$ } from '../../src/cli/serve.js';
import { renderTimeline } from '../../src/cli/timeline.js';
import type { ServerEvent } from '../../src/index.js';
import { fakeIo } from './support.js';

/** A terminal acts on these: C0 (but the line ends the CLI writes itself), DEL and C1. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
/** What a scan file or an argument may carry: set the title (OSC), clear the screen (CSI), a carriage return, a C1 CSI. */
const EVIL = '\u001b]0;title\u0007\u001b[2J\rhost\u009b2J\u007f';
const EVIL_SHOWN = '\\x1b]0;title\\x07\\x1b[2J\\x0dhost\\x9b2J\\x7f';

describe('visible', () => {
  it('turns every C0, DEL and C1 character into a visible \\xNN escape', () => {
    for (let code = 0; code < 0x20; code++) expect(visible(String.fromCharCode(code))).toBe(`\\x${code.toString(16).padStart(2, '0')}`);
    for (let code = 0x7f; code <= 0x9f; code++) expect(visible(String.fromCharCode(code))).toBe(`\\x${code.toString(16)}`);
    expect(visible(EVIL)).toBe(EVIL_SHOWN);
  });

  it('leaves printable text alone: ASCII, backslashes, and Unicode from U+00A0 on', () => {
    const text = 'host-1.example:80 \\x1b ünïcødé ✔ → ::1 \u00a0\u2028';
    expect(visible(text)).toBe(text);
  });
});

describe('terminalJson', () => {
  it('is valid JSON that parses back to the same data, with no raw control character', () => {
    const data = { targets: [{ host: EVIL, error: { code: 'E\u0085', message: `refused ${EVIL}` } }] };
    const text = terminalJson(data);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/); // eslint-disable-line no-control-regex
    expect(JSON.parse(text)).toEqual(data);
    expect(text).toBe(JSON.stringify(data, null, 2).replace(/\u007f/g, '\\u007f').replace(/\u0085/g, '\\u0085').replace(/\u009b/g, '\\u009b'));
  });
});

describe('untrusted text on each output path is escaped', () => {
  const failed: TargetReport = {
    host: EVIL,
    port: 80,
    outcome: 'failed',
    error: { code: 'ECONNREFUSED', message: `connection refused (${EVIL} port 80: connection refused after 1 ms)` },
    ms: 2,
    events: [
      { type: 'resolved', elapsed: 0, host: EVIL, port: 80, family: 0, addresses: [{ address: EVIL, family: 4, port: 80 }] },
      { type: 'attempt', elapsed: 1, attempt: 0, address: { address: EVIL, family: 4, port: 80 } },
      { type: 'attemptFailed', elapsed: 2, attempt: 0, address: { address: EVIL, family: 4, port: 80 }, error: { code: 'ECONNREFUSED', message: `${EVIL} refused` } },
      { type: 'failed', elapsed: 2, error: { code: 'ECONNREFUSED', message: `connection refused (${EVIL})` } },
    ],
  };
  const connected: TargetReport = { host: EVIL, port: EVIL, outcome: 'connected', address: EVIL, ms: 1, events: [] };

  it('probe: the timeline (title, lookup answers, attempts, errors, winner)', () => {
    for (const p of [palette(false), palette(true)]) {
      const text = [...renderTimeline(failed, { palette: p }), ...renderTimeline(connected, { palette: p, title: EVIL })].join('\n');
      // With colour on, ESC appears only in SGR colour codes (ESC [ digits m).
      expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(RAW_CONTROL); // eslint-disable-line no-control-regex
      expect(text).toContain(EVIL_SHOWN);
    }
  });

  it('scan: the summary table (target text, address, error)', () => {
    const tally = new ScanTally({ list: true, onlyUp: false });
    tally.add({ index: 0, host: failed.host, port: failed.port, outcome: 'failed', ms: 2, error: failed.error! });
    tally.add({ index: 1, host: EVIL, port: EVIL, outcome: 'connected', ms: 1, address: EVIL });
    const text = renderSummary(tally, palette(false), { totalMs: 5, total: 2, interrupted: false }).join('\n');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain(EVIL_SHOWN);
  });

  it('scan: --jsonl lines stay one line each and valid JSON, with DEL and C1 written as \\u00NN', () => {
    const line = jsonLine(jsonlResult({ index: 0, host: EVIL, port: 80, outcome: 'failed', ms: 2, error: { code: 'ECONNREFUSED', message: EVIL } }));
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).not.toContain('\n');
    expect((JSON.parse(line) as { host: string }).host).toBe(EVIL);
  });

  it('serve: every line it logs (here, the addresses it listens on)', () => {
    const lines: string[] = [];
    const events$ = of<ServerEvent>({ type: 'listening', socknames: [{ address: EVIL, host: EVIL, port: 1 }] });
    server$(events$, 'echo', (line) => lines.push(line)).subscribe();
    expect(lines).toEqual([`listening on ${EVIL_SHOWN} port 1`]);
  });

  it.each([
    ['probe, a target argument', ['probe', `${EVIL}:80`], undefined],
    ['probe, an unknown option', ['probe', 'x:1', `--${EVIL}`], undefined],
    ['probe, an option value', ['probe', 'x:1', '--timeout', EVIL], undefined],
    ['scan, a line of the list', ['scan', '-'], `${EVIL.replace('\r', '')}:80\n`],
    ['scan, the file name', ['scan', `/nonexistent/${EVIL}`], undefined],
    ['probe, the --ca file name', ['probe', '--tls', '--ca', `/nonexistent/${EVIL}`, 'x:1'], undefined],
    ['serve, the --key file name', ['serve', '0', '--tls', '--key', `/nonexistent/${EVIL}`, '--cert', 'c.pem'], undefined],
    ['serve, the port', ['serve', EVIL], undefined],
    ['serve, --myaddr', ['serve', '0', '--myaddr', EVIL], undefined],
  ])('%s: the usage error on stderr shows the control characters as escapes', async (_what, argv, stdin) => {
    const f = fakeIo(stdin === undefined ? {} : { stdin });
    expect(await runCli(argv, f.io)).toBe(2);
    const err = f.stderr.text();
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err.slice(0, -1)).not.toMatch(RAW_CONTROL);
    expect(err).toMatch(/\\x1b|\\u001b/);
    expect(f.stdout.text()).toBe('');
  });
});
