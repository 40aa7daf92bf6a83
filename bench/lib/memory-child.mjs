// One variant of memory-per-connection, alone in a fresh process (run with --expose-gc):
//   node --expose-gc memory-child.mjs <rx|raw> <port> <count>
// Opens a few connections and closes them (so lazily loaded code and JIT state are not counted), measures,
// opens <count> idle connections (200 in flight), measures again after full GCs, closes everything, and sends
// the growth per connection to the parent.
import net from 'node:net';
import { connectAsync$, connected } from './rxconnect.mjs';

const [variant, portArg, countArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(countArg);
const IN_FLIGHT = 200;

function openRx(done) {
  let channel;
  const subscription = connectAsync$('127.0.0.1', port)
    .pipe(connected())
    .subscribe({
      next: (c) => {
        channel = c;
        done(null);
      },
      error: done,
    });
  return { close: () => subscription.unsubscribe(), alive: () => channel !== undefined && !channel.closed };
}

function openRaw(done) {
  const socket = net.connect(port, '127.0.0.1');
  socket.once('connect', () => done(null));
  socket.once('error', done);
  return { close: () => socket.destroy(), alive: () => !socket.destroyed };
}

const open = variant === 'rx' ? openRx : openRaw;

function openMany(n) {
  return new Promise((resolve, reject) => {
    const held = [];
    let started = 0;
    let connectedCount = 0;
    const next = () => {
      if (started >= n) return;
      started++;
      held.push(
        open((error) => {
          if (error) return reject(error);
          connectedCount++;
          if (connectedCount === n) resolve(held);
          else next();
        }),
      );
    };
    for (let i = 0; i < Math.min(IN_FLIGHT, n); i++) next();
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function settle() {
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    globalThis.gc();
  }
}

process.on('disconnect', () => process.exit(1));
const limit = setTimeout(() => {
  process.send({ error: 'memory child: no result within 60 s' });
  process.exit(1);
}, 60_000);

const warm = await openMany(100);
for (const c of warm) c.close();
await settle();
const before = process.memoryUsage();
const held = await openMany(count);
await settle();
const after = process.memoryUsage();
const alive = held.filter((c) => c.alive()).length;
for (const c of held) c.close();
clearTimeout(limit);
process.removeAllListeners('disconnect');
process.send({
  heap: (after.heapUsed - before.heapUsed) / count,
  external: (after.external - before.external) / count,
  rss: (after.rss - before.rss) / count,
  alive,
});
process.disconnect();
