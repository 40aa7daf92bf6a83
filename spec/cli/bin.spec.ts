import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { SCENES } from '../../src/cli/demo.js';
import { startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { buildInto, cliEnv, run } from './run.js';
import { tlsFiles } from './tlsFiles.js';
import type { TlsFiles } from './tlsFiles.js';
import { DURATION } from './support.js';

// The real binary, compiled into a private folder: these specs spawn `node dist/cli/main.js` as a user would.
const root = join(process.cwd(), 'node_modules', '.cache', `rxconnect-cli-spec-${process.pid}`);
const main = join(root, 'dist', 'cli', 'main.js');
const cli = (args: string[], input?: string) => run(process.execPath, [main, ...args], { env: cliEnv(), ...(input === undefined ? {} : { input }) });

describe('the rxconnect binary (spawned)', () => {
  let server: TestServer;

  beforeAll(async () => {
    await buildInto(root);
    server = await startServer('127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('starts with a shebang, so npm can link it as a bin', () => {
    expect(readFileSync(main, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('probes a loopback server: exit 0 and a timeline', async () => {
    const r = await cli(['probe', `127.0.0.1:${server.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`✔ connected to 127.0.0.1 port ${server.port}`);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 1 for a refused target and 2 for a usage error, with one line and no stack trace', async () => {
    const refused = await cli(['probe', '127.0.0.1:1']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('ECONNREFUSED');
    const usage = await cli(['probe', '::1:80']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('rxconnect probe: bad target "::1:80": an IPv6 address needs brackets, as in [::1]:80\n');
    expect(usage.stdout).toBe('');
  });

  it('scans a list from stdin with comments, as JSON', async () => {
    const r = await cli(['scan', '-', '--json'], `# from stdin\n\n127.0.0.1:${server.port} # up\n`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ targets: [{ host: '127.0.0.1', port: server.port, outcome: 'connected' }] });
  });

  it('prints its version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
  });

  describe('loads TLS, HTTP, crypto and readline only when a command uses them', () => {
    // Node's list of the builtins it has loaded, printed at exit by a module preloaded into the process.
    const preload = join(root, 'loaded.mjs');
    const OPTIONAL = /^NativeModule (tls|_tls_wrap|http|crypto|readline)$/;
    let files: TlsFiles;
    const loaded = async (args: string[], input?: string): Promise<{ code: number | null; stdout: string; modules: string[] }> => {
      const r = await run(process.execPath, ['--import', preload, main, ...args], { env: cliEnv(), ...(input === undefined ? {} : { input }) });
      const line = r.stderr.trim().split('\n').pop() ?? '';
      return { code: r.code, stdout: r.stdout, modules: (JSON.parse(line) as string[]).map((m) => m.replace('NativeModule ', '')).sort() };
    };

    beforeAll(() => {
      writeFileSync(preload, `process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => ${String(OPTIONAL)}.test(m))) + '\\n'));\n`);
      files = tlsFiles();
    });

    afterAll(() => files.remove());

    it('a scan, a wait and a probe of host:port do their work and load none of them', async () => {
      const scan = await loaded(['scan', `127.0.0.1:${server.port}`]);
      expect([scan.code, scan.modules]).toEqual([0, []]);
      expect(scan.stdout).toContain('1 up, 0 down of 1 target in');
      const wait = await loaded(['wait', '--timeout', '5', `127.0.0.1:${server.port}`, '--', process.execPath, '-e', 'console.log("waited")']);
      expect(wait).toEqual({ code: 0, stdout: 'waited\n', modules: [] });
      const probe = await loaded(['probe', `127.0.0.1:${server.port}`]);
      expect([probe.code, probe.modules]).toEqual([0, []]);
      expect(probe.stdout).toContain(`connected to 127.0.0.1 port ${server.port}`);
    });

    it('loads each one where it is needed: tls for --tls, crypto for the --key and --cert of serve, http for an http:// URL, readline for a target file', async () => {
      // The server reads and never answers: each probe gives up after 300 ms, past the point that loads the module.
      const tls = await loaded(['probe', '--tls', '--timeout', '300', `127.0.0.1:${server.port}`]);
      expect(tls.code).toBe(1);
      expect(tls.modules).toEqual(expect.arrayContaining(['_tls_wrap', 'tls']));
      // serve checks that the key and the certificate belong together; these two do not (exit 2, nothing served).
      const keys = await loaded(['serve', '--tls', '--key', files.clientKey, '--cert', files.ca, '0']);
      expect([keys.code, keys.modules]).toEqual([2, ['crypto']]);
      const http = await loaded(['probe', '--timeout', '300', `http://127.0.0.1:${server.port}/`]);
      expect(http.stdout).toContain(`connected to 127.0.0.1 port ${server.port}`);
      expect(http.modules).toContain('http');
      const list = await loaded(['scan', '-'], `127.0.0.1:${server.port}\n`);
      expect([list.code, list.modules]).toEqual([0, ['readline']]);
      expect(list.stdout).toContain('1 up, 0 down of 1 target in');
    });

    it('importing rxconnect (the main entry) loads none of them', async () => {
      const entry = JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href);
      const r = await run(process.execPath, ['--import', preload, '--input-type=module', '-e', `const { connectAsync$ } = await import(${entry}); console.log(typeof connectAsync$);`], { env: cliEnv() });
      expect(r).toMatchObject({ code: 0, stdout: 'function\n', stderr: '[]\n' });
    });
  });

  it('serves until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, [main, 'serve', '0', '--myaddr', '127.0.0.1'], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const listening = new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => ((stdout += String(c)), /listening on/.test(stdout) && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await listening;
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toContain('stopped: listeners and clients closed');
  });

  it('runs the demo with Node alone on PATH (no python3): exit 0 in under 30 s, every scene shown, no stack trace', async () => {
    const bin = join(root, 'node-only-bin');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await run(process.execPath, [main, 'demo'], { env: cliEnv({ PATH: bin }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(30_000);
    for (const scene of SCENES) expect(r.stdout).toContain(scene);
    expect(r.stdout).toContain('Every fixture is stopped');
    expect(r.stdout).not.toMatch(/python|\n +at /);
  }, 40_000);

  it('wait: forwards SIGTERM to the command, whose stdout is its own, and exits with its status', async () => {
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
    expect(stderr).toMatch(new RegExp(`^127\\.0\\.0\\.1:${server.port} up after ${DURATION} \\(1 try\\) \\(127\\.0\\.0\\.1\\)\\n$`));
  });

  it('wait: exits 130 on SIGINT while waiting', async () => {
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
