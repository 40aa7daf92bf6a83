// he-hanging-first and he-slow-first: a name with two addresses, ::1 first, against Node's autoSelectFamily.
// Both get the same lookup function and the same delay between attempts (250 ms, both libraries' default).
import net from 'node:net';
import { connectAsync$ } from '../lib/rxconnect.mjs';
import { startLoopbackHelper } from '../lib/loopback.mjs';
import { startServer } from '../lib/server.mjs';
import { alternate, median, now, within } from '../lib/stats.mjs';

export const ATTEMPT_DELAY = 250;
export const HOST = 'dual.test';

/** A dns.lookup-compatible function: ::1 then 127.0.0.1, honouring `family`, answering on the next tick. */
export function dualStackLookup(_host, options, callback) {
  const family = options?.family ?? 0;
  const all = [
    { address: '::1', family: 6 },
    { address: '127.0.0.1', family: 4 },
  ].filter((a) => family === 0 || a.family === family);
  process.nextTick(callback, null, all);
}

/**
 * One rxconnect connect: resolves with { connected, ms, via } or { connected: false, code, ms }. Closes what it
 * opened. `extra`: more connect options (he-repeat's `history`).
 */
export function rxOnce(port, limitMs, extra = {}) {
  return new Promise((resolve) => {
    const t0 = now();
    let outcome;
    let timer;
    const subscription = connectAsync$(HOST, port, { lookup: dualStackLookup, attemptDelay: ATTEMPT_DELAY, ...extra }).subscribe({
      next: (event) => {
        if (event.type === 'connected') {
          outcome = { connected: true, ms: now() - t0, via: event.address.address };
          event.channel.close().catch(() => undefined);
        } else if (event.type === 'failed') {
          outcome = { connected: false, ms: now() - t0, code: event.error.code };
        }
      },
      complete: () => {
        clearTimeout(timer);
        resolve(outcome);
      },
    });
    timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve({ connected: false, ms: now() - t0, code: `no outcome within ${limitMs} ms` });
    }, limitMs);
  });
}

/** One net.connect with autoSelectFamily; same shape of result. */
export function nodeOnce(port, limitMs) {
  return new Promise((resolve) => {
    const t0 = now();
    let outcome;
    const socket = net.connect({
      host: HOST,
      port,
      lookup: dualStackLookup,
      autoSelectFamily: true,
      autoSelectFamilyAttemptTimeout: ATTEMPT_DELAY,
    });
    const timer = setTimeout(() => {
      outcome ??= { connected: false, ms: now() - t0, code: `no outcome within ${limitMs} ms` };
      socket.destroy();
    }, limitMs);
    socket.on('connect', () => {
      outcome = { connected: true, ms: now() - t0, via: socket.remoteAddress };
      socket.end();
    });
    socket.on('finish', () => socket.destroy());
    socket.on('error', (error) => {
      // Node's AggregateError carries the first attempt's code; list every attempt's.
      const each = Array.isArray(error.errors) ? ` (${error.errors.map((e) => `${e.address} ${e.code}`).join(', ')})` : '';
      outcome ??= { connected: false, ms: now() - t0, code: `${error.name} ${error.code}${each}` };
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(outcome);
    });
  });
}

/** A listening 127.0.0.1:P (a startServer `mode` server) and a hanging ::1:P. */
export async function hangingPair(helper, mode = 'sink') {
  for (let tries = 0; tries < 10; tries++) {
    const server = await startServer(mode, { host: '127.0.0.1' });
    try {
      const hole = await helper.hang(6, server.port);
      return {
        port: server.port,
        async stop() {
          await hole.close();
          await server.stop();
        },
      };
    } catch {
      await server.stop(); // ::1:P was taken: try another port
    }
  }
  throw new Error('no port free on ::1 for the hanging listener');
}

export async function hangingFirst({ quick, log }) {
  const helper = await startLoopbackHelper();
  try {
    const pair = await hangingPair(helper);
    try {
      const check = (o) => {
        if (!o.connected || o.via !== '127.0.0.1') throw new Error(`expected a connect via 127.0.0.1, got ${JSON.stringify(o)}`);
        return o.ms;
      };
      const r = await alternate({
        reps: quick ? 3 : 9,
        warmup: 1,
        log,
        rx: async () => check(await rxOnce(pair.port, 5000)),
        base: async () => check(await nodeOnce(pair.port, 5000)),
      });
      const ratio = r.rx / r.base;
      return [
        {
          name: 'he-hanging-first',
          unit: 'ms',
          rxconnect: r.rx,
          baseline: r.base,
          baselineName: `net.connect autoSelectFamily (attempt timeout ${ATTEMPT_DELAY} ms)`,
          ratio,
          target: `≤ ${ATTEMPT_DELAY + 30} ms (attemptDelay ${ATTEMPT_DELAY} + 30) and ratio ≤ 1.05`,
          met: r.rx <= ATTEMPT_DELAY + 30 && ratio <= 1.05,
        },
      ];
    } finally {
      await pair.stop();
    }
  } finally {
    await helper.stop();
  }
}

// The first address (::1) is slow: its listener's queue is full until the helper drains it DRAIN_S after it was
// made, and the client's SYN retry (about 1 s after the first SYN) then gets through. 127.0.0.1 on the same port
// refuses. rxconnect keeps the slow attempt running; Node aborts it when its attempt timer fires.
const DRAIN_S = 0.9;

export async function slowFirst({ quick, log }) {
  const helper = await startLoopbackHelper();
  try {
    const once = async (connect) => {
      const slow = await helper.slow(6, 0, DRAIN_S);
      try {
        return await within(10_000, connect(slow.port, 5000), 'he-slow-first connect');
      } finally {
        await slow.close();
      }
    };
    const r = await alternate({ reps: quick ? 2 : 5, warmup: quick ? 0 : 1, log, rx: () => once(rxOnce), base: () => once(nodeOnce) });
    const rxConnected = r.rxAll.filter((o) => o.connected);
    const nodeConnected = r.baseAll.filter((o) => o.connected);
    const rxMs = rxConnected.length > 0 ? median(rxConnected.map((o) => o.ms)) : null;
    const nodeMs = nodeConnected.length > 0 ? median(nodeConnected.map((o) => o.ms)) : null;
    const nodeFailures = r.baseAll.filter((o) => !o.connected);
    const nodeNote =
      nodeFailures.length === 0
        ? `connected ${nodeConnected.length}/${r.baseAll.length}`
        : `connected ${nodeConnected.length}/${r.baseAll.length}; failed with ${[...new Set(nodeFailures.map((o) => o.code))].join(', ')} after ${median(nodeFailures.map((o) => o.ms)).toFixed(0)} ms`;
    return [
      {
        name: 'he-slow-first',
        unit: 'ms',
        rxconnect: rxConnected.length === r.rxAll.length ? rxMs : null,
        baseline: nodeMs,
        baselineName: `net.connect autoSelectFamily: ${nodeNote}`,
        ratio: rxMs !== null && nodeMs !== null ? rxMs / nodeMs : null,
        target: 'rxconnect connects (via the slow ::1)',
        met: rxConnected.length === r.rxAll.length && rxConnected.every((o) => o.via === '::1'),
      },
    ];
  } finally {
    await helper.stop();
  }
}
