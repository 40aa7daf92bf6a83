// cli-startup: the wall-clock time and peak RSS of `node dist/cli/main.js --version` (the built, bundled command:
//   start Node, load the command, print, exit), against `node -e 0` (Node starting and exiting with nothing to
//   load), alternating, 21 of each after 3 warm-ups. This is what every `rxconnect wait` in an entrypoint and every
//   `rxconnect probe` in a script pays before its first connect.
import { CLI_MAIN as MAIN } from '../lib/rxconnect.mjs';
import { MAXRSS, peakRss, runNode as run } from '../lib/child.mjs';
import { alternate, median } from '../lib/stats.mjs';

/** One start: wall-clock ms from spawn to exit, and the peak RSS in MiB. */
async function started(args) {
  const r = await run(['--import', MAXRSS, ...args], 30_000);
  if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-300)}`);
  return { ms: r.ms, rss: peakRss(r.stderr, `node ${args.join(' ')}`) };
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
