import type { ServerEvents, TransportServer } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';

/** A virtual listener: it accepts the dials that reach its address until closed. */
export class VirtualServer implements TransportServer {
  readonly address: SocketAddress;
  readonly events: ServerEvents;
  readonly allowHalfOpen: boolean;
  private readonly onClose: () => void;
  private open = true;

  constructor(address: SocketAddress, events: ServerEvents, allowHalfOpen: boolean, onClose: () => void) {
    this.address = address;
    this.events = events;
    this.allowHalfOpen = allowHalfOpen;
    this.onClose = onClose;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.onClose();
  }
}
