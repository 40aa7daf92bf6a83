import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import type { JsonReport } from '../../src/cli/report.js';
import { loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { stripAnsi } from '../../src/cli/colors.js';
import { ANSI, fakeIo } from './support.js';

describe('rxconnect scan (in-process, loopback)', () => {
  let dir: string;
  const net = loopbackFixtures();
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rxconnect-scan-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file with comments and blank lines, and ends with a summary table; exit 1 when one is down', async () => {
    const four = await net.server('127.0.0.1');
    const six = await net.server('::1');
    const refused = await refusedPort();
    const list = file(
      'hosts.txt',
      `# loopback targets for the scan spec\n\n127.0.0.1:${four.port}   # IPv4 server\n[::1]:${six.port}\n   \n# [::1]:1 is commented out\n127.0.0.1:${refused}\n`,
    );
    const f = fakeIo();
    expect(await runCli(['scan', list], f.io)).toBe(1);
    const lines = f.stdout.text().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^target +status +time +address +error$/);
    expect(lines[2]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${four.port} +up +\\d+ ms +127\\.0\\.0\\.1$`));
    expect(lines[3]).toMatch(new RegExp(`^\\[::1\\]:${six.port} +up +\\d+ ms +::1$`));
    expect(lines[4]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${refused} +down +\\d+ ms +- +ECONNREFUSED connection refused$`));
    expect(lines).toHaveLength(7);
    expect(lines[6]).toMatch(/^2 up, 1 down of 3 targets in \d+ ms$/);
    expect(f.stdout.text()).not.toMatch(ANSI);
    // stderr is not a TTY: no progress bar, nothing at all.
    expect(f.stderr.text()).toBe('');
    expect(four.clients).toHaveLength(1);
    expect(six.clients).toHaveLength(1);
  });

  it('exits 0 when every target is up, and reads standard input for "-"', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo({ stdin: `127.0.0.1:${s.port}\nlocalhost:${s.port}\n` });
    expect(await runCli(['scan', '-'], f.io)).toBe(0);
    expect(f.stdout.text()).toContain('2 up, 0 down of 2 targets');
  });

  it('prints probe\'s JSON shape with --json, in list order', async () => {
    const s = await net.server('127.0.0.1');
    const refused = await refusedPort();
    const f = fakeIo({ stdin: `# json\n127.0.0.1:${refused}\n127.0.0.1:${s.port}\n` });
    expect(await runCli(['scan', '-', '--json'], f.io)).toBe(1);
    const report = JSON.parse(f.stdout.text()) as JsonReport;
    expect(report.targets.map((t) => [t.port, t.outcome])).toEqual([
      [refused, 'failed'],
      [s.port, 'connected'],
    ]);
    expect(report.targets[0]!.error?.code).toBe('ECONNREFUSED');
    expect(report.targets[1]!.events.some((e) => 'channel' in e)).toBe(false);
  });

  it('shows a progress bar on stderr only when stderr is a TTY, and clears it', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo({ stderrTty: true, stdin: `127.0.0.1:${s.port}\n` });
    expect(await runCli(['scan', '-'], f.io)).toBe(0);
    expect(stripAnsi(f.stderr.text())).toMatch(/\[█+\] 1\/1 {2}up 1 {2}down 0/);
    const plain = fakeIo({ stderrTty: true, env: { NO_COLOR: '1' }, stdin: `127.0.0.1:${s.port}\n` });
    expect(await runCli(['scan', '-'], plain.io)).toBe(0);
    expect(plain.stderr.text()).toContain('[████████████████████████] 1/1  up 1  down 0');
    // The bar's line is erased at the end (log-update's eraseLines: erase the line, cursor to column 1).
    expect(f.stderr.text().replaceAll('\u001b[?2026l', '').endsWith('\u001b[2K\u001b[G')).toBe(true);
    expect(f.stdout.text()).not.toContain('█');
  });

  it('runs at most --concurrency connects at once, and gives up on each at --timeout', async () => {
    const hole = await net.blackhole(4);
    const list = `127.0.0.1:${hole.port}\n`.repeat(4);
    const serial = fakeIo({ stdin: list });
    let started = Date.now();
    expect(await runCli(['scan', '-', '--concurrency', '2', '--timeout', '150', '--json'], serial.io)).toBe(1);
    const two = Date.now() - started;
    const report = JSON.parse(serial.stdout.text()) as JsonReport;
    expect(report.targets.map((t) => t.error?.code)).toEqual(['ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT', 'ETIMEDOUT']);
    expect(two).toBeGreaterThanOrEqual(290); // two rounds of 150 ms
    const parallel = fakeIo({ stdin: list });
    started = Date.now();
    expect(await runCli(['scan', '-', '--concurrency', '4', '--timeout', '150'], parallel.io)).toBe(1);
    const four = Date.now() - started;
    expect(four).toBeLessThan(two);
    expect(parallel.stdout.text()).toContain('ETIMEDOUT connection timed out');
  });

  it.each([
    ['a missing file', ['scan', '/nonexistent/hosts.txt'], '', /^rxconnect scan: cannot read \/nonexistent\/hosts\.txt: no such file$/],
    ['a list with no targets', ['scan', '-'], '# only\n\n# comments\n', /^rxconnect scan: no targets in stdin \(one host:port per line; blank lines and # comments are skipped\)$/],
    ['a bad line', ['scan', '-'], '# ok\nlocalhost:80\nlocalhost\n', /^rxconnect scan: stdin, line 3: bad target "localhost": missing port/],
    ['a bad --concurrency', ['scan', '-', '--concurrency', '0'], 'a:1\n', /^rxconnect scan: option '--concurrency <n>' argument '0' is invalid/],
    ['no file', ['scan'], '', /^rxconnect scan: missing required argument 'file'/],
  ])('exits 2 with one line for %s', async (_what, argv, stdin, message) => {
    const f = fakeIo({ stdin });
    expect(await runCli(argv, f.io)).toBe(2);
    expect(f.stderr.text().trimEnd().split('\n')).toHaveLength(1);
    expect(f.stderr.text().trimEnd()).toMatch(message);
  });
});
