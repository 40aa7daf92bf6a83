import { Subject } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { PeerScript } from './AddressScript.js';
import type { VirtualSocket } from './VirtualSocket.js';

/**
 * Puts a {@link PeerScript} at the far end of a client socket: the script gets what the client writes and its
 * output is what the client receives (completion is EOF, an error a reset). Without a script the far end stays
 * silent and open. Destroying the socket ends the script.
 */
export function runPeer(socket: VirtualSocket, peer: PeerScript | undefined): void {
  const fromClient = new Subject<Uint8Array>();
  // Assigned once the script runs; the sink and onDestroy below may be called before that.
  const running: { subscription?: Subscription } = {};
  socket.sink = {
    data: (c) => fromClient.next(c),
    end: () => fromClient.complete(),
    reset: () => {
      fromClient.complete();
      running.subscription?.unsubscribe();
    },
  };
  const before = socket.onDestroy;
  socket.onDestroy = () => {
    fromClient.complete();
    running.subscription?.unsubscribe();
    before?.();
  };
  if (peer === undefined) return;
  running.subscription = peer(fromClient.asObservable()).subscribe({
    next: (value) => socket.receive(toBytes(value)),
    error: () => socket.receiveReset(),
    complete: () => socket.receiveEnd(),
  });
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}
