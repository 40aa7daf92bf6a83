import { Observable } from 'rxjs';
import type { ListenOptions } from './ListenOptions.js';
import type { ConnectionEvent, ListeningEvent, ServerEvent } from './ServerEvent.js';
import { listenPlan } from './listenPlan.js';
import { abortFailure } from '../connect/failure.js';
import { ListenRun } from './ListenRun.js';

/**
 * Listens for TCP connections on `port`, as Tcl's `socket -server`, and hands out each client as a
 * {@link Channel}; with `tls`, after the client's TLS handshake.
 *
 * <span class="informal">A cold Observable: each subscription binds its own listeners, emits `listening`, then a
 * `connection` per client. Unsubscribing closes the listeners; accepted channels live on until you close
 * them.</span>
 *
 * ```
 * listen$(0):  l--c-----c------      l listening { socknames }, c connection { channel, clientAddress, clientPort }
 * unsubscribe: ^-----------!         the listeners close; both channels stay open
 * listen$(80): #                     # ConnectError: EADDRINUSE "address already in use (listen on 0.0.0.0 port 80)"
 *
 * listen$(0, { tls }):
 * clients:     --a--b-----c          a, b, c connect; b sends plain HTTP
 * events:      l----c-h-----c        c connection { ..., tls: { protocol, alpnProtocol, authorized, cipher } }
 *                                    h handshakeFailed { error: ERR_SSL_HTTP_REQUEST, clientAddress, clientPort }
 * ```
 *
 * Without `myaddr` it listens on `0.0.0.0` and on `::` (IPv6 only), each where the host has that family, and
 * reports IPv4 first, as Tcl does. A `myaddr` name listens on each of its local addresses. Port 0 picks one free
 * port shared by all addresses: the first bind chooses it and the others reuse it; if a later family has it
 * taken, everything is tried again (up to 10 times), and after that each address gets its own port.
 *
 * Failures error the Observable (there is no failure event) with a `ConnectError` whose `code` is the errno code
 * and whose message starts with Tcl's text: `address already in use`, `cannot assign requested address` (a
 * `myaddr` that is not local), `permission denied`, or a resolver error for an unknown `myaddr` name. If any
 * address fails this way, the others are closed again: a server listens everywhere it should, or not at all.
 * A listener that fails later (rare) errors it the same way. Bad input throws at call time.
 *
 * With `tls`, each client's handshake runs as soon as it is accepted, bounded by `tls.handshakeTimeout` (120 s by
 * default, on the `scheduler`); its `connection` comes once the handshake has finished and carries what it agreed
 * on, and `channel.tls` gives the client's certificate when `requestCert` asked for one. A client whose handshake
 * fails or times out is destroyed and reported as a `handshakeFailed` event: one client never ends the server.
 * Unsubscribing destroys the clients whose handshake is still running.
 *
 * Channels are independent of the subscription, as Tcl's are of the server socket: unsubscribing stops new
 * connections only. To close everything on shutdown, tie each channel to an inner subscription with `finalize`,
 * so that unsubscribing from the whole pipeline closes them too (second example). Catch each client's errors
 * inside its inner Observable: an error that reaches the outer pipeline (one client's `ECONNRESET`) ends the
 * server and every other client.
 *
 * ## Example
 * The time server of Tcl's socket man page:
 * ```ts
 * import { listen$ } from 'rxconnect';
 *
 * const startTime = Date.now();
 * listen$(9900).subscribe((event) => {
 *   if (event.type !== 'connection') return;
 *   console.log(`Connection from ${event.clientAddress} registered`);
 *   const now = Date.now();
 *   event.channel.writeLine(new Date(now).toString());
 *   event.channel.writeLine(`${Math.round((now - startTime) / 1000)} since start`);
 *   event.channel.close().catch((e: Error) => console.error(e.message));
 * });
 * ```
 *
 * An echo server that keeps each client's errors to that client, stops reading from a client that does not take
 * its echo (while `write()` returns false), and closes every client at shutdown:
 * ```ts
 * import { listen$ } from 'rxconnect';
 * import type { Channel } from 'rxconnect';
 * import { catchError, defer, EMPTY, finalize, mergeMap, repeat, take, takeWhile } from 'rxjs';
 *
 * const echo = (channel: Channel) => {
 *   let full = false;
 *   return defer(() => channel.data$).pipe(
 *     takeWhile((bytes) => !(full = !channel.write(bytes)), true), // unsubscribing pauses the socket
 *     repeat({ delay: () => (full ? channel.drain$.pipe(take(1)) : EMPTY) }), // read again after drain; EOF ends it
 *   );
 * };
 *
 * const subscription = listen$(7007).pipe(
 *   mergeMap((event) => event.type !== 'connection' ? EMPTY : echo(event.channel).pipe(
 *     catchError(() => EMPTY), // this client's error ends this client only
 *     finalize(() => void event.channel.close().catch(() => undefined)),
 *   )),
 * ).subscribe({ error: (e: Error) => console.error(e.message) }); // the listeners failed
 * // later: closes the listeners and every client
 * subscription.unsubscribe();
 * ```
 *
 * A TLS echo server that speaks `h2` or `http/1.1` by ALPN, asks for client certificates signed by its own CA, and
 * logs the clients it drops:
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { listen$ } from 'rxconnect';
 *
 * listen$(8443, {
 *   tls: {
 *     key: readFileSync('server-key.pem'),
 *     cert: readFileSync('server-cert.pem'),
 *     ca: readFileSync('clients-ca.pem'),
 *     requestCert: true,
 *     ALPNProtocols: ['h2', 'http/1.1'],
 *     handshakeTimeout: 10_000,
 *   },
 * }).subscribe((event) => {
 *   if (event.type === 'handshakeFailed') {
 *     console.log(`dropped ${event.clientAddress}: ${event.error.message}`); // "TLS handshake failed: the client sent no certificate (...)"
 *   } else if (event.type === 'connection') {
 *     const { channel, tls } = event;
 *     console.log(`${channel.tls?.peerCertificate()?.subject['CN']} over ${tls?.protocol} with ${tls?.alpnProtocol}`);
 *     channel.data$.subscribe({ next: (bytes) => channel.write(bytes), error: () => undefined, complete: () => void channel.close() });
 *   }
 * });
 * ```
 *
 * @param port An integer from 0 to 65535 (0: pick a free one), or a service name (`'echo'`).
 * @param options See {@link ListenOptions} (`tls` to serve TLS); every option is validated now.
 * @returns A cold Observable of {@link ServerEvent}s (`handshakeFailed` with `tls` only); it errors with a
 * `ConnectError` when it cannot listen, never because of a client.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the argument, for bad input. Nothing is opened.
 */
export function listen$(port: number | string, options?: ListenOptions & { readonly tls?: undefined }): Observable<ListeningEvent | ConnectionEvent>;
export function listen$(port: number | string, options?: ListenOptions): Observable<ServerEvent>;
export function listen$(port: number | string, options?: ListenOptions): Observable<ServerEvent> {
  const plan = listenPlan(port, options);
  return new Observable<ServerEvent>((subscriber) => {
    const { signal } = plan;
    if (signal?.aborted === true) {
      subscriber.error(abortFailure(signal.reason));
      return undefined;
    }
    const run = new ListenRun(plan, subscriber);
    // An abort errors the subscriber, whose teardown closes the listeners and removes this listener.
    const onAbort = (): void => subscriber.error(abortFailure(signal?.reason));
    signal?.addEventListener('abort', onAbort);
    run.start();
    return () => {
      signal?.removeEventListener('abort', onAbort);
      run.teardown();
    };
  });
}
