// scan-rate: targets per second of the built CLI, `node dist/cli/main.js scan 127.1.0.0/L:1-16 --concurrency 64`
//   (the whole command, as a user runs it: process start, module loading, the table at the end), against the same
//   targets through a minimal net.connect loop in a process of its own (scan-baseline-child.mjs), at the same
//   concurrency. Every target is a closed port on a 127.1.x.x address, which refuses at once: the rate is the
//   CLI's cost per target, not a server's. Both wall-clock times include starting Node. Three more rounds against
//   the loop with `new net.Socket().connect(port, host)` (the `bare` variant of scan-baseline-child.mjs) are
//   logged, not tabled: net.connect hands the Socket constructor an options object, which Node 20 makes slower.
// scan-memory: the peak RSS of one scan of 1,048,576 closed loopback ports (127.1.0.0/16:1-16), read by a module
//   preloaded with --import (maxrss.mjs), against the peak of the net.connect loop over the same targets; the
//   1,024-target scan's peak (the CLI's own floor) is logged. scan-memory-capped: the same two under a capped V8
//   heap, which only a scan whose memory stays flat survives.
import { fileURLToPath } from 'node:url';
import { CLI_MAIN as MAIN } from '../lib/rxconnect.mjs';
import { MAXRSS, peakRss, runNode as run } from '../lib/child.mjs';
import { alternate } from '../lib/stats.mjs';

const BASELINE = fileURLToPath(new URL('../lib/scan-baseline-child.mjs', import.meta.url));
const CONCURRENCY = 64;
const PORTS = 16;

/** The number of targets of `127.1.0.0/prefix:1-16`. */
const targets = (prefix) => 2 ** (32 - prefix) * PORTS;

export async function scanRate({ quick, log }) {
  const prefix = quick ? 22 : 21; // 1,024 or 2,048 hosts × 16 ports: 16,384 or 32,768 targets
  const total = targets(prefix);
  const hosts = total / PORTS;
  const rx = async () => {
    const r = await run([MAIN, 'scan', `127.1.0.0/${prefix}:1-${PORTS}`, '--concurrency', String(CONCURRENCY)], 120_000);
    if (!r.stdout.includes(`of ${total.toLocaleString('en-US')} targets`)) throw new Error(`scan did not finish: ${r.stdout.slice(-300)} ${r.stderr.slice(-300)}`);
    return (total * 1000) / r.ms;
  };
  const loop = (...variant) => async () => {
    const r = await run([BASELINE, '127.1.0.0', String(hosts), String(PORTS), String(CONCURRENCY), ...variant], 120_000);
    if (!r.stdout.startsWith(`${total} done`)) throw new Error(`baseline did not finish: ${r.stdout} ${r.stderr}`);
    return (total * 1000) / r.ms;
  };
  const r = await alternate({ reps: 5, warmup: 1, log, rx, base: loop() });
  const ratio = r.rx / r.base;
  // Logged, not a row: the same loop with `new net.Socket().connect(port, host)`, which skips the options object
  // that net.connect gives the Socket constructor (scan-baseline-child.mjs), so the ratio is rxconnect's own cost.
  const bare = await alternate({ reps: 3, warmup: 0, log, rx, base: loop('bare') });
  log(`against a bare new net.Socket() loop: rxconnect ${bare.rx.toFixed(0)}/s, loop ${bare.base.toFixed(0)}/s, ratio ${(bare.rx / bare.base).toFixed(2)}`);
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

// The V8 flags of the capped rows: a 1 MiB semi-space and a 16 MiB old generation. A scan whose live data grew
// with the number of targets would die of "heap out of memory" under them long before a million targets.
const CAPPED = ['--max-semi-space-size=1', '--max-old-space-size=16'];

/** The peak RSS of a process that must have gone through every target (`finished` reads its stdout). */
async function peak(flags, args, what, finished) {
  const r = await run([...flags, '--import', MAXRSS, ...args], 280_000);
  if (!finished(r.stdout)) throw new Error(`${what} did not finish: ${r.stdout.slice(-300)} ${r.stderr.slice(-300)}`);
  return peakRss(r.stderr, what);
}

const scanPeak = (flags, prefix) =>
  peak(flags, [MAIN, 'scan', `127.1.0.0/${prefix}:1-${PORTS}`, '--concurrency', String(CONCURRENCY)], `the scan of /${prefix}`, (out) =>
    out.includes(`of ${targets(prefix).toLocaleString('en-US')} targets in`),
  );
const loopPeak = (flags, prefix) =>
  peak(flags, [BASELINE, '127.1.0.0', String(targets(prefix) / PORTS), String(PORTS), String(CONCURRENCY)], `the loop over /${prefix}`, (out) =>
    out.startsWith(`${targets(prefix)} done`),
  );

async function memoryRow(name, flags, note, { quick, log }) {
  const prefix = quick ? 18 : 16; // 16,384 or 65,536 hosts × 16 ports
  const total = targets(prefix).toLocaleString('en-US');
  const rx = await scanPeak(flags, prefix);
  log(`rxconnect scan of ${total} targets: ${rx.toFixed(1)} MiB`);
  const base = await loopPeak(flags, prefix);
  log(`net.connect loop over the same targets: ${base.toFixed(1)} MiB`);
  return {
    name,
    unit: 'MiB peak RSS',
    rxconnect: rx,
    baseline: base,
    baselineName: `net.connect loop, ${CONCURRENCY} at once, the same ${total} closed ports${note}`,
    ratio: rx / base,
    target: '≤ 64 MiB',
    met: rx <= 64,
  };
}

export async function scanMemory(context) {
  const floor = await scanPeak([], 26);
  context.log(`peak RSS of the CLI scanning 1,024 targets: ${floor.toFixed(1)} MiB`);
  return [await memoryRow('scan-memory', [], '', context)];
}

export async function scanMemoryCapped(context) {
  return [await memoryRow('scan-memory-capped', CAPPED, `, both under ${CAPPED.join(' ')}`, context)];
}
