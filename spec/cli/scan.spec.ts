import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import type { JsonReport } from '../../src/cli/report.js';
import { loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { stripAnsi } from '../../src/cli/colors.js';
import { ANSI, DURATION, fakeIo, until } from './support.js';

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
    expect(lines[6]).toMatch(new RegExp(`^2 up, 1 down of 3 targets in ${DURATION}$`));
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
    expect(stripAnsi(f.stderr.text())).toMatch(/\[·+\] 0\/\? {2}0\/s {2}ETA -:-- {2}open 0/);
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

  it('scans ranges, lists and CIDR blocks on loopback, streams --jsonl line by line, and --open keeps the open ones', async () => {
    const s = await net.server('127.0.0.1');
    const six = await net.server('::1');
    const refused = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['scan', `127.0.0.1:${refused},${s.port}`, `127.0.0.0/30:${refused}`, `[::1/128]:${six.port}`, '--jsonl'], f.io)).toBe(1);
    const lines = f.stdout.text().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    const up = lines.filter((l) => l['outcome'] === 'connected').map((l) => l['target']).sort();
    expect(up).toEqual([`127.0.0.1:${s.port}`, `[::1]:${six.port}`]);
    expect(lines.find((l) => l['target'] === `127.0.0.2:${refused}`)).toMatchObject({ host: '127.0.0.2', port: refused, outcome: 'failed', error: { code: 'ECONNREFUSED' } });
    expect(Object.keys(lines.find((l) => l['outcome'] === 'connected')!).sort()).toEqual(['address', 'host', 'ms', 'outcome', 'port', 'target']);
    const open = fakeIo();
    expect(await runCli(['scan', `127.0.0.1:${refused},${s.port}`, `127.0.0.0/30:${refused}`, '--open'], open.io)).toBe(1);
    const table = open.stdout.text().trimEnd().split('\n');
    expect(table[2]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${s.port} +up `));
    expect(table.filter((l) => /^\S+ +down /.test(l))).toEqual([]);
    expect(table).toContain('Not shown: 5 down (ECONNREFUSED connection refused)');
    expect(table.at(-1)).toMatch(new RegExp(`^1 up, 5 down of 6 targets in ${DURATION}$`));
  });

  it('counts a large group of one failure instead of listing it, as nmap does, and --top fills in ports', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['scan', `127.0.0.1:1-40,${s.port}`, '--concurrency', '16'], f.io)).toBe(1);
    const out = f.stdout.text().trimEnd().split('\n');
    expect(out[2]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${s.port} +up `));
    expect(out).toContain('Not shown: 40 down (ECONNREFUSED connection refused)');
    expect(out.at(-1)).toMatch(/^1 up, 40 down of 41 targets in /);
    const top = fakeIo();
    expect(await runCli(['scan', '127.0.0.1', '--top', '5', '--jsonl'], top.io)).not.toBe(2);
    const ports = top.stdout.text().trimEnd().split('\n').map((line) => (JSON.parse(line) as { port: number }).port);
    expect(ports.sort((a, b) => a - b)).toEqual([21, 22, 23, 80, 443]);
  });

  it('takes every n-th target with --shard i/n; the shards cover the list once', async () => {
    const found: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const f = fakeIo();
      await runCli(['scan', '127.0.0.1:1-5', '127.0.0.2:1-5', '--shard', shard, '--jsonl'], f.io);
      found.push(...f.stdout.text().trimEnd().split('\n').map((line) => (JSON.parse(line) as { target: string }).target));
    }
    expect(found.sort()).toEqual([1, 2, 3, 4, 5].flatMap((p) => [`127.0.0.1:${p}`, `127.0.0.2:${p}`]).sort());
  });

  it('spaces connect attempts evenly with --rate (200/s over 120 targets, measured where they arrive)', async () => {
    const arrivals: number[] = [];
    const s = await net.server('127.0.0.1', (socket) => {
      arrivals.push(performance.now());
      socket.resume();
    });
    const f = fakeIo({ stdin: `127.0.0.1:${s.port}\n`.repeat(120) });
    expect(await runCli(['scan', '-', '--rate', '200', '--concurrency', '64'], f.io)).toBe(0);
    // The client sees its connect before the server's accept callback runs: wait for the last one to arrive.
    await until(() => arrivals.length === 120, 5000, 'every connect to arrive');
    const measured = ((arrivals.length - 1) * 1000) / (arrivals.at(-1)! - arrivals[0]!);
    expect(measured).toBeGreaterThan(180);
    expect(measured).toBeLessThan(220);
    // Smooth, not bursty: no 50 ms window holds twice its share (10) of the starts.
    const most = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 50).length));
    expect(most).toBeLessThan(20);
  });

  it('stops on Ctrl-C, releases every socket, prints what it found, and exits 130', async () => {
    const hole = await net.blackhole(4);
    const first = await refusedPort();
    let second = await refusedPort();
    while (second === first) second = await refusedPort();
    const refused = [first, second];
    const f = fakeIo();
    // Two forms, as a port written twice in one form is scanned once: two refused ports and two connects that hang.
    const exit = runCli(['scan', `127.0.0.1:${refused.join(',')},${hole.port}`, `127.0.0.1:${hole.port}`, '--concurrency', '4', '--timeout', '60000'], f.io);
    await until(() => f.listeners() > 0, 5000, 'the scan to start');
    await new Promise((r) => setTimeout(r, 200));
    f.interrupt();
    expect(await exit).toBe(130);
    expect(f.stdout.text()).toMatch(/ECONNREFUSED connection refused/);
    expect(f.stdout.text().trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^interrupted: 0 up, 2 down of 2 targets done \\(of 4\\) in ${DURATION}$`));
    expect(f.stderr.text()).toBe('rxconnect scan: interrupted after 2 of 4 targets\n');
    expect(f.listeners()).toBe(0);
  });

  it('draws the bar with done/total, rate, ETA and open count on a terminal, and no colour with NO_COLOR', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo({ stderrTty: true, env: { NO_COLOR: '1' } });
    expect(await runCli(['scan', `127.0.0.1:${s.port}`], f.io)).toBe(0);
    expect(f.stderr.text()).toMatch(/\[·+\] 0\/1 {2}0\/s {2}ETA -:-- {2}open 0/);
    expect(f.stderr.text()).not.toMatch(ANSI);
    const dumb = fakeIo({ stderrTty: true, env: { TERM: 'dumb' } });
    expect(await runCli(['scan', `127.0.0.1:${s.port}`], dumb.io)).toBe(0);
    expect(dumb.stderr.text()).toBe('');
  });

  it.each([
    ['a missing file', ['scan', '/nonexistent/hosts.txt'], '', /^rxconnect scan: "\/nonexistent\/hosts\.txt" is neither a file of targets \(no such file\) nor a target \(bad CIDR block .*\)$/],
    ['a directory', ['scan', '/tmp'], '', /^rxconnect scan: "\/tmp" is neither a file of targets \(it is a directory\) nor a target/],
    ['a list with no targets', ['scan', '-'], '# only\n\n# comments\n', /^rxconnect scan: no targets in stdin \(one target per line; blank lines and # comments are skipped\)$/],
    ['a bad line', ['scan', '-'], '# ok\nlocalhost:80\nlocalhost\n', /^rxconnect scan: stdin, line 3: bad target "localhost": missing port/],
    ['a bad --concurrency', ['scan', '-', '--concurrency', '0'], 'a:1\n', /^rxconnect scan: option '--concurrency <n>' argument '0' is invalid/],
    ['no target', ['scan'], '', /^rxconnect scan: missing required argument 'target'/],
    ['a backwards range', ['scan', 'localhost:80-22'], '', /^rxconnect scan: "localhost:80-22" is neither a file of targets \(no such file\) nor a target \(port range 80-22 runs backwards/],
    ['port 0', ['scan', 'localhost:0'], '', /^rxconnect scan: "localhost:0" is neither .* nor a target \(port 0 is out of range/],
    ['port 70000', ['scan', 'localhost:22,70000'], '', /^rxconnect scan: "localhost:22,70000" is neither .* nor a target \(port 70000 is out of range/],
    ['a /33 block', ['scan', '127.0.0.0/33:80'], '', /^rxconnect scan: "127\.0\.0\.0\/33:80" is neither .* nor a target \(bad CIDR block "127\.0\.0\.0\/33": the prefix length must be 0 to 32/],
    ['--shard 0/3', ['scan', 'localhost:1', '--shard', '0/3'], '', /^rxconnect scan: option '--shard <i\/n>' argument '0\/3' is invalid/],
    ['--shard 4/3', ['scan', 'localhost:1', '--shard', '4/3'], '', /^rxconnect scan: option '--shard <i\/n>' argument '4\/3' is invalid/],
    ['--rate 0', ['scan', 'localhost:1', '--rate', '0'], '', /^rxconnect scan: option '--rate <n>' argument '0' is invalid/],
    ['--top 0', ['scan', 'localhost', '--top', '0'], '', /^rxconnect scan: option '--top <n>' argument '0' is invalid/],
    ['--top 101', ['scan', 'localhost', '--top', '101'], '', /^rxconnect scan: option '--top <n>' argument '101' is invalid. expected a whole number from 1 to 100/],
    ['--json with --jsonl', ['scan', 'localhost:1', '--json', '--jsonl'], '', /^rxconnect scan: option '--json' cannot be used with option '--jsonl'/],
    ['an unknown service', ['scan', 'localhost:nosuchservice'], '', /^rxconnect scan: "localhost:nosuchservice" is neither .* nor a target \(localhost:nosuchservice: .*nosuchservice/],
    ['a host without a port', ['scan', 'localhost'], '', /^rxconnect scan: "localhost" is neither a file of targets \(no such file\) nor a target \(missing port \(expected localhost:port, or --top N/],
  ])('exits 2 with one line for %s', async (_what, argv, stdin, message) => {
    const f = fakeIo({ stdin });
    expect(await runCli(argv, f.io)).toBe(2);
    expect(f.stderr.text().trimEnd().split('\n')).toHaveLength(1);
    expect(f.stderr.text().trimEnd()).toMatch(message);
  });
});
