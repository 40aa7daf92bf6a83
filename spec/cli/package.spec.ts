import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { buildInto, cliEnv, run } from './run.js';

// What a user gets: `npm pack`, installed into a scratch project, imported both ways, and `npx rxconnect` run.
// Uses the npm cache first (--prefer-offline); the registry is only asked for what the cache lacks.

/** The environment for a child npm: this one, less what `npm test` set for this package's own scripts. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = cliEnv();
  for (const key of Object.keys(env)) if (key.startsWith('npm_package_') || key.startsWith('npm_lifecycle_') || key === 'npm_config_prefix') delete env[key];
  return env;
}

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const requireEsm = major > 20 || (major === 20 && minor >= 19);

describe('the packed tarball, installed in a scratch project', () => {
  const work = mkdtempSync(join(tmpdir(), 'rxconnect-pack-'));
  const stage = join(work, 'stage');
  const scratch = join(work, 'scratch');
  let tarball = '';
  let files: string[] = [];
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer('127.0.0.1');
    await buildInto(stage);
    for (const f of ['README.md', 'LICENSE']) copyFileSync(f, join(stage, f));
    const pack = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: stage, env: npmEnv() });
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    files = info!.files.map((f) => f.path);

    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
    const install = await run('npm', ['install', tarball, 'rxjs@^7.8.0', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: scratch,
      env: npmEnv(),
      timeout: 110_000,
    });
    if (install.code !== 0) throw new Error(`npm install failed: ${install.stderr}`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('holds only dist, README, LICENSE and package.json', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/testing/index.js');
    // The command is one bundled file, shipped with the licences of what it bundles.
    expect(files.filter((f) => f.startsWith('dist/cli/')).sort()).toEqual(['dist/cli/THIRD-PARTY-LICENSES.txt', 'dist/cli/main.js']);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    expect(files.filter((f) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f))).toEqual([]);
  });

  it('imports rxconnect and rxconnect/testing from ESM', async () => {
    const code = `
      import { connectAsync$, listen$, ConnectError } from 'rxconnect';
      import { createVirtualNetwork, connectAfter } from 'rxconnect/testing';
      console.log([typeof connectAsync$, typeof listen$, typeof ConnectError, typeof createVirtualNetwork, typeof connectAfter].join(' '));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: scratch });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function function function function');
  });

  it('imports rxconnect/http from ESM', async () => {
    const code = `
      import { connector, httpAgent, httpsAgent } from 'rxconnect/http';
      console.log([typeof connector(), typeof httpAgent().createConnection, typeof httpsAgent().createConnection].join(' '));`;
    const r = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: scratch });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function function');
  });

  (requireEsm ? it : it.skip)('loads rxconnect and rxconnect/testing with require() (Node >= 20.19)', async () => {
    const code = `
      const { connectAsync$, connected } = require('rxconnect');
      const { createVirtualNetwork } = require('rxconnect/testing');
      console.log([typeof connectAsync$, typeof connected, typeof createVirtualNetwork].join(' '));`;
    const r = await run(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', code], { cwd: scratch });
    expect(r.stdout.trim()).toBe('function function function');
    expect(r.code).toBe(0);
  });

  it('runs `npx rxconnect probe` against a loopback server', async () => {
    const r = await run('npx', ['--no', 'rxconnect', 'probe', `127.0.0.1:${server.port}`], { cwd: scratch, env: npmEnv() });
    // npm may warn about its own configuration on stderr; the command's exit code and output are what count.
    expect({ code: r.code, stderr: r.stderr.replace(/^npm warn .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`✔ connected to 127.0.0.1 port ${server.port}`);
  });
});
