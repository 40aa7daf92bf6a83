// memory-per-connection: 2000 open idle connections; JS heap and RSS growth per connection.
//   rxconnect: connectAsync$ + connected(), the subscription kept (the channel idle, not read)
//   baseline:  net.connect, the socket kept (not read)
// Each measurement is a fresh child process (memory-child.mjs), so the variants never share a heap.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.mjs';
import { alternate, within } from '../lib/stats.mjs';

const CHILD = fileURLToPath(new URL('../lib/memory-child.mjs', import.meta.url));
const KiB = 1024;

async function measure(variant, port, count) {
  const child = fork(CHILD, [variant, String(port), String(count)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let result = { error: 'memory child exited without a result' };
  child.on('message', (m) => (result = m));
  try {
    await within(90_000, once(child, 'exit'), `memory child ${variant}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  if (result.error) throw new Error(result.error);
  if (result.alive !== count) throw new Error(`memory child ${variant}: ${result.alive} of ${count} connections alive`);
  return result;
}

export async function memoryPerConnection({ quick, log }) {
  const count = 2000;
  const server = await startServer('sink');
  try {
    const r = await alternate({
      reps: quick ? 1 : 3,
      warmup: 0,
      log,
      rx: () => measure('rx', server.port, count),
      base: () => measure('raw', server.port, count),
    });
    const med = (list, key) => {
      const values = list.map((m) => m[key]).sort((a, b) => a - b);
      return values[values.length >> 1];
    };
    const rows = [];
    for (const [key, name, unit] of [
      ['heap', 'memory-per-connection', 'KiB heap/conn'],
      ['rss', 'memory-per-connection-rss', 'KiB RSS/conn'],
    ]) {
      const rx = med(r.rxAll, key) / KiB;
      const base = med(r.baseAll, key) / KiB;
      const ratio = rx / base;
      rows.push({ name, unit, rxconnect: rx, baseline: base, baselineName: `net.Socket (${count} idle)`, ratio, target: 'ratio ≤ 1.5', met: ratio <= 1.5 });
    }
    return rows;
  } finally {
    await server.stop();
  }
}
