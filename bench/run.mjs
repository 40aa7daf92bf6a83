// npm run bench [-- --json] [-- --quick] [-- --only name,name]
// Runs every benchmark in a child process of its own (a fresh heap and JIT for each), rxconnect and its baseline
// alternating inside that process, and prints a table, or with --json one JSON document on stdout.
// Progress goes to stderr. Needs the build in ../dist (npm run bench builds first).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from './benchmarks/index.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg === undefined ? undefined : (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',');
const names = Object.keys(BENCHMARKS).filter((n) => only === undefined || only.includes(n));
if (only !== undefined && names.length !== only.length) {
  console.error(`unknown benchmark in --only; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}

const ONE = fileURLToPath(new URL('./lib/one.mjs', import.meta.url));
const LIMIT_MS = quick ? 60_000 : 300_000;
const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

async function runOne(name) {
  const child = fork(ONE, [name, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  let result = { error: 'exited without a result' };
  child.on('message', (m) => (result = m));
  const timer = setTimeout(() => {
    result = { error: `took longer than ${LIMIT_MS / 1000} s` };
    child.kill('SIGKILL');
  }, LIMIT_MS);
  await once(child, 'exit');
  clearTimeout(timer);
  children.delete(child);
  if (result.rows) return result.rows;
  console.error(`  [${name}] FAILED: ${result.error}`);
  return [{ name, unit: '', rxconnect: null, baseline: null, baselineName: '', ratio: null, target: '', met: false, error: String(result.error).split('\n')[0] }];
}

const t0 = performance.now();
const rows = [];
for (const name of names) {
  console.error(`${name} ...`);
  const t = performance.now();
  rows.push(...(await runOne(name)));
  console.error(`${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
console.error(`all done in ${((performance.now() - t0) / 1000).toFixed(1)} s${quick ? ' (quick)' : ''}`);

const digits = (unit) => (unit === 'ms' ? 1 : unit.startsWith('KiB') ? 2 : 0);
const clean = rows.map((r) => ({
  name: r.name,
  unit: r.unit,
  rxconnect: r.rxconnect === null ? null : Number(r.rxconnect.toFixed(2)),
  baseline: r.baseline === null ? null : Number(r.baseline.toFixed(2)),
  baselineName: r.baselineName,
  ratio: r.ratio === null ? null : Number(r.ratio.toFixed(3)),
  target: r.target,
  met: r.met,
  ...(r.error === undefined ? {} : { error: r.error }),
}));

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, benchmarks: clean }, null, 2)}\n`);
} else {
  const header = ['name', 'unit', 'rxconnect', 'baseline', 'baselineName', 'ratio', 'target', 'met'];
  const cells = clean.map((r) => [
    r.name,
    r.unit,
    r.rxconnect === null ? '—' : r.rxconnect.toFixed(digits(r.unit)),
    r.baseline === null ? '—' : r.baseline.toFixed(digits(r.unit)),
    r.baselineName,
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    r.target,
    r.error === undefined ? (r.met ? 'yes' : 'NO') : `ERROR: ${r.error}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => `| ${c.map((v, i) => String(v).padEnd(widths[i])).join(' | ')} |`;
  const machine = `${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${platform()}`;
  console.log(`rxconnect benchmarks, node ${process.version}, ${machine}${quick ? ', quick' : ''}`);
  console.log('ratio = rxconnect cost / baseline cost (time per connect, per byte, memory per connection): lower is better');
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}
process.exitCode = rows.some((r) => r.error !== undefined) ? 1 : 0;
