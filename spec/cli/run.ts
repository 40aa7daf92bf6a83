import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** What a finished child process left. */
export type Ran = { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string; readonly ms: number };

/** Runs a command to its end, feeding `input` to its stdin. Never throws for a non-zero exit. */
export function run(command: string, args: readonly string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeout ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += String(c)));
    child.stderr.on('data', (c: Buffer) => (stderr += String(c)));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(options.input ?? '');
  });
}

/** The environment of a child CLI: this one without colour settings that would change the output. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env['FORCE_COLOR'];
  return env;
}

/**
 * Compiles src/ into `root`/dist with tsconfig.build.json, bundles the command as `npm run build` does
 * (scripts/build-cli.mjs), and copies package.json beside it, without touching the
 * project's own dist/ (other specs and people use it). `root` must be inside the project (node_modules/.cache)
 * so the build finds rxjs and commander.
 */
export async function buildInto(root: string): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const node = (what: string, args: readonly string[]): Promise<void> =>
    new Promise<void>((resolve, reject) =>
      execFile(process.execPath, args, { cwd: process.cwd() }, (error, stdout, stderr) => (error ? reject(new Error(`${what} failed: ${stdout}${stderr}`)) : resolve())),
    );
  await node('tsc', [join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(root, 'dist')]);
  await node('build-cli', [join(process.cwd(), 'scripts', 'build-cli.mjs'), join(root, 'dist')]);
  copyFileSync(join(process.cwd(), 'package.json'), join(root, 'package.json'));
}
