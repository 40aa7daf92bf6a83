import { Subject } from 'rxjs';
import type { BehaviorSubject, Observable } from 'rxjs';
import type { SocketAddress, SocketName, SocketSnapshot } from '../core/socket.js';
import type { CloseSignal } from './CloseSignal.js';
import type { Inbound } from './Inbound.js';
import type { LineStream } from './LineStream.js';

/**
 * Where a channel is: open, after the peer's EOF (still writable if half-open), or closed. A failure is kept
 * apart (`Channel.failure`): it comes before the close.
 */
export type ChannelPhase = 'open' | 'peerEnded' | 'closed';

/**
 * The parts of a channel that only some channels need, each made on first use. They hang off this one object,
 * itself made on first use, so that an idle channel pays one field for all of them: there is one channel per
 * connection.
 */
export class ChannelParts {
  inbound: Inbound | undefined;
  closeSignal: CloseSignal | undefined;
  /** Read when first asked for if the socket keeps them (NAMES_KEPT), else when the channel is made. */
  sockname: SocketName | undefined;
  peername: SocketName | undefined;
  lines: LineStream | undefined;
  drains: Subject<void> | undefined;
  drain$: Observable<void> | undefined;
  snapshot: BehaviorSubject<SocketSnapshot> | undefined;

  /** The channel's `drain$`, made on first use; complete at once when the channel has closed. */
  drainStream(closed: boolean): Observable<void> {
    if (this.drain$ === undefined) {
      const drains = new Subject<void>();
      if (closed) drains.complete();
      this.drains = drains;
      this.drain$ = drains.asObservable();
    }
    return this.drain$;
  }
}

/** A channel's name of an endpoint; `host` is the numeric address: rxconnect does no reverse lookups. */
export function socketName(address: SocketAddress | undefined): SocketName {
  return address === undefined ? { address: '', host: '', port: 0 } : { address: address.address, host: address.address, port: address.port };
}
