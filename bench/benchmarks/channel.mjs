// channel-throughput and lines-throughput: a loopback server sends a fixed amount, the client reads it all.
//   rxconnect: connectAsync$ + connected() + channel.data$ (bytes) or channel.lines$ (lines)
//   baseline:  net.connect with 'data' events (bytes), or readline over the raw socket (lines)
// The time runs from the connect call until the stream completes; connect and close are noise at these sizes.
import net from 'node:net';
import { createInterface } from 'node:readline';
import { switchMap } from 'rxjs';
import { connectAsync$, connected } from '../lib/rxconnect.mjs';
import { startServer } from '../lib/server.mjs';
import { alternate, now, within } from '../lib/stats.mjs';

const MiB = 1024 * 1024;
const LINE_BYTES = 32; // the server's lines: 31 characters and \n

function rxRead(port, pick, count, options) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = now();
    connectAsync$('127.0.0.1', port, options)
      .pipe(
        connected(),
        switchMap((channel) => pick(channel)),
      )
      .subscribe({
        next: (item) => {
          n += count(item);
        },
        error: reject,
        complete: () => resolve({ n, ms: now() - t0 }),
      });
  });
}

function rawBytes(port) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = now();
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (chunk) => {
      n += chunk.length;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ n, ms: now() - t0 }));
  });
}

function rawLines(port) {
  return new Promise((resolve, reject) => {
    let n = 0;
    const t0 = now();
    const socket = net.connect(port, '127.0.0.1');
    const lines = createInterface({ input: socket, crlfDelay: Infinity });
    lines.on('line', () => {
      n++;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ n, ms: now() - t0 }));
  });
}

async function throughput({ name, mode, bytes, expected, rx, base, baselineName, quick, log }) {
  const server = await startServer(mode, { bytes });
  try {
    const mibPerSecond = async (read) => {
      const { n, ms } = await within(120_000, read(server.port), name);
      if (n !== expected) throw new Error(`${name}: read ${n}, expected ${expected}`);
      return bytes / MiB / (ms / 1000);
    };
    // 15 repetitions after 2 warm-ups: one repetition here swings by ±15 % (memory bandwidth is shared with the
    // server process and the machine's neighbours), and the ratio from 7 ranged from 0.90 to 1.26 between runs of
    // the same build.
    const r = await alternate({ reps: quick ? 5 : 15, warmup: 2, log, rx: () => mibPerSecond(rx), base: () => mibPerSecond(base) });
    const ratio = r.base / r.rx; // cost ratio: time per byte
    return [{ name, unit: 'MiB/s', rxconnect: r.rx, baseline: r.base, baselineName, ratio, target: 'ratio ≤ 1.10', met: ratio <= 1.1 }];
  } finally {
    await server.stop();
  }
}

export function channelThroughput({ quick, log }) {
  const bytes = (quick ? 64 : 256) * MiB;
  return throughput({
    name: 'channel-throughput',
    mode: 'blob',
    bytes,
    expected: bytes,
    rx: (port) => rxRead(port, (channel) => channel.data$, (chunk) => chunk.byteLength),
    base: rawBytes,
    baselineName: "net.Socket 'data' events",
    quick,
    log,
  });
}

export function linesThroughput({ quick, log }) {
  const bytes = (quick ? 16 : 64) * MiB;
  return throughput({
    name: 'lines-throughput',
    mode: 'lines',
    bytes,
    expected: bytes / LINE_BYTES,
    rx: (port) => rxRead(port, (channel) => channel.lines$, () => 1),
    base: rawLines,
    baselineName: 'readline over net.Socket',
    quick,
    log,
  });
}

export function crlfLinesThroughput({ quick, log }) {
  const bytes = (quick ? 16 : 64) * MiB;
  return throughput({
    name: 'lines-crlf-throughput',
    mode: 'crlf-lines',
    bytes,
    expected: bytes / LINE_BYTES,
    rx: (port) => rxRead(port, (channel) => channel.lines$, () => 1, { translation: 'crlf' }),
    base: rawLines,
    baselineName: 'readline over net.Socket',
    quick,
    log,
  });
}

// Lines longer than one read: each line arrives in four 64 KiB pieces, so a splitter that scans the unfinished
// line again for every piece does quadratic work here.
export function longCrlfLinesThroughput({ quick, log }) {
  const bytes = (quick ? 16 : 64) * MiB;
  return throughput({
    name: 'lines-crlf-long-throughput',
    mode: 'long-crlf-lines',
    bytes,
    expected: bytes / (4 * 64 * 1024),
    rx: (port) => rxRead(port, (channel) => channel.lines$, () => 1, { translation: 'crlf', maxLineLength: Infinity }),
    base: rawLines,
    baselineName: 'readline over net.Socket',
    quick,
    log,
  });
}
