import type { Observable } from 'rxjs';
import type { ConnectEvent } from './ConnectEvent.js';
import type { ConnectOptions } from './ConnectOptions.js';
import { connectObservable } from './ConnectObservable.js';
import { connectPlan } from './connectPlan.js';

/**
 * Connects to `host:port` in the background, as Tcl's `socket -async`, and tells every step as a typed event.
 *
 * <span class="informal">A cold Observable: each subscription resolves the name, races its addresses and owns
 * the socket that results. Unsubscribing cancels whatever is in flight; once connected, it closes the channel
 * as `close()` does, flushing what was written first.</span>
 *
 * ```
 * lookups:  --6----4--------------
 * attempts: ---a0-----a1-----------     (a0 hangs; a1 starts attemptDelay later)
 * result:   --rr-a----a--(xc)-- ... --d|
 *             r resolved, a attempt, x attemptCancelled(lost), c connected, d closed
 * ```
 *
 * The default strategy is Happy Eyeballs (RFC 8305): IPv6 and IPv4 are looked up in parallel, families
 * alternate, a new attempt starts every `attemptDelay` ms (or at once when the newest fails), earlier attempts
 * keep running, and the first success wins. `strategy: 'sequential'` is Tcl 8.6's order: one lookup, then one
 * address at a time in resolver order.
 *
 * Event grammar: one or more `resolved` before any `attempt`; each `attempt` gets exactly one outcome
 * (`attemptFailed`, `attemptCancelled` or `connected`); then exactly one of `connected` or `failed`. After
 * `connected` the stream stays open while the channel lives, emits `closed`, then completes. `failed` is data,
 * not an error notification: use {@link connected} to turn it into one.
 *
 * With `tls`, the race is a TCP race and the TLS handshake runs on the winner: after the losers' `attemptCancelled`
 * comes `handshake`, then `connected` with `tls` (protocol, ALPN, cipher, verification), or the winner's
 * `attemptFailed` and `failed` (`certificate for localhost has expired`, with Node's code). No byte is written
 * in clear: the channel is handed out after the handshake.
 *
 * Options are checked now: an unknown key throws, naming it and the nearest known one, and so does a delay
 * above 2^31−1 ms. An aborted `signal` ends the connect with `failed` (code `ABORT_ERR`).
 *
 * ## Example
 * ```ts
 * import { connectAsync$ } from 'rxconnect';
 *
 * connectAsync$('localhost', 8080, { attemptDelay: 100 }).subscribe((event) => {
 *   if (event.type === 'connected') event.channel.writeLine('hello');
 *   if (event.type === 'failed') console.error(event.error.message);
 * });
 *
 * connectAsync$('example.com', 443, { tls: { ALPNProtocols: ['h2', 'http/1.1'] } }).subscribe((event) => {
 *   if (event.type === 'handshake') console.log(`TCP to ${event.address.address} after ${event.elapsed} ms`);
 *   if (event.type === 'connected') console.log(event.tls?.protocol, event.tls?.alpnProtocol);
 * });
 * ```
 *
 * @param host A host name or an IP literal (`::1`, `[::1]`, `127.0.0.1`).
 * @param port An integer from 1 to 65535, or a service name (`'http'`).
 * @param options See {@link ConnectOptions}; every option is validated now.
 * @returns A cold Observable of {@link ConnectEvent}s.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the argument, for bad input. Nothing is opened.
 */
export function connectAsync$(host: string, port: number | string, options?: ConnectOptions): Observable<ConnectEvent> {
  return connectObservable(connectPlan(host, port, options));
}
