// fetch-connector and fetch-he: undici's `fetch` (the undici 7 dev dependency) with rxconnect/http's connector,
// `new Agent({ connect: connector(...) })`, against the same Agent with undici's own connector.
//   fetch-connector: sequential GETs to one loopback HTTP/1.1 server (node:http in another process), requests/s.
//     new connection per request: both Agents with `pipelining: 0`, undici's switch for "no keep-alive": it sends
//     `connection: close`, the server closes after its response, and every request connects anew.
//     keep-alive: both Agents with undici's defaults (pipelining 1, keep-alive): one connection serves them all.
//     Logged too: the CPU per connect-and-destroy of the two connectors alone, called as undici calls them.
//   fetch-he: time to first byte (fetch() until its response promise resolves) for `http://dual.test:P/`, whose
//     lookup answers ::1 then 127.0.0.1, a fresh Agent per request; 250 ms between attempts on both sides.
//     hanging-first: ::1:P black-holed (happyEyeballs.mjs's hanging listener), 127.0.0.1:P serving.
//     slow-first: ::1:P accepts after about 1 s (the SYN retry) and then serves, 127.0.0.1:P refuses.
//     undici's side: `connect: { autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 250, lookup }`.
import { Agent, buildConnector, fetch } from 'undici';
import { connector } from '../lib/rxconnect.mjs';
import { startLoopbackHelper } from '../lib/loopback.mjs';
import { startServer } from '../lib/server.mjs';
import { alternate, median, now, within } from '../lib/stats.mjs';
import { ATTEMPT_DELAY, HOST, dualStackLookup, hangingPair } from './happyEyeballs.mjs';

function needConnector() {
  if (connector === undefined) throw new Error('this build has no rxconnect/http (dist/http/index.js)');
}

/** One GET through `dispatcher`; throws unless it answers 200 "ok". */
async function get(url, dispatcher) {
  const response = await fetch(url, { dispatcher });
  const body = await response.text();
  if (response.status !== 200 || body !== 'ok') throw new Error(`GET ${url}: ${response.status} ${JSON.stringify(body)}`);
}

/** `total` GETs one after another; requests per second and this process's CPU µs per request. */
async function sequential(total, url, dispatcher) {
  const t0 = now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < total; i++) await get(url, dispatcher);
  const cpu = process.cpuUsage(cpu0);
  return { rate: (total * 1000) / (now() - t0), cpuUs: (cpu.user + cpu.system) / total };
}

/** One connect through `connect` (undici's connector contract), destroyed at once; resolves on 'close'. */
function connectOnce(connect, request) {
  return new Promise((resolve, reject) => {
    connect(request, (error, socket) => {
      if (error) reject(error);
      else {
        socket.on('close', resolve);
        socket.destroy();
      }
    });
  });
}

/** The CPU µs per connect of each connector alone (no HTTP), alternating rounds of `total`; medians. */
async function connectorsAlone(port, total, rounds) {
  const request = { hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port: String(port), servername: null, localAddress: null };
  const connectors = { rx: connector(), base: buildConnector({}) };
  const cpu = { rx: [], base: [] };
  for (let round = -1; round < rounds; round++) {
    for (const which of round % 2 === 0 ? ['rx', 'base'] : ['base', 'rx']) {
      const cpu0 = process.cpuUsage();
      for (let i = 0; i < total; i++) await connectOnce(connectors[which], request);
      const used = process.cpuUsage(cpu0);
      if (round >= 0) cpu[which].push((used.user + used.system) / total);
    }
  }
  return { rx: median(cpu.rx), base: median(cpu.base) };
}

export async function fetchConnector({ quick, log }) {
  needConnector();
  const server = await startServer('http');
  const agents = {
    rxNew: new Agent({ connect: connector(), pipelining: 0 }),
    baseNew: new Agent({ pipelining: 0 }),
    rxKeep: new Agent({ connect: connector() }),
    baseKeep: new Agent(),
  };
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const rows = [];
    const variants = [
      { name: 'fetch-connector', rx: 'rxNew', base: 'baseNew', total: quick ? 300 : 600, what: 'a new connection per request (pipelining: 0)' },
      { name: 'fetch-connector-keep-alive', rx: 'rxKeep', base: 'baseKeep', total: quick ? 1000 : 3000, what: 'keep-alive' },
    ];
    for (const v of variants) {
      const cpu = { rx: [], base: [] };
      const measure = (which, agent) => async () => {
        const { rate, cpuUs } = await within(120_000, sequential(v.total, url, agents[agent]), `${v.name} ${which}`);
        cpu[which].push(cpuUs);
        return rate;
      };
      const warmup = 2;
      const r = await alternate({ reps: quick ? 5 : 9, warmup, log, rx: measure('rx', v.rx), base: measure('base', v.base) });
      const cpuOf = (which) => median(cpu[which].slice(warmup));
      log(`${v.name}: CPU per request: rxconnect's connector ${cpuOf('rx').toFixed(0)} µs, undici's ${cpuOf('base').toFixed(0)} µs, ratio ${(cpuOf('rx') / cpuOf('base')).toFixed(2)}`);
      const ratio = r.base / r.rx; // cost ratio: time per request
      rows.push({
        name: v.name,
        unit: 'requests/s',
        rxconnect: r.rx,
        baseline: r.base,
        baselineName: `undici fetch, own connector, ${v.what}`,
        ratio,
        target: 'ratio ≤ 1.05',
        met: ratio <= 1.05,
      });
    }
    const alone = await within(60_000, connectorsAlone(server.port, quick ? 300 : 1000, quick ? 4 : 8), 'connectors alone');
    log(`the connectors alone, CPU per connect and destroy: rxconnect's ${alone.rx.toFixed(0)} µs, undici's ${alone.base.toFixed(0)} µs, ratio ${(alone.rx / alone.base).toFixed(2)}`);
    return rows;
  } finally {
    await Promise.all(Object.values(agents).map((agent) => agent.destroy()));
    await server.stop();
  }
}

const rxHeAgent = () => new Agent({ connect: connector({ lookup: dualStackLookup, attemptDelay: ATTEMPT_DELAY }) });
const undiciHeAgent = () =>
  new Agent({ connect: { autoSelectFamily: true, autoSelectFamilyAttemptTimeout: ATTEMPT_DELAY, lookup: dualStackLookup } });

/** fetch's error with its cause (and an AggregateError's attempts), in one line. */
function describe(error) {
  const cause = error?.cause;
  if (cause === undefined) return `${error?.name}: ${error?.message}`;
  const each = Array.isArray(cause.errors) ? ` (${cause.errors.map((e) => `${e.address ?? ''} ${e.code}`.trim()).join(', ')})` : '';
  const message = String(cause.message ?? '').split('\n')[0];
  return `${cause.name} ${cause.code ?? ''}${each}${message === '' ? ' (empty message)' : `: ${message}`}`.replace(/\s+/g, ' ');
}

/** One GET on a fresh Agent: { ok: true, ms } (time to the response) or { ok: false, ms, error }. Destroys the Agent. */
async function firstByte(url, makeAgent, limitMs) {
  const agent = makeAgent();
  const t0 = now();
  try {
    const response = await fetch(url, { dispatcher: agent, signal: AbortSignal.timeout(limitMs) });
    const ms = now() - t0;
    const body = await response.text();
    if (response.status !== 200 || body !== 'ok') return { ok: false, ms, error: `${response.status} ${JSON.stringify(body)}` };
    return { ok: true, ms };
  } catch (error) {
    return { ok: false, ms: now() - t0, error: describe(error) };
  } finally {
    await agent.destroy();
  }
}

/** The slow ::1 opens its queue DRAIN_S after it was made; the client's SYN retry (about 1 s) then gets through. */
const DRAIN_S = 0.9;

export async function fetchHe({ quick, log }) {
  needConnector();
  const helper = await startLoopbackHelper();
  try {
    const rows = [];
    const pair = await hangingPair(helper, 'http');
    try {
      const url = `http://${HOST}:${pair.port}/`;
      const check = (o) => {
        if (!o.ok) throw new Error(`fetch-he-hanging-first: expected a response via 127.0.0.1, got ${JSON.stringify(o)}`);
        return o.ms;
      };
      const r = await alternate({
        reps: quick ? 3 : 9,
        warmup: 1,
        log,
        rx: async () => check(await firstByte(url, rxHeAgent, 5000)),
        base: async () => check(await firstByte(url, undiciHeAgent, 5000)),
      });
      rows.push({
        name: 'fetch-he-hanging-first',
        unit: 'ms',
        rxconnect: r.rx,
        baseline: r.base,
        baselineName: `undici fetch, autoSelectFamily (attempt timeout ${ATTEMPT_DELAY} ms)`,
        ratio: r.rx / r.base,
        target: `≤ ${ATTEMPT_DELAY + 30} ms (attemptDelay ${ATTEMPT_DELAY} + 30)`,
        met: r.rx <= ATTEMPT_DELAY + 30,
      });
    } finally {
      await pair.stop();
    }

    const slowOnce = async (makeAgent) => {
      const slow = await helper.slowHttp(6, 0, DRAIN_S);
      try {
        return await within(10_000, firstByte(`http://${HOST}:${slow.port}/`, makeAgent, 5000), 'fetch-he-slow-first');
      } finally {
        await slow.close();
      }
    };
    const s = await alternate({ reps: quick ? 2 : 5, warmup: quick ? 0 : 1, log, rx: () => slowOnce(rxHeAgent), base: () => slowOnce(undiciHeAgent) });
    const rxOk = s.rxAll.filter((o) => o.ok);
    const baseOk = s.baseAll.filter((o) => o.ok);
    const baseFailed = s.baseAll.filter((o) => !o.ok);
    const rxMs = rxOk.length === s.rxAll.length ? median(rxOk.map((o) => o.ms)) : null;
    const baseMs = baseOk.length > 0 ? median(baseOk.map((o) => o.ms)) : null;
    const baseNote =
      baseFailed.length === 0
        ? `answered ${baseOk.length}/${s.baseAll.length}`
        : `answered ${baseOk.length}/${s.baseAll.length}; failed with ${[...new Set(baseFailed.map((o) => o.error))].join('; ')} after ${median(baseFailed.map((o) => o.ms)).toFixed(0)} ms`;
    const rxFailed = s.rxAll.filter((o) => !o.ok);
    if (rxFailed.length > 0) log(`fetch-he-slow-first: rxconnect failed ${rxFailed.length}/${s.rxAll.length}: ${[...new Set(rxFailed.map((o) => o.error))].join('; ')}`);
    rows.push({
      name: 'fetch-he-slow-first',
      unit: 'ms',
      rxconnect: rxMs,
      baseline: baseMs,
      baselineName: `undici fetch, autoSelectFamily: ${baseNote}`,
      ratio: rxMs !== null && baseMs !== null ? rxMs / baseMs : null,
      target: 'rxconnect gets the response (via the slow ::1)',
      met: rxMs !== null,
    });
    return rows;
  } finally {
    await helper.stop();
  }
}
