import type { SchedulerLike } from 'rxjs';
import type { SocketSink, VirtualSocket } from './VirtualSocket.js';

/** Connects two virtual sockets: what one writes, the other receives; EOF, resets and TLS handshakes cross over too. */
export function pairSockets(scheduler: SchedulerLike, a: VirtualSocket, b: VirtualSocket): void {
  a.sink = sinkTo(scheduler, a, b);
  b.sink = sinkTo(scheduler, b, a);
  // A handshake on either end is answered by the other's.
  a.tlsFarEnd = { kind: 'pair', socket: b };
  b.tlsFarEnd = { kind: 'pair', socket: a };
}

/** From one end to the other. Writing to an end that has closed gets a reset back, as on Linux (EPIPE). */
function sinkTo(scheduler: SchedulerLike, from: VirtualSocket, to: VirtualSocket): SocketSink {
  return {
    data: (c) => {
      if (to.isClosed) scheduler.schedule(() => from.receiveReset('EPIPE'));
      else to.receive(c);
    },
    end: () => to.receiveEnd(),
    reset: () => to.receiveReset(),
  };
}
