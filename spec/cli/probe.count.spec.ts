import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/cli.js';
import { probe } from '../../src/cli/probe.js';
import type { RepeatReport } from '../../src/cli/probeStats.js';
import type { TargetReport } from '../../src/cli/report.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
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

  /** The attempts of a run, with the history's mark, and the attempt that won. */
  const attempts = (run: TargetReport): string[] =>
    run.events.flatMap((e) => (e.type === 'attempt' ? [`#${e.attempt} ${e.address.address}${e.history === true ? ' history' : ''}`] : e.type === 'connected' ? [`won #${e.attempt}`] : []));

  it('keeps one connect history across the runs: with ::1 black-holed, run 2 starts with run 1\'s winner, 127.0.0.1', async () => {
    const s = await net.server('127.0.0.1');
    await net.blackhole(6, s.port);
    const text = fakeIo();
    expect(await probe([`dual.test:${s.port}`], { lookup: fixedLookup(DUAL), count: 2, interval: 0 }, text.io)).toBe(0);
    const lines = text.stdout.text().split('\n');
    expect(lines[1]).toMatch(/^ {2}1\/2 {2}connected to 127\.0\.0\.1 in \d+ ms \(lookup \d+ ms, TCP connect \d+ ms\)$/);
    expect(lines[2]).toMatch(/^ {2}2\/2 {2}connected to 127\.0\.0\.1 \(history\) in \d+ ms \(lookup \d+ ms, TCP connect \d+ ms\)$/);

    const json = fakeIo();
    expect(await probe([`dual.test:${s.port}`], { lookup: fixedLookup(DUAL), count: 2, interval: 0, json: true }, json.io)).toBe(0);
    const [run1, run2] = (JSON.parse(json.stdout.text()) as { targets: RepeatReport[] }).targets[0]!.runs;
    // Run 1 waits the attempt delay (250 ms) on ::1 before 127.0.0.1 starts; run 2 starts with 127.0.0.1.
    expect(attempts(run1!)).toEqual(['#0 ::1', '#1 127.0.0.1', 'won #1']);
    expect(run1!.ms).toBeGreaterThanOrEqual(200);
    expect(attempts(run2!).slice(0, 1)).toEqual(['#0 127.0.0.1 history']);
    expect(attempts(run2!)).toContain('won #0');
    expect(run2!.events.find((e) => e.type === 'attempt')).toMatchObject({ attempt: 0, history: true });
    expect(JSON.stringify(run1)).not.toContain('"history"');
  });

  it('keeps the history for a URL target: run 2 of http://dual.test/ connects to 127.0.0.1 first', async () => {
    const s = await net.server('127.0.0.1', (socket) => socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n')));
    await net.blackhole(6, s.port);
    const f = fakeIo();
    expect(await probe([`http://dual.test:${s.port}/`], { lookup: fixedLookup(DUAL), count: 2, interval: 0, json: true }, f.io)).toBe(0);
    const [run1, run2] = (JSON.parse(f.stdout.text()) as { targets: RepeatReport[] }).targets[0]!.runs;
    expect(attempts(run1!)).toEqual(['#0 ::1', '#1 127.0.0.1', 'won #1']);
    expect(attempts(run2!).slice(0, 1)).toEqual(['#0 127.0.0.1 history']);
    expect([run1!.http?.status, run2!.http?.status]).toEqual([204, 204]);
  });

  it('keeps the history with --strategy sequential too, and plain probe (one run) has none', async () => {
    const s = await net.server('127.0.0.1');
    await net.blackhole(6, s.port);
    const f = fakeIo();
    const options = { lookup: fixedLookup(DUAL), strategy: 'sequential', attemptTimeout: 200, json: true } as const;
    expect(await probe([`dual.test:${s.port}`], { ...options, count: 2, interval: 0 }, f.io)).toBe(0);
    const [run1, run2] = (JSON.parse(f.stdout.text()) as { targets: RepeatReport[] }).targets[0]!.runs;
    expect(attempts(run1!)).toEqual(['#0 ::1', '#1 127.0.0.1', 'won #1']);
    expect(attempts(run2!)).toEqual(['#0 127.0.0.1 history', 'won #0']);
    const once = fakeIo();
    expect(await probe([`dual.test:${s.port}`], options, once.io)).toBe(0);
    expect(attempts((JSON.parse(once.stdout.text()) as { targets: TargetReport[] }).targets[0]!)).toEqual(['#0 ::1', '#1 127.0.0.1', 'won #1']);
  });

  it('--no-history: every run starts cold, with no mark; without it, run 2 of a name is placed by the history', async () => {
    const s = await net.server('127.0.0.1');
    const warm = fakeIo();
    expect(await runCli(['probe', `localhost:${s.port}`, '--count', '2', '--interval', '0'], warm.io)).toBe(0);
    expect(warm.stdout.text().split('\n')[2]).toMatch(/^ {2}2\/2 {2}connected to 127\.0\.0\.1 \(history\) in /);
    const cold = fakeIo();
    expect(await runCli(['probe', `localhost:${s.port}`, '--count', '2', '--interval', '0', '--no-history'], cold.io)).toBe(0);
    expect(cold.stdout.text().split('\n')[2]).toMatch(/^ {2}2\/2 {2}connected to 127\.0\.0\.1 in /);
    expect(cold.stdout.text()).not.toContain('history');
  });

  it('rejects a count of 0, and --interval or --no-history without --count, naming the option', async () => {
    for (const args of [['--count', '0'], ['--count', 'x'], ['--interval', '10'], ['--no-history']]) {
      const f = fakeIo();
      expect(await runCli(['probe', '127.0.0.1:1', ...args], f.io)).toBe(2);
      expect(f.stderr.text()).toMatch(new RegExp(`^rxconnect probe: .*'${args[0]}`));
      expect(f.stdout.text()).toBe('');
    }
  });
});
