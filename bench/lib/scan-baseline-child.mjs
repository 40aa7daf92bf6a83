// The baseline of scan-rate: a minimal net.connect loop over the targets of a 127.x block and a port range,
// `concurrency` connects at once, each socket destroyed at its first 'connect' or 'error'.
//   node scan-baseline-child.mjs <first address, a.b.c.d> <hosts> <ports> <concurrency>
import net from 'node:net';

const [first, hostsArg, portsArg, concurrencyArg] = process.argv.slice(2);
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
  const socket = net.connect(1 + (k % ports), dotted(base + Math.floor(k / ports)));
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
