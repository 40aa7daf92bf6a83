// Runs one benchmark in this (fresh) process and sends its rows to the parent over IPC.
//   node bench/lib/one.mjs <name> [--quick]
import { BENCHMARKS } from '../benchmarks/index.mjs';

const [name, ...flags] = process.argv.slice(2);
const quick = flags.includes('--quick');
const log = (text) => process.stderr.write(`  [${name}] ${text}\n`);
// Orphaned (the runner died): stop at once; the servers and helpers this process started exit with it.
process.on('disconnect', () => process.exit(1));

try {
  const load = BENCHMARKS[name];
  if (load === undefined) throw new Error(`unknown benchmark ${name}`);
  const rows = await (await load())({ quick, log });
  process.send({ rows });
} catch (error) {
  process.send({ error: error?.stack ?? String(error) });
  process.exitCode = 1;
}
// Every benchmark closes what it opened; this only guards against a forgotten handle.
process.removeAllListeners('disconnect');
process.disconnect();
setTimeout(() => process.exit(), 2000).unref();
