// How many µs of CPU rxconnect adds to a sequential connect-and-close, measured with less kernel noise than
// connect-sequential. Not one of the benchmarks of `npm run bench` (which follow the rules); a tool for
// working on the hot path. Build first (`npm run build`).
//
//   node bench/connect-overhead.mjs [--ports 16] [--reps 25] [--connects 2000]
//
// Why another measurement: every connect the client closes first leaves a TIME_WAIT entry for 60 s, keyed by the
// four-tuple. Tens of thousands of connects to one server port fill its share of the ephemeral ports, and the
// kernel's search for a free one then dominates a connect and swings from run to run. Spreading the connects over
// several server ports keeps the raw cycle steady. Each round runs raw `net.connect` and rxconnect back to back
// (order flipped every round), and the tool reports the median of the per-round differences: drift between
// rounds cancels out.
import { rawConnect, rxConnect } from './benchmarks/connect.mjs';
import { startServer } from './lib/server.mjs';
import { median, within } from './lib/stats.mjs';

const args = process.argv.slice(2);
const USAGE = 'usage: node bench/connect-overhead.mjs [--ports N] [--reps N] [--connects N]';
for (let i = 0; i < args.length; i += 2) {
  if (!['--ports', '--reps', '--connects'].includes(args[i]) || args[i + 1] === undefined) {
    console.error(USAGE);
    process.exit(2);
  }
}
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  const value = i < 0 ? fallback : Number(args[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
};
const portCount = option('ports', 16);
const reps = option('reps', 25);
const connects = option('connects', 2000);

const server = await startServer('sink', { ports: portCount });
let next = 0;
const nextPort = () => server.ports[next++ % server.ports.length];

const raw = (done) => rawConnect(nextPort(), done);
const rx = (done) => rxConnect(nextPort(), done);

/** CPU µs of this process per connect, over `connects` sequential cycles. */
function cpuPerConnect(connect) {
  return within(120_000, new Promise((resolve, reject) => {
    let n = 0;
    const cpu0 = process.cpuUsage();
    const step = (error) => {
      if (error) return reject(error);
      if (++n === connects) {
        const cpu = process.cpuUsage(cpu0);
        return resolve((cpu.user + cpu.system) / connects);
      }
      connect(step);
    };
    connect(step);
  }), `${connects} connects`);
}

try {
  const rawAll = [];
  const rxAll = [];
  for (let round = -2; round < reps; round++) {
    const first = round % 2 === 0 ? 'raw' : 'rx';
    const a = await cpuPerConnect(first === 'raw' ? raw : rx);
    const b = await cpuPerConnect(first === 'raw' ? rx : raw);
    if (round < 0) continue;
    rawAll.push(first === 'raw' ? a : b);
    rxAll.push(first === 'raw' ? b : a);
  }
  const differences = rxAll.map((v, i) => v - rawAll[i]).sort((x, y) => x - y);
  const rawMedian = median(rawAll);
  const extra = median(differences);
  const q = (f) => differences[Math.floor(f * (differences.length - 1))].toFixed(1);
  console.log(`${connects} sequential connects per run, ${reps} rounds, ${portCount} server port(s), Node ${process.version}`);
  console.log(`net.connect: ${rawMedian.toFixed(1)} µs CPU per connect (median)`);
  console.log(`rxconnect:   ${median(rxAll).toFixed(1)} µs`);
  console.log(`rxconnect adds ${extra.toFixed(1)} µs per connect (median of the per-round differences; quartiles ${q(0.25)} and ${q(0.75)}), ratio ${((rawMedian + extra) / rawMedian).toFixed(2)}`);
} finally {
  await server.stop();
}
