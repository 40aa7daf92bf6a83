import { runCli } from '../../src/cli/cli.js';
import { stripAnsi } from '../../src/cli/colors.js';
import { SCENES, demo } from '../../src/cli/demo.js';
import { startDemoNetwork } from '../../src/cli/startDemoNetwork.js';
import { settledTcpHandles } from '../helpers/loopback.js';
import { ANSI, fakeIo } from './support.js';

/** Waits (a little) until no child process is left, then returns how many are. */
async function settledChildren(): Promise<number> {
  const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap').length;
  for (let i = 0; i < 50 && count() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return count();
}

/** The five scenes as the demo draws them, on loopback or on the virtual network (the same story either way). */
function expectScenes(out: string): void {
  expect(out).not.toMatch(ANSI);
  SCENES.forEach((scene, i) => expect(out).toContain(`━━ ${i + 1}/5  ${scene}`));
  expect(out.match(/Why it matters:/g)).toHaveLength(5);

  // 1. Happy Eyeballs wins on 127.0.0.1 and cancels ::1; the sequential order times out on ::1 first.
  const scene1 = out.slice(out.indexOf('━━ 1/5'), out.indexOf('━━ 2/5'));
  expect(scene1).toMatch(/#0 ::1 .*cancelled: lost the race/);
  expect(scene1).toMatch(/#0 ::1 .*connection timed out/);
  expect(scene1).toContain("strategy: 'sequential', attemptTimeout: 1000");
  expect(scene1).toContain('attemptTimeout:');
  const [he, seq] = [...scene1.matchAll(/✔ connected to 127\.0\.0\.1 port \d+ in (\d+) ms/g)].map((m) => Number(m[1]));
  expect(he).toBeLessThan(seq!);
  expect(seq).toBeGreaterThanOrEqual(1000);

  // 2. The refused fallback; 3. the aggregated error. (On the virtual network these names have ::2 and ::3.)
  expect(out.slice(out.indexOf('━━ 2/5'), out.indexOf('━━ 3/5'))).toMatch(/#0 ::[12] .*connection refused[\s\S]*✔ connected to 127\.0\.0\.1/);
  const scene3 = out.slice(out.indexOf('━━ 3/5'), out.indexOf('━━ 4/5'));
  expect(scene3).toMatch(/✘ failed after \d+ ms: ECONNREFUSED connection refused \(::[13] port \d+: connection refused after \d+ ms; 127\.0\.0\.1 port \d+: connection refused after \d+ ms\)/);
  expect(scene3).toMatch(/error\.code +ECONNREFUSED/);
  expect(scene3).toContain('error.attempts  2 ConnectErrors, one per address');

  // 4. The greeting is queued before the connect and received after it.
  const scene4 = out.slice(out.indexOf('━━ 4/5'), out.indexOf('━━ 5/5'));
  const queued = scene4.indexOf('flushOnConnect queued "HELO rxconnect-demo"');
  const won = scene4.indexOf('connected to 127.0.0.1');
  const received = scene4.indexOf('server received "HELO rxconnect-demo"');
  expect(queued).toBeGreaterThan(0);
  expect(won).toBeGreaterThan(queued);
  expect(received).toBeGreaterThan(won);

  // 5. The polling table ends with every connect settled, and fits an 80-column terminal.
  const scene5 = stripAnsi(out.slice(out.indexOf('━━ 5/5')));
  const table = scene5.slice(scene5.search(/^ +poll +hanging/m), scene5.indexOf('s.value for'));
  expect(table).toMatch(/poll +hanging\.demo +v6-refuses\.demo +nobody\.demo +sequential/);
  // The first poll: at 0 ms in virtual time, at 0 or a few ms on the real network of a loaded machine.
  expect(table).toMatch(/^ +\d+ ms +lookup +lookup +lookup +lookup\n/m);
  expect(table).toMatch(/\d+ ms +✔ 127\.0\.0\.1 +✔ 127\.0\.0\.1 +✘ connection refused +✔ 127\.0\.0\.1\n/);
  for (const line of table.trimEnd().split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  expect(scene5).toMatch(/\{ connecting: false,\n +error: '',\n +sockname: \{ address: '127\.0\.0\.1', port: \d+ \},\n +peername: \{ address: '127\.0\.0\.1', port: \d+ \},\n +inFlight: \[\] \}/);

  expect(out).toMatch(/Done in \d+\.\d s\. Every fixture is stopped/);
}

describe('rxconnect demo (in-process)', () => {
  it('shows every scene as a timeline, exits 0 within 30 s, and stops every fixture', async () => {
    const f = fakeIo();
    const started = Date.now();
    expect(await runCli(['demo'], f.io)).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(f.stderr.text()).toBe('');
    // On a host with ::1, the scenes run on loopback: a Node child black-holes ::1, no python3 needed.
    expect(f.stdout.text()).not.toContain('note:');
    expect(f.stdout.text()).toContain('Everything runs on loopback, against fixtures started just now:');
    expectScenes(f.stdout.text());
    expect(f.listeners()).toBe(0);
    expect(await settledTcpHandles()).toBe(0);
    expect(await settledChildren()).toBe(0);
  }, 40_000);

  it('on a host without the IPv6 address, says so in one line and plays the same scenes on the virtual network', async () => {
    const f = fakeIo();
    // ::2 stands for a host without IPv6 loopback: listening on it fails as ::1 does there (EADDRNOTAVAIL).
    expect(await demo(f.io, (onLine) => startDemoNetwork(onLine, '::2'))).toBe(0);
    expect(f.stderr.text()).toBe('');
    const notes = f.stdout.text().split('\n').filter((line) => line.startsWith('note:'));
    expect(f.stdout.text()).not.toContain('Everything runs on loopback');
    expect(notes).toEqual(["note: this host has no IPv6 loopback address ::2, so the scenes run on rxconnect/testing's virtual network instead, in real time:"]);
    expectScenes(f.stdout.text());
    expect(f.listeners()).toBe(0);
    expect(await settledTcpHandles()).toBe(0);
    expect(await settledChildren()).toBe(0);
  }, 40_000);

  it('wraps its prose to the width of a terminal', async () => {
    const f = fakeIo({ tty: true, columns: 80, env: { NO_COLOR: '1' } });
    expect(await demo(f.io, (onLine) => startDemoNetwork(onLine, '::2'))).toBe(0);
    const wide = f.stdout.text().split('\n').filter((line) => [...stripAnsi(line)].length > 80);
    expect(wide).toEqual([]);
  }, 40_000);
});

describe('rxconnect demo, interrupted', () => {
  it('stops its fixtures on Ctrl-C and exits 130', async () => {
    const f = fakeIo();
    const exit = runCli(['demo'], f.io);
    await new Promise((r) => setTimeout(r, 400));
    f.interrupt();
    expect(await exit).toBe(130);
    expect(f.stdout.text()).toContain('interrupted: stopping the fixtures');
    expect(f.listeners()).toBe(0);
    // The scene in flight ends on its own once its fixtures are gone (at most its 1 s attempt timeout).
    for (let i = 0; i < 40 && (process.getActiveResourcesInfo().some((r) => r === 'TCPSocketWrap' || r === 'ProcessWrap')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await settledTcpHandles()).toBe(0);
    expect(await settledChildren()).toBe(0);
  }, 20_000);
});
