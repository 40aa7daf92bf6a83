import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/cli.js';
import type { RepeatReport } from '../../src/cli/probeStats.js';
import { loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { fakeIo, until } from './support.js';

describe('rxconnect probe --count (in-process, loopback)', () => {
  const net = loopbackFixtures();

  it('connects N times, a line per run, then min/median/max per phase; each connection is closed', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, '--count', '3', '--interval', '0'], f.io)).toBe(0);
    const lines = f.stdout.text().split('\n');
    expect(lines[0]).toBe(`  127.0.0.1:${s.port}  happy-eyeballs, attempt delay 250 ms`);
    expect(lines.slice(1, 4).map((l) => l.replace(/\d+ ms/g, 'N ms'))).toEqual([
      '  1/3  connected to 127.0.0.1 in N ms (lookup N ms, TCP connect N ms)',
      '  2/3  connected to 127.0.0.1 in N ms (lookup N ms, TCP connect N ms)',
      '  3/3  connected to 127.0.0.1 in N ms (lookup N ms, TCP connect N ms)',
    ]);
    expect(lines[4]).toBe(`  --- 127.0.0.1:${s.port}: 3 connects, 3 connected, 0 failed (0%)`);
    expect(lines[5]).toMatch(/^ {2}phase +min +median +max$/);
    expect(lines.filter((l) => /^ {2}(lookup|TCP connect|total) +\d/.test(l))).toHaveLength(3);
    expect(s.clients).toHaveLength(3);
    await until(() => s.clients.every((c) => c.destroyed), 2000, 'the probes to close');
  });

  it('waits --interval between runs', async () => {
    const s = await net.server('127.0.0.1');
    const f = fakeIo();
    const started = Date.now();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, '--count', '3', '--interval', '150'], f.io)).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('exits 1 when a run fails, and --json has every run and the spread per phase', async () => {
    const s = await net.server('127.0.0.1');
    const port = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${s.port}`, `127.0.0.1:${port}`, '--count', '2', '--interval', '0', '--json'], f.io)).toBe(1);
    const doc = JSON.parse(f.stdout.text()) as { targets: RepeatReport[] };
    expect(doc.targets.map((t) => [t.target, t.runs.length, t.connected, t.failed])).toEqual([
      [`127.0.0.1:${s.port}`, 2, 2, 0],
      [`127.0.0.1:${port}`, 2, 0, 2],
    ]);
    expect(Object.keys(doc.targets[0]!.phases)).toEqual(['lookup', 'tcp', 'total']);
    expect(doc.targets[0]!.phases.total).toMatchObject({ runs: 2 });
    expect(doc.targets[1]!.phases).toEqual({});
    expect(doc.targets[1]!.runs[0]!.error?.code).toBe('ECONNREFUSED');
  });

  it('stops at Ctrl-C, even during a connect that hangs, prints the runs that ended and exits 130', async () => {
    const s = await net.server('127.0.0.1');
    const hole = await net.blackhole(4);
    const f = fakeIo();
    const exit = runCli(['probe', `127.0.0.1:${s.port}`, `127.0.0.1:${hole.port}`, '--count', '5', '--interval', '0'], f.io);
    await until(() => f.stdout.text().includes(`127.0.0.1:${hole.port}  happy`), 5000, 'the second target');
    await new Promise((r) => setTimeout(r, 100));
    expect(f.listeners()).toBe(1);
    f.interrupt();
    expect(await exit).toBe(130);
    const out = f.stdout.text();
    expect(out).toContain(`--- 127.0.0.1:${s.port}: 5 connects, 5 connected, 0 failed (0%)`);
    expect(out).toContain(`--- 127.0.0.1:${hole.port}: 0 connects, 0 connected, 0 failed (0%)`);
    expect(f.listeners()).toBe(0);
    // loopbackFixtures' afterEach checks that no TCP handle is left once its servers stop.
  });

  it('rejects a count of 0 and --interval without --count, naming the option', async () => {
    for (const args of [['--count', '0'], ['--count', 'x'], ['--interval', '10']]) {
      const f = fakeIo();
      expect(await runCli(['probe', '127.0.0.1:1', ...args], f.io)).toBe(2);
      expect(f.stderr.text()).toMatch(new RegExp(`^rxconnect probe: .*'${args[0]}`));
      expect(f.stdout.text()).toBe('');
    }
  });
});
