// The baseline of scan-rate: a minimal net.connect loop over the targets of a 127.x block and a port range,
// `concurrency` connects at once, each socket destroyed at its first 'connect' or 'error'.
//   node scan-baseline-child.mjs <first address, a.b.c.d> <hosts> <ports> <concurrency> [bare]
// `bare` opens each socket with `new net.Socket()` and `socket.connect(port, host)` instead of `net.connect(port,
// host)`: net.connect hands its arguments to the Socket constructor as an options object, which on Node 20 costs
// several microseconds per socket (bench/README.md, scan results, fourth measurement).
import net from 'node:net';

const [first, hostsArg, portsArg, concurrencyArg, variant] = process.argv.slice(2);
const bare = variant === 'bare';
const base = first.split('.').reduce((n, p) => n * 256 + Number(p), 0);
const hosts = Number(hostsArg);
const ports = Number(portsArg);
const total = hosts * ports;
const dotted = (n) => `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
let started = 0;
let done = 0;
let open = 0;
const next = () => {
  if (started >= total) return;
  const k = started++;
  const port = 1 + (k % ports);
  const host = dotted(base + Math.floor(k / ports));
  const socket = bare ? new net.Socket().connect(port, host) : net.connect(port, host);
  const finish = (connected) => {
    socket.destroy();
    if (connected) open++;
    if (++done === total) process.stdout.write(`${done} done, ${open} open\n`);
    else next();
  };
  socket.once('connect', () => finish(true));
  socket.once('error', () => finish(false));
};
for (let i = 0; i < Number(concurrencyArg); i++) next();
