#!/usr/bin/env node
// Soak: a bounded run of connect / write / read / close churn with random cancellations against a local listen$
// echo server on 127.0.0.1. Reports throughput and heap (after a full GC) over time. Fails (exit 1) if the heap
// after the warm-up grows by more than 10%, if any socket or server handle is left open, if any echo comes back
// wrong, or if the process sees an uncaught exception, an unhandled rejection or an unhandled 'error' event.
//
//   npm run soak                          60 s
//   npm run soak -- --seconds 300         longer
//   options: --seconds N  --in-flight N (default 100)  --warmup N (s, default min(10, seconds/4))
//            --report N (s between reports, default seconds/12, at least 1)  --max-growth P (%, default 10)
//
// The library is compiled from the current src/ by scripts/build-cached.mjs (into node_modules/.cache, not dist/).
// Heap is measured with nothing in flight: at the end of the warm-up the churn pauses, every connection finishes,
// and a full GC runs; the same at the end. Between the two, each report's heap is taken mid-churn (also after GC).

import { Server, Socket } from 'node:net';
import { join } from 'node:path';
import v8 from 'node:v8';
import { pathToFileURL } from 'node:url';
import { buildCached } from '../scripts/build-cached.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: --${name} needs a positive number`);
    process.exit(2);
  }
  return value;
}

const SECONDS = option('seconds', 60);
const IN_FLIGHT = Math.floor(option('in-flight', 100));
const WARMUP = option('warmup', Math.min(10, SECONDS / 4));
const REPORT = option('report', Math.max(1, SECONDS / 12));
const MAX_GROWTH = option('max-growth', 10);

if (typeof globalThis.gc !== 'function') {
  console.error('soak: run with --expose-gc (npm run soak does)');
  process.exit(2);
}

const problems = [];
process.on('uncaughtException', (e) => problems.push(`uncaught exception: ${e?.code ?? ''} ${e?.stack ?? e}`));
process.on('unhandledRejection', (e) => problems.push(`unhandled rejection: ${e?.code ?? ''} ${e?.stack ?? e}`));
for (const [Class, what] of [[Socket, 'net.Socket'], [Server, 'net.Server']]) {
  const emit = Class.prototype.emit;
  Class.prototype.emit = function (event, ...args) {
    if (event === 'error' && this.listenerCount('error') === 0) problems.push(`unhandled 'error' event on a ${what}: ${args[0]?.code}`);
    return emit.call(this, event, ...args);
  };
}

// Anything that breaks the soak itself is a failure too (the handlers above must not swallow it).
try {
  const lib = await buildCached();
  const rx = await import(pathToFileURL(join(lib, 'index.js')).href);
  const { connectAsync$, connected, connectTimeout, createSnapshot, flushOnConnect, listen$, snapshot } = rx;
  const { Subject, finalize, firstValueFrom, mergeMap, of, switchMap, take, tap, toArray } = await import('rxjs');

  const MiB = 2 ** 20;
  const heapAfterGc = () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const spaces = () => Object.fromEntries(v8.getHeapSpaceStatistics().map((x) => [x.space_name, Math.round(x.space_used_size / 1024)]));
  const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const random = (n) => Math.floor(Math.random() * n);

  // The echo server.
  const port$ = new Subject();
  const server = listen$(0, { myaddr: '127.0.0.1', backlog: 1024 })
    .pipe(
      mergeMap((event) => {
        if (event.type === 'listening') {
          port$.next(event.socknames[0].port);
          return [];
        }
        const { channel } = event;
        return channel.data$.pipe(
          tap((bytes) => {
            try {
              channel.write(bytes);
            } catch {
              // The client reset meanwhile: its channel is closing.
            }
          }),
          finalize(() => void channel.close().catch(() => undefined)),
        );
      }),
    )
    .subscribe({ error: (e) => problems.push(`echo server failed: ${e.message}`) });
  const port = await firstValueFrom(port$);

  // A port nobody listens on, for failing connects.
  const refused = await new Promise((resolve) => {
    const probe = new Server();
    probe.listen(0, '127.0.0.1', () => {
      const p = probe.address().port;
      probe.close(() => resolve(p));
    });
  });

  const counts = { echoed: 0, cancelledConnecting: 0, cancelledMidway: 0, flushed: 0, failed: 0 };
  let mismatches = 0;
  const lineOf = (n) => `${n} ${Math.random().toString(36).slice(2)}${'.'.repeat(random(200))}`;

  /** One round of churn; resolves when it is over (completed, failed, or cancelled). */
  function churn() {
    const kind = random(100);
    return new Promise((resolve) => {
      let sub;
      const done = (what) => {
        if (what !== undefined) counts[what]++;
        queueMicrotask(() => sub?.unsubscribe());
        resolve();
      };
      if (kind < 55) {
        // Connect, write 1-5 lines, read them back, close.
        const lines = Array.from({ length: 1 + random(5) }, (_, i) => lineOf(i));
        sub = connectAsync$('127.0.0.1', port)
          .pipe(
            connected(),
            switchMap((channel) => {
              for (const l of lines) channel.writeLine(l);
              return channel.lines$.pipe(take(lines.length), toArray());
            }),
          )
          .subscribe({
            next: (answer) => {
              if (answer.join('\n') !== lines.join('\n')) mismatches++;
              done('echoed');
            },
            error: (e) => {
              problems.push(`echo round failed: ${e.code} ${e.message}`);
              done();
            },
          });
      } else if (kind < 70) {
        // Cancel while connecting: at once, or after a moment.
        sub = connectAsync$('127.0.0.1', port).pipe(snapshot(createSnapshot())).subscribe({ error: (e) => problems.push(e.message) });
        if (random(2) === 0) done('cancelledConnecting');
        else setTimeout(() => done('cancelledConnecting'), random(3));
      } else if (kind < 85) {
        // Cancel mid-exchange: unsubscribe after writing, before (or while) the echo comes back.
        sub = connectAsync$('127.0.0.1', port)
          .pipe(connected())
          .subscribe({
            next: (channel) => {
              channel.writeLine(lineOf(0));
              channel.data$.subscribe({ error: () => undefined });
              setTimeout(() => done('cancelledMidway'), random(3));
            },
            error: (e) => {
              problems.push(`mid-exchange round failed: ${e.code} ${e.message}`);
              done();
            },
          });
      } else if (kind < 95) {
        // Values queued while connecting, flushed on connect, echoed back.
        const lines = Array.from({ length: 1 + random(4) }, (_, i) => lineOf(i));
        sub = connectAsync$('127.0.0.1', port)
          .pipe(
            connectTimeout(5000),
            flushOnConnect(of(...lines.map((l) => `${l}\r\n`))),
            switchMap((event) => (event.type === 'connected' ? event.channel.lines$.pipe(take(lines.length), toArray()) : [])),
          )
          .subscribe({
            next: (answer) => {
              if (answer.join('\n') !== lines.join('\n')) mismatches++;
              done('flushed');
            },
            error: (e) => {
              problems.push(`flush round failed: ${e.code} ${e.message}`);
              done();
            },
            complete: () => done(),
          });
      } else {
        // A refused port: failed, typed.
        sub = connectAsync$('127.0.0.1', refused).subscribe({
          next: (event) => {
            if (event.type === 'failed') {
              if (event.error.code !== 'ECONNREFUSED') problems.push(`refused port gave ${event.error.code}`);
              done('failed');
            }
          },
          error: (e) => problems.push(e.message),
        });
      }
    });
  }

  let running = true;
  let paused = false;
  let active = 0;
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
  async function worker() {
    while (running) {
      if (paused) {
        await sleep(10);
        continue;
      }
      active++;
      await churn();
      active--;
      // Now and then, let the event loop breathe.
      if (random(20) === 0) await sleep(0);
    }
  }
  const drained = async () => {
    while (active > 0) await sleep(5);
    await sleep(100); // server-side closes finish
  };

  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const workers = Array.from({ length: IN_FLIGHT }, () => worker());
  console.log(`soak: ${SECONDS} s, ${IN_FLIGHT} in flight, warm-up ${WARMUP} s, echo server on 127.0.0.1:${port}`);
  console.log('    t(s)   rounds  rounds/s   heap(MiB)   rss(MiB)  tcp handles');

  let last = { t: 0, n: 0 };
  const report = (heap) => {
    const t = elapsed();
    const n = total();
    const rate = (n - last.n) / Math.max(0.001, t - last.t);
    last = { t, n };
    console.log(
      `${t.toFixed(1).padStart(8)} ${String(n).padStart(8)} ${rate.toFixed(0).padStart(9)} ${(heap / MiB).toFixed(2).padStart(11)} ${(process.memoryUsage().rss / MiB).toFixed(0).padStart(10)} ${String(tcpHandles()).padStart(12)}`,
    );
  };

  // Warm-up, then a quiet baseline.
  while (elapsed() < WARMUP) {
    await sleep(Math.min(REPORT, WARMUP) * 1000);
    report(heapAfterGc());
  }
  paused = true;
  await drained();
  const baseline = heapAfterGc();
  const spacesAtBaseline = spaces();
  console.log(`  baseline after warm-up (nothing in flight): heap ${(baseline / MiB).toFixed(2)} MiB`);
  paused = false;
  const measuredFrom = { t: elapsed(), n: total() };

  while (elapsed() < SECONDS) {
    await sleep(Math.min(REPORT, Math.max(0.05, SECONDS - elapsed())) * 1000);
    report(heapAfterGc());
  }

  running = false;
  await Promise.all(workers);
  await drained();
  const final = heapAfterGc();
  const rounds = total() - measuredFrom.n;
  const seconds = elapsed() - measuredFrom.t;
  server.unsubscribe();
  let handles = tcpHandles();
  for (let i = 0; i < 200 && handles > 0; i++) {
    await sleep(10);
    handles = tcpHandles();
  }
  await sleep(20);

  const growth = ((final - baseline) / baseline) * 100;
  const spacesAtEnd = spaces();
  console.log(`  final (nothing in flight): heap ${(final / MiB).toFixed(2)} MiB, growth ${growth.toFixed(1)}% (limit ${MAX_GROWTH}%)`);
  // Where it grew: objects (old space) or compiled code (code space grows as V8 optimizes more paths).
  console.log(
    `  by space (KiB, baseline → end): ${Object.keys(spacesAtEnd)
      .filter((k) => spacesAtEnd[k] + (spacesAtBaseline[k] ?? 0) > 0)
      .map((k) => `${k} ${spacesAtBaseline[k] ?? 0} → ${spacesAtEnd[k]}`)
      .join(', ')}`,
  );
  console.log(
    `  after warm-up: ${rounds} rounds in ${seconds.toFixed(1)} s = ${(rounds / seconds).toFixed(0)} rounds/s; ` +
      `all: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`,
  );
  console.log(`  TCP handles left: ${handles}; echo mismatches: ${mismatches}; problems: ${problems.length}`);

  const failures = [];
  if (growth > MAX_GROWTH) failures.push(`heap grew ${growth.toFixed(1)}% after warm-up`);
  if (handles > 0) failures.push(`${handles} TCP handles left open`);
  if (mismatches > 0) failures.push(`${mismatches} echoes came back wrong`);
  if (rounds === 0) failures.push('no round completed');
  for (const p of problems.slice(0, 20)) failures.push(p);
  if (failures.length > 0) {
    console.error(`soak: FAILED\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log('soak: OK');
} catch (error) {
  console.error(`soak: FAILED\n  ${error?.stack ?? error}`);
  process.exit(1);
}
