import { BehaviorSubject } from 'rxjs';
import type { SocketAddress, SocketSnapshot } from '../core/socket.js';

/** The snapshot of a socket that is not connecting, not connected and has no error. Frozen. */
export const IDLE_SNAPSHOT: SocketSnapshot = Object.freeze({
  connecting: false,
  error: '',
  sockname: null,
  peername: null,
  inFlight: Object.freeze<readonly SocketAddress[]>([]),
});

/**
 * Creates the subject that {@link snapshot} keeps in step with a connect: TIP 427's `-connecting`, `-error`,
 * `-sockname` and `-peername`, as a value you can read at any moment.
 *
 * <span class="informal">A `BehaviorSubject`, so `subject.value` is an O(1) read and subscribers get the
 * current snapshot first.</span>
 *
 * ```
 * createSnapshot().value: { connecting: false, error: '', sockname: null, peername: null, inFlight: [] }
 * ```
 *
 * ## Example
 * Start many connects, do other work, then poll them.
 * ```ts
 * import { connectAsync$, createSnapshot, snapshot } from 'rxconnect';
 *
 * const hosts = ['a.example', 'b.example', 'c.example'];
 * const snapshots = hosts.map((host) => {
 *   const s = createSnapshot();
 *   connectAsync$(host, 80).pipe(snapshot(s)).subscribe();
 *   return s;
 * });
 * // ... later, without waiting for any event:
 * snapshots.forEach((s, i) => console.log(hosts[i], s.value.connecting ? 'connecting' : s.value.error || 'connected'));
 * ```
 *
 * @see {@link snapshot}
 * @returns A new `BehaviorSubject<SocketSnapshot>` holding
 * `{ connecting: false, error: '', sockname: null, peername: null, inFlight: [] }`.
 */
export function createSnapshot(): BehaviorSubject<SocketSnapshot> {
  return new BehaviorSubject<SocketSnapshot>(IDLE_SNAPSHOT);
}
