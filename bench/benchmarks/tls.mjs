// tls-connect and tls-throughput: rxconnect with `tls` against Node's tls.connect, both to the same loopback TLS
// server (Node's tls.Server in another process), with the same certificates: a CA and a leaf for 127.0.0.1 made at
// run time by scripts/testCertificates.mjs. No side offers a session to resume, so every connect is a full
// handshake (TLS 1.3, Node's defaults on both ends).
//   tls-connect: connect, finish the handshake, close, and only then start the next connect.
//     rxconnect: connectAsync$('127.0.0.1', port, { tls: { ca } }).pipe(connected()), then await channel.close()
//     baseline:  tls.connect({ host, port, ca }), on 'secureConnect' end() and read to the peer's EOF, next on 'close'
//                (the lingering close that channel.close() does). tls.connect given `ca` makes a SecureContext per
//                call; rxconnect keeps one per set of material. Two more variants give tls.connect one shared
//                `secureContext`: on its own socket, and over a socket connected first (rxconnect's order).
//   tls-throughput: write 64 MiB through the TLS connection to an echo server and read all of it back.
import net from 'node:net';
import tls from 'node:tls';
import { Observable, switchMap } from 'rxjs';
import { testCertificates } from '../../scripts/testCertificates.mjs';
import { connectAsync$, connected } from '../lib/rxconnect.mjs';
import { startServer } from '../lib/server.mjs';
import { alternate, median, now, once, rotate, within } from '../lib/stats.mjs';

const MiB = 1024 * 1024;
const HOST = '127.0.0.1';

/** One rxconnect TLS connect: handshake, then close(); `done` once the channel has closed (or with an error). */
function rxTlsConnect(port, options, done) {
  const finish = once(done);
  connectAsync$(HOST, port, options)
    .pipe(connected())
    .subscribe({
      next: (channel) => {
        channel.close().then(() => finish(), finish);
      },
      error: finish,
    });
}

/** The same with tls.connect: end() once secure, read the peer's bytes away, `done` on 'close'. */
function rawTlsConnect(port, options, done) {
  const finish = once(done);
  const socket = tls.connect(options.socket === undefined ? { host: HOST, port, ...options } : options);
  socket.on('secureConnect', () => {
    socket.end();
    socket.resume();
  });
  socket.on('error', finish);
  socket.on('close', () => {
    if (!socket.authorized) finish(new Error(`not authorized: ${socket.authorizationError}`));
    // Full handshakes only, as on rxconnect's side: a SecureContext keeps no client sessions of its own.
    else if (socket.isSessionReused()) finish(new Error('tls.connect resumed a session'));
    else finish();
  });
}

/**
 * The shared-context baseline in rxconnect's order: TCP first, then tls.connect({ socket }) over the connected
 * socket, as rxconnect starts its handshake on the socket that won the race.
 */
function rawTlsOverSocket(port, secureContext, done) {
  const finish = once(done);
  const raw = net.connect(port, HOST);
  raw.on('error', finish);
  raw.on('connect', () => {
    raw.off('error', finish);
    rawTlsConnect(port, { socket: raw, secureContext }, finish);
  });
}

/** `total` sequential connects; connects per second (wall clock) and this process's CPU µs per connect. */
function sequential(total, connect) {
  const run = new Promise((resolve, reject) => {
    let finished = 0;
    const t0 = now();
    const cpu0 = process.cpuUsage();
    const onDone = (error) => {
      if (error) {
        reject(error);
        return;
      }
      finished++;
      if (finished < total) connect(onDone);
      else {
        const cpu = process.cpuUsage(cpu0);
        resolve({ rate: (total * 1000) / (now() - t0), cpuUs: (cpu.user + cpu.system) / total });
      }
    };
    connect(onDone);
  });
  return within(120_000, run, `${total} TLS connects`);
}

export async function tlsConnect({ quick, log }) {
  const certs = testCertificates();
  const server = await startServer('sink', { tls: certs.server });
  try {
    const { port } = server;
    const rxOptions = { tls: { ca: certs.ca } };
    const sharedContext = tls.createSecureContext({ ca: certs.ca });
    const total = quick ? 60 : 120;
    const cpu = { rx: [], base: [], shared: [], overSocket: [] };
    const measure = (which, connect) => async () => {
      const { rate, cpuUs } = await sequential(total, connect);
      cpu[which].push(cpuUs);
      return rate;
    };
    const warmup = 2;
    const r = await rotate({
      reps: quick ? 5 : 9,
      warmup,
      log,
      variants: {
        rx: measure('rx', (done) => rxTlsConnect(port, rxOptions, done)),
        base: measure('base', (done) => rawTlsConnect(port, { ca: certs.ca }, done)),
        shared: measure('shared', (done) => rawTlsConnect(port, { secureContext: sharedContext }, done)),
        overSocket: measure('overSocket', (done) => rawTlsOverSocket(port, sharedContext, done)),
      },
    });
    const cpuOf = (which) => median(cpu[which].slice(warmup));
    log(`CPU per connect: rxconnect ${cpuOf('rx').toFixed(0)} µs, tls.connect with ca ${cpuOf('base').toFixed(0)} µs, with a shared secureContext ${cpuOf('shared').toFixed(0)} µs, the same over a connected socket ${cpuOf('overSocket').toFixed(0)} µs`);
    log(`connects/s of tls.connect({ socket, secureContext }) over a connected socket: ${r.overSocket.median.toFixed(0)}, rxconnect's ratio to it ${(r.overSocket.median / r.rx.median).toFixed(2)}`);
    const row = (name, baseline, baselineName) => {
      const ratio = baseline / r.rx.median; // cost ratio: time per connect, rxconnect over baseline
      return { name, unit: 'connects/s', rxconnect: r.rx.median, baseline, baselineName, ratio, target: 'ratio ≤ 1.05', met: ratio <= 1.05 };
    };
    return [
      row('tls-connect', r.base.median, 'tls.connect({ ca })'),
      row('tls-connect-shared-context', r.shared.median, 'tls.connect({ secureContext })'),
    ];
  } finally {
    await server.stop();
  }
}

/**
 * Writes `total` bytes in 64 KiB pieces, waiting for drain when the queue is full, then half-closes.
 * `write(chunk)` returns false when full; `onDrain(pump)` calls `pump` on the next drain.
 */
function pumpAll(total, chunk, write, end) {
  let sent = 0;
  return () => {
    while (sent < total) {
      sent += chunk.length;
      if (!write(chunk)) return;
    }
    if (sent === total) {
      sent++;
      end();
    }
  };
}

function rxEcho(port, options, total, chunk) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = now();
    connectAsync$(HOST, port, options)
      .pipe(
        connected(),
        switchMap(
          (channel) =>
            new Observable((subscriber) => {
              const reading = channel.data$.subscribe(subscriber);
              const pump = pumpAll(total, chunk, (piece) => channel.write(piece), () => channel.end());
              const drains = channel.drain$.subscribe(pump);
              pump();
              return () => {
                reading.unsubscribe();
                drains.unsubscribe();
              };
            }),
        ),
      )
      .subscribe({
        next: (bytes) => {
          n += bytes.byteLength;
        },
        error: reject,
        complete: () => resolve({ n, ms: now() - t0 }),
      });
  });
}

function rawEcho(port, options, total, chunk) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = now();
    const socket = tls.connect({ host: HOST, port, ...options });
    const pump = pumpAll(total, chunk, (piece) => socket.write(piece), () => socket.end());
    socket.on('secureConnect', pump);
    socket.on('drain', pump);
    socket.on('data', (bytes) => {
      n += bytes.length;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ n, ms: now() - t0 }));
  });
}

export async function tlsThroughput({ quick, log }) {
  const certs = testCertificates();
  const server = await startServer('echo', { tls: certs.server });
  try {
    const total = (quick ? 16 : 64) * MiB;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const cpu = { rx: [], base: [] };
    const mibPerSecond = async (which, echo) => {
      const cpu0 = process.cpuUsage();
      const { n, ms } = await within(120_000, echo(server.port, total, chunk), 'tls-throughput');
      if (n !== total) throw new Error(`tls-throughput: read back ${n} bytes, expected ${total}`);
      const used = process.cpuUsage(cpu0);
      cpu[which].push((used.user + used.system) / 1000 / (total / MiB));
      return total / MiB / (ms / 1000);
    };
    const warmup = 2;
    const r = await alternate({
      reps: quick ? 5 : 11,
      warmup,
      log,
      rx: () => mibPerSecond('rx', (port) => rxEcho(port, { tls: { ca: certs.ca } }, total, chunk)),
      base: () => mibPerSecond('base', (port) => rawEcho(port, { ca: certs.ca }, total, chunk)),
    });
    const cpuOf = (which) => median(cpu[which].slice(warmup));
    log(`CPU per MiB echoed: rxconnect ${cpuOf('rx').toFixed(2)} ms, TLSSocket ${cpuOf('base').toFixed(2)} ms, ratio ${(cpuOf('rx') / cpuOf('base')).toFixed(2)}`);
    const ratio = r.base / r.rx; // cost ratio: time per byte
    return [{ name: 'tls-throughput', unit: 'MiB/s', rxconnect: r.rx, baseline: r.base, baselineName: 'tls.TLSSocket, echoed', ratio, target: 'ratio ≤ 1.05', met: ratio <= 1.05 }];
  } finally {
    await server.stop();
  }
}
