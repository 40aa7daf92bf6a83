// Node processes run by the command-line benchmarks (cli-startup, scan-rate, scan-memory): timed from spawn to
// exit, with their output, and their peak RSS when lib/maxrss.mjs is preloaded.
import { spawn } from 'node:child_process';
import { now, within } from './stats.mjs';

/** `node --import <this>` makes a process write its peak RSS to stderr at exit (maxrss.mjs). */
export const MAXRSS = new URL('./maxrss.mjs', import.meta.url).href;
const MiB = 1024 * 1024;

/** Runs `node ...args` to its end (NO_COLOR set), or rejects after `limitMs`: { code, stdout, stderr, ms }. */
export function runNode(args, limitMs) {
  return within(
    limitMs,
    new Promise((resolve, reject) => {
      const t0 = now();
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr, ms: now() - t0 }));
    }),
    `node ${args.join(' ')}`,
  );
}

/** The peak RSS in MiB that a process run with `--import MAXRSS` wrote to `stderr`; throws naming `what` if none. */
export function peakRss(stderr, what) {
  const m = /maxrss (\d+)/.exec(stderr);
  if (m === null) throw new Error(`no maxrss from ${what}: ${stderr.slice(-300)}`);
  return Number(m[1]) / MiB;
}
