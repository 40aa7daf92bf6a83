import { Observable } from 'rxjs';
import type { MonoTypeOperatorFunction, SchedulerLike, Subscription } from 'rxjs';
import { ConnectError } from '../errors/ConnectError.js';
import { handshakeText, timedOutError } from '../errors/codes.js';
import { parseRequiredDelay, parseScheduler } from '../validation/validate.js';
import { subscribeLinked } from './subscribeLinked.js';
import type { ConnectEvent } from '../connect/ConnectEvent.js';
import type { SocketAddress } from '../core/socket.js';

type InFlight = { readonly n: number; readonly address: SocketAddress; readonly startedAt: number };

/**
 * Gives a whole connect a deadline: if there is neither `connected` nor `failed` within `ms` of
 * subscription, the connect fails with `ETIMEDOUT`.
 *
 * <span class="informal">Tcl's `after $ms {close $sock}` watchdog around `socket -async`, as an event.
 * Unlike `timeout()`, it ends the stream with a `failed` event, not an error.</span>
 *
 * ```
 * source:  -r-a0---a1--------c1--d|
 * ms:      |-----------|
 * result:  -r-a0---a1--(x0 x1 f|)          x attemptCancelled (timeout), f failed ETIMEDOUT
 * source:  ^-----------!                   unsubscribed at the deadline: every socket destroyed
 *
 * source:  -r-a0--c0-------d|
 * result:  -r-a0--c0-------d|              connected in time: the deadline is off
 * ```
 *
 * At the deadline it first unsubscribes from the source, which destroys every attempt socket and
 * cancels pending lookups. Then it emits `attemptCancelled` (reason `timeout`) for each attempt still in
 * flight, in attempt order, and `failed` with a {@link ConnectError} whose `code` is `ETIMEDOUT`. Its
 * `attempts` are every attempt's error in attempt order: those that failed before the deadline (from
 * `attemptFailed`), and an `ETIMEDOUT` for each attempt cut short. Its message starts with
 * `connection timed out` and names every attempt (`connection timed out (::1 port 80: connection refused after 1 ms; 127.0.0.1 port 80:
 * connection timed out after 4999 ms)`). Then it completes. The `elapsed` of these events is read from
 * `scheduler`, relative to subscription. A deadline that falls in a TLS handshake (after the `handshake`
 * event) is that handshake's failure: the error has `handshake: true` and reads
 * `connection timed out during the TLS handshake (127.0.0.1 port 443: TLS handshake failed after 5000 ms)`.
 *
 * A `connected` or `failed` before the deadline turns the deadline off: it never closes a live
 * connection. The deadline is exclusive: the timer is started before the source is subscribed, so an
 * event scheduled for the very same instant comes after it and is too late.
 *
 * Put it right after the source, before {@link flushOnConnect} (so the timed-out `failed` gets its
 * `unsent`) and before {@link reconnect} (so each round gets its own deadline).
 *
 * ## Example
 * Give up on a host after 5 seconds, however many addresses it has.
 * ```ts
 * import { connectAsync$, connectTimeout } from 'rxconnect';
 *
 * connectAsync$('example.com', 80).pipe(connectTimeout(5000)).subscribe((event) => {
 *   if (event.type === 'failed') console.error(event.error.code, event.error.message); // ETIMEDOUT connection timed out (...)
 * });
 * ```
 *
 * @see {@link reconnect}
 * @param ms The deadline, in milliseconds from subscription: a number from 0 to 2^31−1 (the longest a timer can
 * wait).
 * @param scheduler The scheduler for the deadline and for `elapsed`. Default `asyncScheduler`.
 * @returns A function that returns an Observable of the source's events that ends in `failed` (code
 * `ETIMEDOUT`) when the connect takes `ms` or longer.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming `ms` or `scheduler`, for bad input.
 */
export function connectTimeout(ms: number, scheduler?: SchedulerLike): MonoTypeOperatorFunction<ConnectEvent> {
  const deadline = parseRequiredDelay(ms, 'ms');
  const clock = parseScheduler(scheduler, 'scheduler');
  return (source) =>
    new Observable<ConnectEvent>((subscriber) => {
      const t0 = clock.now();
      const inFlight = new Map<number, InFlight>();
      const failures: { readonly n: number; readonly error: ConnectError }[] = [];
      let port: number | undefined;
      let upstream: Subscription | undefined;
      let timedOut = false;
      /** The attempt whose TLS handshake runs: TCP has connected, and a timeout is the handshake's failure. */
      let handshaking: number | undefined;

      const timer = clock.schedule(() => {
        timedOut = true;
        upstream?.unsubscribe();
        const now = clock.now();
        const elapsed = now - t0;
        const cut = [...inFlight.values()].sort((a, b) => a.n - b.n);
        inFlight.clear();
        for (const a of cut) {
          if (subscriber.closed) return;
          subscriber.next({ type: 'attemptCancelled', elapsed, attempt: a.n, address: a.address, reason: 'timeout' });
        }
        if (subscriber.closed) return;
        subscriber.next({ type: 'failed', elapsed, error: timeoutError(deadline, failures, cut, now, port, handshaking) });
        subscriber.complete();
      }, deadline);

      if (timedOut) return () => timer.unsubscribe();
      const subscription = subscribeLinked(source, subscriber, {
        next: (event) => {
          switch (event.type) {
            case 'resolved':
              port ??= event.port;
              break;
            case 'attempt':
              inFlight.set(event.attempt, { n: event.attempt, address: event.address, startedAt: clock.now() });
              port ??= event.address.port;
              break;
            case 'attemptFailed':
              inFlight.delete(event.attempt);
              failures.push({ n: event.attempt, error: event.error });
              break;
            case 'attemptCancelled':
              inFlight.delete(event.attempt);
              break;
            case 'handshake':
              handshaking = event.attempt;
              break;
            case 'connected':
            case 'failed':
              inFlight.clear();
              timer.unsubscribe();
              break;
            case 'closed':
              break;
          }
          subscriber.next(event);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      // With a synchronous scheduler the deadline may have passed while subscribing.
      if (timedOut) subscription.unsubscribe();
      else upstream = subscription;

      return () => {
        timer.unsubscribe();
        subscription.unsubscribe();
        inFlight.clear();
        failures.length = 0;
      };
    });
}

/**
 * The `ETIMEDOUT` error of a connect cut short. Attempts still in flight at the deadline count as timed out, so
 * `attempts` (and the message, one clause each) cover every attempt, in attempt order.
 */
/** The error of an attempt whose TCP connect won and whose TLS handshake was cut short by the deadline. */
function handshakeTimeout({ address, startedAt }: InFlight, now: number): ConnectError {
  const cause = timedOutError();
  const text = handshakeText(cause, 'certificate');
  return new ConnectError({ code: 'ETIMEDOUT', address: address.address, port: address.port, duration: now - startedAt, cause, text, handshake: true });
}

function timeoutError(
  ms: number,
  failures: readonly { readonly n: number; readonly error: ConnectError }[],
  cut: readonly InFlight[],
  now: number,
  port: number | undefined,
  handshaking: number | undefined,
): ConnectError {
  const timedOut = cut.map((a) => ({
    n: a.n,
    error: a.n === handshaking ? handshakeTimeout(a, now) : ConnectError.forAttempt(a.address, now - a.startedAt, timedOutError()),
  }));
  // The handshake that ran out of time got furthest: its text leads, as a failed handshake's does.
  if (handshaking !== undefined) return ConnectError.aggregate([...failures, ...timedOut].sort((a, b) => a.n - b.n).map((f) => f.error), { code: 'ETIMEDOUT' });
  const attempts = [...failures, ...timedOut].sort((a, b) => a.n - b.n).map((f) => f.error);
  const first = cut[0];
  return new ConnectError({
    code: 'ETIMEDOUT',
    address: first?.address.address ?? attempts.at(-1)?.address,
    port: first?.address.port ?? attempts.at(-1)?.port ?? port,
    attempts,
    detail: `no connection within ${ms} ms`,
  });
}
