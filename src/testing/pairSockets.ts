import type { SchedulerLike } from 'rxjs';
import type { SocketSink, VirtualSocket } from './VirtualSocket.js';

/** Connects two virtual sockets: what one writes, the other receives; EOF and resets cross over too. */
export function pairSockets(scheduler: SchedulerLike, a: VirtualSocket, b: VirtualSocket): void {
  a.sink = sinkTo(scheduler, a, b);
  b.sink = sinkTo(scheduler, b, a);
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
