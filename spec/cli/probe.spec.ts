import { runCli } from '../../src/cli/cli.js';
import type { ConnectEvent } from '../../src/index.js';
import type { JsonReport } from '../../src/cli/report.js';
import { grammarProblems } from '../helpers/events.js';
import { loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { ANSI, fakeIo } from './support.js';

describe('rxconnect probe (in-process, loopback)', () => {
  const net = loopbackFixtures();

  it('exits 0 and draws a timeline when the target connects, then closes the connection', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`], f.io)).toBe(0);
    const out = f.stdout.text();
    expect(out).toContain(`127.0.0.1:${s.port}  happy-eyeballs, attempt delay 250 ms`);
    expect(out).toMatch(/lookup IPv4 +◆ .*→ 127\.0\.0\.1/);
    expect(out).toMatch(/#0 127\.0\.0\.1 .*● .*connected/);
    expect(out).toContain(`✔ connected to 127.0.0.1 port ${s.port} in`);
    expect(out).not.toMatch(ANSI);
    expect(f.stderr.text()).toBe('');
    // The probe closed its connection: the server's side ends.
    expect(s.clients).toHaveLength(1);
    await new Promise((r) => (s.clients[0]!.destroyed ? r(undefined) : s.clients[0]!.once('close', r)));
  });

  it('accepts a bracketed IPv6 target', async () => {
    const s = await net.server('::1');
    const f = fakeIo();
    expect(await runCli(['probe', `[::1]:${s.port}`, '--json'], f.io)).toBe(0);
    const report = JSON.parse(f.stdout.text()) as JsonReport;
    expect(report.targets[0]).toMatchObject({ host: '::1', port: s.port, outcome: 'connected', address: '::1' });
  });

  it('exits 1 with the readable error when a target is refused', async () => {
    const port = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${port}`], f.io)).toBe(1);
    expect(f.stdout.text()).toContain(`✘ failed after`);
    expect(f.stdout.text()).toContain(`ECONNREFUSED connection refused (127.0.0.1 port ${port}: connection refused after`);
  });

  it('exits 1 when any of several targets fails, and reports every one in order', async () => {
    const s = await net.server('127.0.0.1');
    const refused = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, `localhost:${refused}`, `[::1]:${refused}`], f.io)).toBe(1);
    const out = f.stdout.text();
    const at = [`127.0.0.1:${s.port}  `, `localhost:${refused}  `, `[::1]:${refused}  `].map((t) => out.indexOf(t));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('prints one JSON document with the events (no channels) and the outcome of each target', async () => {
    const s = await net.server('127.0.0.1');
    const refused = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['probe', '--json', `127.0.0.1:${s.port}`, `127.0.0.1:${refused}`], f.io)).toBe(1);
    const report = JSON.parse(f.stdout.text()) as JsonReport;
    expect(Object.keys(report)).toEqual(['targets']);
    const [up, down] = report.targets;
    expect(up).toMatchObject({ host: '127.0.0.1', port: s.port, outcome: 'connected', address: '127.0.0.1' });
    expect(up).not.toHaveProperty('error');
    expect(typeof up!.ms).toBe('number');
    expect(up!.events.map((e) => e.type)).toEqual(['resolved', 'attempt', 'connected', 'closed']);
    expect(up!.events.some((e) => 'channel' in e)).toBe(false);
    expect(down).toMatchObject({ host: '127.0.0.1', port: refused, outcome: 'failed', error: { code: 'ECONNREFUSED' } });
    expect(down!.error!.message).toMatch(/^connection refused \(127\.0\.0\.1 port \d+: connection refused after \d+ ms\)$/);
    for (const t of report.targets) expect(grammarProblems(t.events as unknown as ConnectEvent[], true)).toEqual([]);
  });

  it('reports a service name with the port it stands for', async () => {
    const f = fakeIo();
    // Port 7 (echo) on loopback: nobody listens there in a test machine, so it fails; what matters is the port.
    await runCli(['probe', '--json', '127.0.0.1:echo'], f.io);
    expect((JSON.parse(f.stdout.text()) as JsonReport).targets[0]).toMatchObject({ host: '127.0.0.1', port: 7 });
  });

  it('gives up on a hanging address after --attempt-timeout, with --strategy sequential', async () => {
    const hole = await net.blackhole(6);
    const f = fakeIo();
    expect(await runCli(['probe', `[::1]:${hole.port}`, '--strategy', 'sequential', '--attempt-timeout', '150', '--json'], f.io)).toBe(1);
    const [t] = (JSON.parse(f.stdout.text()) as JsonReport).targets;
    expect(t).toMatchObject({ outcome: 'failed', error: { code: 'ETIMEDOUT' } });
    expect(t!.ms).toBeGreaterThanOrEqual(140);
    const g = fakeIo();
    expect(await runCli(['probe', `[::1]:${hole.port}`, '--strategy', 'sequential', '--attempt-timeout', '150'], g.io)).toBe(1);
    expect(g.stdout.text()).toContain('sequential, attempt timeout 150 ms');
    expect(g.stdout.text()).toMatch(/#0 ::1 .*✗ .*connection timed out/);
  });

  it('gives up at --timeout with every attempt cancelled', async () => {
    const hole = await net.blackhole(4);
    const f = fakeIo();
    const started = Date.now();
    expect(await runCli(['probe', `127.0.0.1:${hole.port}`, '--timeout', '200'], f.io)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(f.stdout.text()).toContain('cancelled: timed out');
    expect(f.stdout.text()).toContain('ETIMEDOUT');
  });

  it('passes --family and --attempt-delay on', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['probe', `localhost:${s.port}`, '--family', '4', '--attempt-delay', '100', '--json'], f.io)).toBe(0);
    const [t] = (JSON.parse(f.stdout.text()) as JsonReport).targets;
    expect(t!.events.filter((e) => e.type === 'resolved').map((e) => (e.type === 'resolved' ? e.family : -1))).toEqual([4]);
    const g = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, '--attempt-delay', '100'], g.io)).toBe(0);
    expect(g.stdout.text()).toContain('attempt delay 100 ms');
  });

  it('colours only a TTY, and never with NO_COLOR', async () => {
    const s = await net.server('127.0.0.1');
    const tty = fakeIo({ tty: true, columns: 120 });
    expect(await runCli(['probe', `127.0.0.1:${s.port}`], tty.io)).toBe(0);
    expect(tty.stdout.text()).toMatch(ANSI);
    const noColor = fakeIo({ tty: true, env: { NO_COLOR: '1' } });
    expect(await runCli(['probe', `127.0.0.1:${s.port}`], noColor.io)).toBe(0);
    expect(noColor.stdout.text()).not.toMatch(ANSI);
  });

  it.each([
    [['probe'], /^rxconnect probe: missing required argument 'target' \(see rxconnect probe --help\)$/],
    [['probe', 'localhost'], /^rxconnect probe: bad target "localhost": missing port \(expected localhost:port\)$/],
    [['probe', '::1:80'], /^rxconnect probe: bad target "::1:80": an IPv6 address needs brackets, as in \[::1\]:80$/],
    [['probe', 'localhost:nosuchservice'], /^rxconnect probe: localhost:nosuchservice: port: unknown service "nosuchservice"$/],
    [['probe', 'bad_host!:80'], /^rxconnect probe: bad_host!:80: host: is not a host name or IP address/],
    [['probe', '[::1]:80', '--family', '4'], /^rxconnect probe: \[::1\]:80: --family: is 4, but host ::1 is an IPv6 address$/],
    [['probe', 'x:1', '--family', '5'], /^rxconnect probe: option '--family <n>' argument '5' is invalid/],
    [['probe', 'x:1', '--timeout', 'soon'], /^rxconnect probe: option '--timeout <ms>' argument 'soon' is invalid\. expected a whole number of milliseconds/],
    [['probe', 'x:1', '--strategy', 'fast'], /^rxconnect probe: option '--strategy <name>' argument 'fast' is invalid/],
    [['probe', 'x:1', '--attempt-timeout', '0'], /^rxconnect probe: x:1: --attempt-timeout: must be more than 0 ms$/],
    [['probe', 'x:1', '--jsn'], /^rxconnect probe: unknown option '--jsn' \(Did you mean --json\?\)$/],
    [['launch'], /^rxconnect: unknown command 'launch'/],
  ])('exits 2 with one line for %j', async (argv, message) => {
    const f = fakeIo();
    expect(await runCli(argv, f.io)).toBe(2);
    const err = f.stderr.text();
    expect(err.trimEnd().split('\n')).toHaveLength(1);
    expect(err.trimEnd()).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /);
    expect(f.stdout.text()).toBe('');
  });

  // Timers wait at most 2^31 − 1 ms; a longer delay must be refused at once, not turned into an instant timeout.
  it.each([
    ['probe', '--timeout', '3000000000'],
    ['probe', '--timeout', '2147483648'],
    ['probe', '--attempt-timeout', '2147483648'],
    ['probe', '--timeout', '-5'],
    ['probe', '--attempt-timeout', '1.5'],
    ['scan', '--timeout', '2147483648'],
    ['scan', '--attempt-timeout', '-1'],
  ])('%s %s %s is a usage error naming the option', async (command, option, value) => {
    const f = fakeIo({ stdin: '127.0.0.1:1\n' });
    const target = command === 'probe' ? '127.0.0.1:1' : '-';
    expect(await runCli([command, target, `${option}=${value}`], f.io)).toBe(2);
    expect(f.stderr.text()).toBe(
      `rxconnect ${command}: option '${option} <ms>' argument '${value}' is invalid. expected a whole number of milliseconds from 0 to 2147483647 (see rxconnect ${command} --help)\n`,
    );
    expect(f.stdout.text()).toBe('');
  });

  // The library clamps an attemptDelay to RFC 8305's 10 to 2000 ms; the command refuses what it would change.
  it.each([
    ['probe', '5'],
    ['probe', '2001'],
    ['probe', '99999999999'],
    ['scan', '2.5'],
    ['scan', '9'],
  ])('%s --attempt-delay %s is a usage error naming the option and its range', async (command, value) => {
    const f = fakeIo({ stdin: '127.0.0.1:1\n' });
    const target = command === 'probe' ? '127.0.0.1:1' : '-';
    expect(await runCli([command, target, '--attempt-delay', value], f.io)).toBe(2);
    expect(f.stderr.text()).toBe(
      `rxconnect ${command}: option '--attempt-delay <ms>' argument '${value}' is invalid. expected a whole number of milliseconds from 10 to 2000 (RFC 8305's limits) (see rxconnect ${command} --help)\n`,
    );
    expect(f.stdout.text()).toBe('');
  });

  it('takes the longest delay a timer can wait, 2147483647 ms', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, '--timeout', '2147483647', '--attempt-timeout', '2147483647'], f.io)).toBe(0);
    expect(f.stderr.text()).toBe('');
  });

  it('checks every target before connecting to any', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, 'nope'], f.io)).toBe(2);
    expect(s.clients).toHaveLength(0);
  });

  it('prints help and the version with exit 0, and usage with exit 2 when called bare', async () => {
    const help = fakeIo();
    expect(await runCli(['probe', '--help'], help.io)).toBe(0);
    expect(help.stdout.text()).toContain('Usage: rxconnect probe [options] <target...>');
    expect(help.stdout.text()).toContain('--attempt-timeout <ms>');
    const version = fakeIo();
    expect(await runCli(['--version'], version.io)).toBe(0);
    expect(version.stdout.text()).toMatch(/^\d+\.\d+\.\d+/);
    const bare = fakeIo();
    expect(await runCli([], bare.io)).toBe(2);
    expect(bare.stderr.text()).toContain('Usage: rxconnect');
  });
});
