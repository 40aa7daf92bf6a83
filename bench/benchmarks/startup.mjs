// cli-startup: the wall-clock time and peak RSS of `node dist/cli/main.js --version` (the built, bundled command:
//   start Node, load the command, print, exit), against `node -e 0` (Node starting and exiting with nothing to
//   load), alternating, 21 of each after 3 warm-ups. This is what every `rxconnect wait` in an entrypoint and every
//   `rxconnect probe` in a script pays before its first connect.
import { spawn } from 'node:child_process';
import { CLI_MAIN as MAIN } from '../lib/rxconnect.mjs';
import { alternate, median, now, within } from '../lib/stats.mjs';

const MAXRSS = new URL('../lib/maxrss.mjs', import.meta.url).href;
const MiB = 1024 * 1024;

function started(args) {
  return within(
    30_000,
    new Promise((resolve, reject) => {
      const t0 = now();
      const child = spawn(process.execPath, ['--import', MAXRSS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => {
        const ms = now() - t0;
        const m = /maxrss (\d+)/.exec(stderr);
        if (code !== 0 || m === null) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr.slice(-300)}`));
        else resolve({ ms, rss: Number(m[1]) / MiB });
      });
    }),
    `node ${args.join(' ')}`,
  );
}

export async function cliStartup({ quick, log }) {
  const rss = { rx: [], base: [] };
  const r = await alternate({
    reps: quick ? 7 : 21,
    warmup: 3,
    log: () => {},
    rx: async () => {
      const { ms, rss: peak } = await started([MAIN, '--version']);
      rss.rx.push(peak);
      return ms;
    },
    base: async () => {
      const { ms, rss: peak } = await started(['-e', '0']);
      rss.base.push(peak);
      return ms;
    },
  });
  log(`median peak RSS: rxconnect --version ${median(rss.rx).toFixed(1)} MiB, node -e 0 ${median(rss.base).toFixed(1)} MiB`);
  return [{
    name: 'cli-startup',
    unit: 'ms',
    rxconnect: r.rx,
    baseline: r.base,
    baselineName: 'node -e 0',
    ratio: r.rx / r.base,
    target: 'ratio ≤ 2.5',
    met: r.rx / r.base <= 2.5,
  }];
}
