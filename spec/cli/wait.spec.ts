import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { runCli } from '../../src/cli/cli.js';
import { runWait } from '../../src/cli/wait.js';
import { checkOf } from '../../src/cli/waitCheck.js';
import { parseDuration, parseWaitTarget, SUCCESS_STATUSES } from '../../src/cli/waitTarget.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { ANSI, DURATION, fakeIo, startServe, until, withoutEscapes } from './support.js';
import type { RunningServe } from './support.js';
import { tlsFiles } from './tlsFiles.js';

// Short pauses keep the wall-clock waits small.
const FAST = ['--interval', '20', '--max-interval', '50'];

describe('rxconnect wait (in-process, loopback)', () => {
  let https: Server[] = [];
  let serves: RunningServe[] = [];
  const fx = loopbackFixtures({
    afterStop: async () => {
      for (const s of https) s.closeAllConnections();
      await Promise.all(https.map((s) => new Promise((r) => s.close(r))));
      https = [];
      for (const s of serves) s.f.interrupt();
      await Promise.all(serves.map((s) => s.exit));
      serves = [];
    },
  });

  async function httpServer(status: (path: string) => number): Promise<number> {
    const server = createServer((req, res) => {
      res.statusCode = status(req.url ?? '/');
      res.end('ok');
    });
    https.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  it('waits for a server that starts after 1 s: exit 0, a down line then an up line', async () => {
    const port = await refusedPort();
    let listening = false;
    const starting = new Promise<void>((resolve) =>
      setTimeout(() => void fx.server('127.0.0.1', undefined, port).then(() => ((listening = true), resolve())), 1000),
    );
    const f = fakeIo();
    const code = await runCli(['wait', `127.0.0.1:${port}`, ...FAST], f.io);
    expect(listening).toBe(true);
    await starting;
    expect(code).toBe(0);
    const lines = f.stderr.text().trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} down: connection refused \\(127\\.0\\.0\\.1 port ${port}: connection refused after \\d+ ms\\)$`));
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} up after ${DURATION} \\((?:[2-9]|\\d{2,}) tries\\) \\(127\\.0\\.0\\.1\\)$`));
    expect(f.stderr.text()).not.toMatch(ANSI);
    expect(f.stdout.text()).toBe('');
  });

  it('times out for a server that never starts: exit 1 and the last error, naming each address', async () => {
    const port = await refusedPort();
    const f = fakeIo();
    const target = parseWaitTarget(`localhost:${port}`);
    const check = checkOf(target, { lookup: fixedLookup(DUAL), timeout: 1000, statuses: SUCCESS_STATUSES });
    const code = await runWait([target.text], [check], { timeout: 300, interval: 20, maxInterval: 50, any: false, reverse: false }, {}, f.io);
    expect(code).toBe(1);
    const lines = f.stderr.text().trimEnd().split('\n');
    expect(lines[lines.length - 2]).toMatch(new RegExp(`^rxconnect wait: timed out after ${DURATION}: 1 of 1 target still down$`));
    expect(lines[lines.length - 1]).toMatch(
      new RegExp(`^  localhost:${port}: \\d+ tries, last: connection refused \\(::1 port ${port}: connection refused after \\d+ ms; 127\\.0\\.0\\.1 port ${port}: connection refused after \\d+ ms\\)$`),
    );
    expect(f.listeners()).toBe(0);
  });

  it('runs the command after -- once up, and exits with its status; a missing command exits 127', async () => {
    const server = await fx.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${server.port}`, '--', process.execPath, '-e', 'console.log("child ran"); process.exit(3)'], f.io)).toBe(3);
    expect(f.stdout.text()).toBe('child ran\n');
    const g = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${server.port}`, '-q', '--', 'rxconnect-no-such-command-here'], g.io)).toBe(127);
    expect(g.stderr.text()).toBe('rxconnect wait: rxconnect-no-such-command-here: command not found\n');
  });

  it('a command that is not executable exits 126 with a shell\'s words, not Node\'s', async () => {
    const server = await fx.server('127.0.0.1');
    const files = tlsFiles();
    try {
      const f = fakeIo();
      expect(await runCli(['wait', `127.0.0.1:${server.port}`, '-q', '--', files.ca], f.io)).toBe(126);
      expect(f.stderr.text()).toBe(`rxconnect wait: ${files.ca}: permission denied (not an executable file)\n`);
    } finally {
      files.remove();
    }
  });

  it('passes on how the command died: killed by SIGTERM exits 143, as a shell says', async () => {
    const server = await fx.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${server.port}`, '-q', '--', process.execPath, '-e', 'process.kill(process.pid, "SIGTERM")'], f.io)).toBe(143);
  });

  it('does not run the command when the wait times out', async () => {
    const port = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${port}`, '--timeout', '100', ...FAST, '--', process.execPath, '-e', 'console.log("ran")'], f.io)).toBe(1);
    expect(f.stdout.text()).toBe('');
  });

  it('--reverse: waits until a server that closes after a while is down', async () => {
    const server = await fx.server('127.0.0.1');
    const { port } = server;
    setTimeout(() => void server.stop(), 300);
    const f = fakeIo();
    expect(await runCli(['wait', '--reverse', `127.0.0.1:${port}`, ...FAST], f.io)).toBe(0);
    const lines = f.stderr.text().trimEnd().split('\n');
    expect(lines[0]).toBe(`127.0.0.1:${port} up (127.0.0.1)`);
    // A try that reaches the server while it stops is accepted by the kernel and then reset, not refused.
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port} down after ${DURATION} \\(\\d+ tries\\): connection (refused|reset by peer) \\(`));
  });

  it('--reverse times out on a server that stays up, saying so', async () => {
    const server = await fx.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['wait', '--reverse', `127.0.0.1:${server.port}`, '--timeout', '150', ...FAST], f.io)).toBe(1);
    expect(f.stderr.text()).toMatch(new RegExp(`rxconnect wait: timed out after ${DURATION}: 1 of 1 target still up\\n  127\\.0\\.0\\.1:${server.port}: still up after \\d+ tries \\(127\\.0\\.0\\.1\\)\\n$`));
  });

  it('--any: one target up is enough; without it, one down target keeps the wait going', async () => {
    const server = await fx.server('127.0.0.1');
    const port = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['wait', '--any', `127.0.0.1:${port}`, `127.0.0.1:${server.port}`, ...FAST, '--timeout', '5000'], f.io)).toBe(0);
    expect(f.stderr.text()).toMatch(new RegExp(`127\\.0\\.0\\.1:${server.port} up after ${DURATION} \\(1 try\\)`));
    const g = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${port}`, `127.0.0.1:${server.port}`, ...FAST, '--timeout', '150'], g.io)).toBe(1);
    expect(g.stderr.text()).toContain('1 of 2 targets still down');
  });

  it('http: a 2xx is up by default; another status is not, unless --status accepts it', async () => {
    const port = await httpServer((path) => (path === '/health' ? 204 : path === '/moved' ? 301 : 503));
    const ok = fakeIo();
    expect(await runCli(['wait', `http://127.0.0.1:${port}/health`, ...FAST], ok.io)).toBe(0);
    expect(ok.stderr.text()).toMatch(new RegExp(`up after ${DURATION} \\(1 try\\) \\(HTTP 204 No Content, 127\\.0\\.0\\.1\\)`));
    const busy = fakeIo();
    expect(await runCli(['wait', `http://127.0.0.1:${port}/`, ...FAST, '--timeout', '150'], busy.io)).toBe(1);
    expect(busy.stderr.text()).toMatch(/last: HTTP 503 Service Unavailable \(expected 2xx\)\n$/);
    const moved = fakeIo();
    expect(await runCli(['wait', `http://127.0.0.1:${port}/moved`, '--status', '200,204,301-399', ...FAST], moved.io)).toBe(0);
    const only204 = fakeIo();
    expect(await runCli(['wait', `http://127.0.0.1:${port}/moved`, '--status', '204', ...FAST, '--timeout', '100'], only204.io)).toBe(1);
    expect(only204.stderr.text()).toContain('HTTP 301 Moved Permanently (expected 204)');
  });

  it('tls://: up once the handshake succeeds with --ca; without it, the certificate error is reported', async () => {
    const files = tlsFiles();
    try {
      const serve = await startServe(['0', '--myaddr', '127.0.0.1', '--tls', '--key', files.key, '--cert', files.cert], serves);
      const ok = fakeIo();
      expect(await runCli(['wait', `tls://127.0.0.1:${serve.port}`, '--ca', files.ca, ...FAST], ok.io)).toBe(0);
      expect(ok.stderr.text()).toMatch(new RegExp(`^tls://127\\.0\\.0\\.1:${serve.port} up after ${DURATION} \\(1 try\\) \\(TLSv1\\.3, 127\\.0\\.0\\.1\\)\\n$`));
      const untrusted = fakeIo();
      expect(await runCli(['wait', `tls://127.0.0.1:${serve.port}`, ...FAST, '--timeout', '200'], untrusted.io)).toBe(1);
      expect(untrusted.stderr.text()).toMatch(/last: .*certificate/);
    } finally {
      files.remove();
    }
  });

  it('--json: one parseable line per change of state on stdout, then the end; nothing on stderr', async () => {
    const port = await refusedPort();
    setTimeout(() => void fx.server('127.0.0.1', undefined, port), 200);
    const f = fakeIo();
    expect(await runCli(['wait', `127.0.0.1:${port}`, '--json', ...FAST], f.io)).toBe(0);
    const lines = f.stdout.text().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'state', target: `127.0.0.1:${port}`, state: 'down', met: false, tries: 1, error: { code: 'ECONNREFUSED' } });
    expect(lines[lines.length - 2]).toMatchObject({ type: 'state', state: 'up', met: true, address: '127.0.0.1' });
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', outcome: 'met', waiting: [] });
    // The error stays the same between tries: one line for it, not one per try.
    expect(lines).toHaveLength(3);
    expect(f.stderr.text()).toBe('');
  });

  it('on a terminal: one live line per target, redrawn, with colours; the final lines stay', async () => {
    const server = await fx.server('127.0.0.1');
    const port = await refusedPort();
    setTimeout(() => void fx.server('127.0.0.1', undefined, port), 300);
    const f = fakeIo({ stderrTty: true, columns: 80 });
    expect(await runCli(['wait', `127.0.0.1:${server.port}`, `127.0.0.1:${port}`, ...FAST], f.io)).toBe(0);
    const text = f.stderr.text();
    expect(text).toMatch(ANSI);
    // Cursor movement (log-update's), not a line per change.
    expect(text).toContain('\u001b[1A');
    expect(text).toMatch(/down\S*\s+\S*\d+ ms, \d+ tries, connection refused/);
    expect(text).toContain('✔');
    expect(f.stdout.text()).toBe('');
  });

  it('on a terminal: a timeout leaves a cross on the target still down, not a spinner that seems to turn', async () => {
    const server = await fx.server('127.0.0.1');
    const port = await refusedPort();
    const f = fakeIo({ stderrTty: true, columns: 80 });
    expect(await runCli(['wait', `127.0.0.1:${server.port}`, `127.0.0.1:${port}`, ...FAST, '--timeout', '300'], f.io)).toBe(1);
    const text = f.stderr.text();
    expect(text).toContain('✔');
    // log-update redraws only the lines that changed: the last one drawn, just before the report of the timeout,
    // is the target's final line.
    const drawn = withoutEscapes(text.slice(0, text.indexOf('rxconnect wait: timed out'))).trimEnd().split('\n');
    expect(drawn[drawn.length - 1]).toMatch(new RegExp(`^✘ 127\\.0\\.0\\.1:${port} +down +${DURATION}, \\d+ tries, connection refused$`));
    // While it waited, the same line had a spinner.
    expect(text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it('Ctrl-C while waiting: stops, releases everything and exits 130', async () => {
    const port = await refusedPort();
    const f = fakeIo();
    const exit = runCli(['wait', `127.0.0.1:${port}`, ...FAST], f.io);
    await until(() => f.stderr.text() !== '', 2000, 'the first try');
    f.interrupt();
    expect(await exit).toBe(130);
    expect(f.stderr.text()).toMatch(/rxconnect wait: interrupted after \d\.\d s\n$/);
    expect(f.listeners()).toBe(0);
  });

  it.each([
    [['wait', 'ftp://127.0.0.1:21'], 'rxconnect wait: bad target "ftp://127.0.0.1:21": unknown scheme "ftp:" (expected tcp://, tls://, http:// or https://)'],
    [['wait', '127.0.0.1:70000'], 'rxconnect wait: bad target "127.0.0.1:70000": port 70000 is out of range (1 to 65535)'],
    [['wait', 'tls://127.0.0.1:0'], 'rxconnect wait: bad target "tls://127.0.0.1:0": port 0 is out of range (1 to 65535)'],
    [['wait', 'http://127.0.0.1:99999/'], 'rxconnect wait: bad URL "http://127.0.0.1:99999/": port 99999 is out of range (1 to 65535)'],
    [['wait', '127.0.0.1:80', '--timeout', '-1'], "rxconnect wait: option '--timeout <duration>' argument '-1' is invalid."],
    [['wait', '127.0.0.1:80', '--interval', '5x'], "rxconnect wait: option '--interval <duration>' argument '5x' is invalid."],
    [['wait', '127.0.0.1:80', '--status', '2xx'], "rxconnect wait: option '--status <codes>' argument '2xx' is invalid."],
    [['wait', '127.0.0.1:80', '--status', '200'], "rxconnect wait: option '--status <codes>' needs an http:// or https:// target"],
    [['wait', '127.0.0.1:80', '--insecure'], "rxconnect wait: option '--insecure' needs a tls:// or https:// target"],
    [['wait', '127.0.0.1:80', '--'], 'rxconnect wait: nothing after "--": expected a command to run (rxconnect wait TARGET... -- COMMAND [ARGS...])'],
    [['wait', '127.0.0.1:80', '--', ''], 'rxconnect wait: the command after "--" is empty'],
    [['wait', '--', 'true'], "rxconnect wait: missing required argument 'target'"],
    [['wait', 'a\u001b[2Jb:80'], 'rxconnect wait: a\\x1b[2Jb:80: host: is not a host name or IP address: "a\\u001b[2Jb"'],
  ])('bad input %j: exit 2 and one line naming the argument', async (argv, message) => {
    const f = fakeIo();
    expect(await runCli(argv, f.io)).toBe(2);
    const err = f.stderr.text();
    expect(err.startsWith(message)).toBe(true);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).not.toContain('\u001b');
    expect(f.stdout.text()).toBe('');
  });

  it('durations take whole ms, or a number with ms, s or m', async () => {
    expect(['1500', '1.5s', '2m', '250ms', '0'].map(parseDuration)).toEqual([1500, 1500, 120_000, 250, 0]);
    for (const bad of ['1.5', '-1', '1h', '', '3000000000', '1e3']) expect(() => parseDuration(bad)).toThrow('expected a duration');
    const port = await refusedPort();
    const f = fakeIo();
    const started = Date.now();
    expect(await runCli(['wait', `127.0.0.1:${port}`, '--timeout', '0.2s', '--interval', '0.02s', '--max-interval', '50ms'], f.io)).toBe(1);
    // 0.2s is 200 ms: not 0.2 ms, and not 2 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1900);
    expect(f.stderr.text()).toMatch(new RegExp(`timed out after ${DURATION}`));
  });
});
