// virtual-connects: connects per second through rxconnect/testing's virtual network on a VirtualTimeScheduler.
// No IO: this is the cost of the connect state machine, the Channel and the virtual transport. Each connect is a
// dual-stack name (two lookups, ::1 and 127.0.0.1, both accepting after 5 ms of virtual time), connected, then
// closed; the scheduler is flushed after each one. There is no baseline.
import { VirtualTimeScheduler } from 'rxjs';
import { connectAfter, connectAsync$, createVirtualNetwork } from '../lib/rxconnect.mjs';
import { now, repeat } from '../lib/stats.mjs';

const HOSTS = { 'dual.test': { addresses: { '::1': connectAfter(5), '127.0.0.1': connectAfter(5) } } };
const PER_NETWORK = 500; // a network records every socket; start a fresh one now and then

function run(total) {
  let completed = 0;
  let connectedCount = 0;
  const t0 = now();
  for (let done = 0; done < total; ) {
    const scheduler = new VirtualTimeScheduler();
    const network = createVirtualNetwork(scheduler, HOSTS);
    const options = { transport: network.transport, scheduler };
    for (let i = 0; i < PER_NETWORK && done < total; i++, done++) {
      connectAsync$('dual.test', 80, options).subscribe({
        next: (event) => {
          if (event.type === 'connected') {
            connectedCount++;
            event.channel.close();
          }
        },
        complete: () => completed++,
      });
      scheduler.flush();
    }
    if (network.openSockets().length !== 0) throw new Error('virtual-connects: sockets left open');
  }
  const ms = now() - t0;
  if (completed !== total || connectedCount !== total) throw new Error(`virtual-connects: ${connectedCount} connected, ${completed} completed of ${total}`);
  return (total * 1000) / ms;
}

export async function virtualConnects({ quick, log }) {
  // The JIT needs some tens of thousands of connects to settle: the warm-up runs are as long as the measured ones.
  const total = quick ? 10_000 : 20_000;
  const r = await repeat({ reps: quick ? 3 : 7, warmup: 3, log, run: () => run(total) });
  return [
    {
      name: 'virtual-connects',
      unit: 'connects/s',
      rxconnect: r.median,
      baseline: null,
      baselineName: '— (no IO, no baseline)',
      ratio: null,
      target: '≥ 50000 connects/s',
      met: r.median >= 50_000,
    },
  ];
}
