// scan-rate: targets per second of the built CLI, `node dist/cli/main.js scan 127.1.0.0/L:1-16 --concurrency 64`
//   (the whole command, as a user runs it: process start, module loading, the table at the end), against the same
//   targets through a minimal net.connect loop in a process of its own (scan-baseline-child.mjs), at the same
//   concurrency. Every target is a closed port on a 127.1.x.x address, which refuses at once: the rate is the
//   CLI's cost per target, not a server's. Both wall-clock times include starting Node.
// scan-memory: the peak RSS of one scan of 1,048,576 closed loopback ports (127.1.0.0/16:1-16), read by a module
//   preloaded with --import (maxrss.mjs), next to the peak of a 1,024-target scan (the CLI's own floor).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { alternate, now, repeat, within } from '../lib/stats.mjs';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const BASELINE = fileURLToPath(new URL('../lib/scan-baseline-child.mjs', import.meta.url));
const MAXRSS = new URL('../lib/maxrss.mjs', import.meta.url).href;
const CONCURRENCY = 64;
const PORTS = 16;
const MiB = 1024 * 1024;

function run(args, limitMs) {
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

export async function scanRate({ quick, log }) {
  const prefix = quick ? 22 : 21; // 1,024 or 2,048 hosts × 16 ports: 16,384 or 32,768 targets
  const hosts = 2 ** (32 - prefix);
  const total = hosts * PORTS;
  const rx = async () => {
    const r = await run([MAIN, 'scan', `127.1.0.0/${prefix}:1-${PORTS}`, '--concurrency', String(CONCURRENCY)], 120_000);
    if (!r.stdout.includes(`of ${total.toLocaleString('en-US')} targets`)) throw new Error(`scan did not finish: ${r.stdout.slice(-300)} ${r.stderr.slice(-300)}`);
    return (total * 1000) / r.ms;
  };
  const base = async () => {
    const r = await run([BASELINE, '127.1.0.0', String(hosts), String(PORTS), String(CONCURRENCY)], 120_000);
    if (!r.stdout.startsWith(`${total} done`)) throw new Error(`baseline did not finish: ${r.stdout} ${r.stderr}`);
    return (total * 1000) / r.ms;
  };
  const r = await alternate({ reps: 3, warmup: 1, log, rx, base });
  const ratio = r.rx / r.base;
  return [{
    name: 'scan-rate',
    unit: 'targets/s',
    rxconnect: r.rx,
    baseline: r.base,
    baselineName: `net.connect loop, ${CONCURRENCY} at once, ${total} closed ports`,
    ratio,
    target: 'rxconnect/baseline ≥ 0.9',
    met: ratio >= 0.9,
  }];
}

async function peak(block) {
  const r = await run(['--import', MAXRSS, MAIN, 'scan', block, '--concurrency', String(CONCURRENCY)], 280_000);
  const m = /maxrss (\d+)/.exec(r.stderr);
  if (m === null) throw new Error(`no maxrss from the scan of ${block}: ${r.stderr.slice(-300)}`);
  return Number(m[1]) / MiB;
}

export async function scanMemory({ quick, log }) {
  const floor = await peak('127.1.0.0/26:1-16');
  log(`peak RSS of a 1,024-target scan: ${floor.toFixed(1)} MiB`);
  const block = quick ? '127.1.0.0/18:1-16' : '127.1.0.0/16:1-16';
  const r = await repeat({ reps: 1, warmup: 0, log, run: () => peak(block) });
  return [{
    name: 'scan-memory',
    unit: 'MiB peak RSS',
    rxconnect: r.median,
    baseline: floor,
    baselineName: `the same CLI scanning 1,024 targets; here ${block}`,
    ratio: r.median / floor,
    target: '≤ 64 MiB',
    met: r.median <= 64,
  }];
}
