// he-repeat and fetch-he-repeat: 20 connects, one after another, to the dual-stack name of he-hanging-first
// (::1 black-holed, 127.0.0.1 serving), each on a new connection. rxconnect keeps a connect history (RFC 8305 §7):
// from the second connect on it starts with 127.0.0.1, the first one's winner. Node's autoSelectFamily and undici's
// have none: each connect waits the 250 ms attempt delay on ::1 again. A repetition is a fresh history (or Agent)
// and its 20 connects; its value is the median of the 20 times.
import { Agent, fetch } from 'undici';
import { connector, createConnectHistory } from '../lib/rxconnect.mjs';
import { startLoopbackHelper } from '../lib/loopback.mjs';
import { alternate, median, now } from '../lib/stats.mjs';
import { ATTEMPT_DELAY, HOST, dualStackLookup, hangingPair, nodeOnce, rxOnce } from './happyEyeballs.mjs';

export const CONNECTS = 20;
const TARGET_MS = 10;

function needHistory() {
  if (createConnectHistory === undefined) throw new Error('this build has no createConnectHistory');
}

/** `count` runs of `once`, one after another; their times, checked to have connected via 127.0.0.1. */
async function inTurn(count, once, what) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const o = await once();
    if (!o.ok) throw new Error(`${what}: expected a connect via 127.0.0.1, got ${JSON.stringify(o)}`);
    times.push(o.ms);
  }
  return times;
}

/**
 * Runs `measure(pair)` with the black-holed ::1 and serving 127.0.0.1 of he-hanging-first (`mode`: a startServer
 * mode), and returns its result as the benchmark's row: `{ name, what, baselineName, r }` → a result row.
 */
async function onHangingPair(mode, measure) {
  const helper = await startLoopbackHelper();
  try {
    const pair = await hangingPair(helper, mode);
    try {
      const { name, what, baselineName, r } = await measure(pair);
      return [
        {
          name,
          unit: 'ms',
          rxconnect: r.rx,
          baseline: r.base,
          baselineName: `${baselineName} (attempt timeout ${ATTEMPT_DELAY} ms), ${CONNECTS} ${what}`,
          ratio: r.rx / r.base,
          target: `median of ${CONNECTS} ${what} ≤ ${TARGET_MS} ms`,
          met: r.rx <= TARGET_MS,
        },
      ];
    } finally {
      await pair.stop();
    }
  } finally {
    await helper.stop();
  }
}

/** Logs the first connect's time and the median of the others, for the log on stderr. */
function logRound(log, which, times) {
  log(`${which}: first ${times[0].toFixed(1)} ms, then median ${median(times.slice(1)).toFixed(1)} ms, median of all ${median(times).toFixed(1)} ms`);
}

export async function heRepeat({ quick, log }) {
  needHistory();
  return onHangingPair('sink', async (pair) => {
    const connectOnce = (connect) => async () => {
      const o = await connect();
      return { ok: o.connected && o.via === '127.0.0.1', ...o };
    };
    const r = await alternate({
      reps: quick ? 2 : 5,
      warmup: 1,
      log,
      rx: async () => {
        const history = createConnectHistory();
        const times = await inTurn(CONNECTS, connectOnce(() => rxOnce(pair.port, 5000, { history })), 'he-repeat rxconnect');
        logRound(log, 'rxconnect, one history', times);
        return median(times);
      },
      base: async () => {
        const times = await inTurn(CONNECTS, connectOnce(() => nodeOnce(pair.port, 5000)), 'he-repeat net.connect');
        logRound(log, 'net.connect autoSelectFamily', times);
        return median(times);
      },
    });
    return { name: 'he-repeat', what: 'connects', baselineName: 'net.connect autoSelectFamily', r };
  });
}

/** One GET through `agent`: { ok, ms } with the time to the response, ok when it answered 200 "ok". */
async function timedGet(url, agent) {
  const t0 = now();
  try {
    const response = await fetch(url, { dispatcher: agent, signal: AbortSignal.timeout(5000) });
    const ms = now() - t0;
    const body = await response.text();
    return { ok: response.status === 200 && body === 'ok', ms, status: response.status };
  } catch (error) {
    return { ok: false, ms: now() - t0, error: `${error?.name}: ${error?.cause?.code ?? error?.message}` };
  }
}

export async function fetchHeRepeat({ quick, log }) {
  needHistory();
  if (connector === undefined) throw new Error('this build has no rxconnect/http (dist/http/index.js)');
  return onHangingPair('http', async (pair) => {
    const url = `http://${HOST}:${pair.port}/`;
    // A new connection per request (pipelining: 0: `connection: close`); one Agent, so one connector and, on
    // rxconnect's side, the one history that connector keeps.
    const round = async (makeAgent, which) => {
      const agent = makeAgent();
      try {
        const times = await inTurn(CONNECTS, () => timedGet(url, agent), `fetch-he-repeat ${which}`);
        logRound(log, which, times);
        return median(times);
      } finally {
        await agent.destroy();
      }
    };
    const r = await alternate({
      reps: quick ? 2 : 5,
      warmup: 1,
      log,
      rx: () => round(() => new Agent({ connect: connector({ lookup: dualStackLookup, attemptDelay: ATTEMPT_DELAY }), pipelining: 0 }), 'rxconnect connector'),
      base: () =>
        round(
          () => new Agent({ connect: { autoSelectFamily: true, autoSelectFamilyAttemptTimeout: ATTEMPT_DELAY, lookup: dualStackLookup }, pipelining: 0 }),
          'undici autoSelectFamily',
        ),
    });
    return { name: 'fetch-he-repeat', what: 'requests', baselineName: 'undici fetch, autoSelectFamily, pipelining: 0', r };
  });
}
