import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { buildInto, cliEnv } from './run.js';

// The real binary, so that the signals are the process's own.
const root = join(process.cwd(), 'node_modules', '.cache', `rxconnect-wait-spec-${process.pid}`);
const main = join(root, 'dist', 'cli', 'main.js');

describe('rxconnect wait (spawned)', () => {
  let server: TestServer;

  beforeAll(async () => {
    await buildInto(root);
    server = await startServer('127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('forwards SIGTERM to the command, whose stdout is its own, and exits with its status', async () => {
    const script = 'process.on("SIGTERM", () => { console.log("child got SIGTERM"); process.exit(7); }); console.log("child ready"); setInterval(() => {}, 1000);';
    const child = spawn(process.execPath, [main, 'wait', `127.0.0.1:${server.port}`, '--', process.execPath, '-e', script], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const ready = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => ((stdout += String(c)), stdout.includes('child ready') && resolve())));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await ready;
    child.kill('SIGTERM');
    expect(await exited).toBe(7);
    expect(stdout).toBe('child ready\nchild got SIGTERM\n');
    expect(stderr).toMatch(new RegExp(`^127\\.0\\.0\\.1:${server.port} up after \\d+ ms \\(1 try\\) \\(127\\.0\\.0\\.1\\)\\n$`));
  });

  it('exits 130 on SIGINT while waiting', async () => {
    const child = spawn(process.execPath, [main, 'wait', '127.0.0.1:1', '--interval', '20'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const first = new Promise<void>((resolve) => child.stderr.on('data', (c: Buffer) => ((stderr += String(c)), resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await first;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/rxconnect wait: interrupted after \d\.\d s\n$/);
  });
});
