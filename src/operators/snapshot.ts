import { Observable } from 'rxjs';
import type { BehaviorSubject, MonoTypeOperatorFunction } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { errorText } from '../errors/codes.js';
import { subscribeLinked } from './subscribeLinked.js';
import type { ConnectEvent } from '../connect/ConnectEvent.js';
import type { SocketAddress, SocketName, SocketSnapshot } from '../core/socket.js';

/**
 * Keeps a `BehaviorSubject<SocketSnapshot>` in step with a connect's events, so TIP 427's `-connecting`,
 * `-error`, `-sockname` and `-peername` can be read at any moment, without waiting for an event.
 *
 * <span class="informal">A `tap` that writes the socket's state into a subject. The snapshot is derived from
 * the events alone, so the two cannot disagree.</span>
 *
 * ```
 * source:      ^-r-a0--a1-----x0--c1--------d|
 * connecting:  T----------------------F--------     (F: false; T: true)
 * inFlight:    []---[0]-[0,1]--[1]--[]---------     addresses being tried
 * sockname:    null-------------------{..}------     kept after closed
 * error:       ''-----------------------------''    (or the close error's text)
 *
 * source:      ^-r-a0--f|
 * connecting:  T-------F
 * error:       ''------'connection refused'
 * ```
 *
 * The subject is updated before each event is passed on, so a subscriber that reads `subject.value` on an
 * event sees the state after it. A new object is pushed only when something changed, and it is frozen.
 *
 * | moment | connecting | error | sockname, peername | inFlight |
 * | --- | --- | --- | --- | --- |
 * | subscription | `true` | `''` | `null` | `[]` |
 * | `attempt` / its outcome | | | | the address joins / leaves, in attempt order |
 * | `connected` | `false` | | the channel's `sockname` / `peername` | `[]` |
 * | `failed` | `false` | Tcl's text for the code (`connection refused`; for lookups, the resolver's text) | `null` | `[]` |
 * | `closed` | `false` | the close error's text, if it has one | kept | `[]` |
 * | an error notification | `false` | the error's text | kept | `[]` |
 * | unsubscribe or completion while connecting | `false` | | `null` | `[]` |
 *
 * An event after `failed` or `closed` starts a new round (a {@link reconnect} upstream): the snapshot goes
 * back to connecting. Placed before `reconnect`, the operator is subscribed again for every round, so
 * `connecting` is true from the very start of each round. The subject is never completed: it outlives the
 * subscription and may be reused.
 *
 * ## Example
 * Start a connect, do other work, then poll it.
 * ```ts
 * import { connectAsync$, createSnapshot, snapshot } from 'rxconnect';
 *
 * const state = createSnapshot();
 * connectAsync$('localhost', 8080).pipe(snapshot(state)).subscribe();
 * // ... later:
 * const { connecting, error, peername } = state.value;
 * if (!connecting) console.log(error === '' ? `connected to ${peername?.address}` : `failed: ${error}`);
 * ```
 *
 * @see {@link createSnapshot}
 * @param subject The subject to keep up to date, usually from {@link createSnapshot}.
 * @returns A function that returns an Observable of the source's events, unchanged.
 * @throws InvalidArgumentError when `subject` is not a `BehaviorSubject`.
 */
export function snapshot<E extends ConnectEvent>(subject: BehaviorSubject<SocketSnapshot>): MonoTypeOperatorFunction<E> {
  const s = subject as Partial<BehaviorSubject<SocketSnapshot>> | null | undefined;
  if (typeof s !== 'object' || s === null || typeof s.next !== 'function' || typeof s.getValue !== 'function') {
    throw new InvalidArgumentError('subject', 'must be a BehaviorSubject<SocketSnapshot>, such as createSnapshot() returns', 'ERR_INVALID_ARG_TYPE');
  }
  return (source) =>
    new Observable<E>((subscriber) => {
      const attempts = new Map<number, SocketAddress>();
      let state: SocketSnapshot = CONNECTING;
      /** A `failed` or `closed` was seen: the next event starts a new round. */
      let over = false;

      const set = (next: SocketSnapshot): boolean => {
        state = next;
        try {
          // Reading the value throws too, once the user has unsubscribed the subject or it has errored.
          if (same(next, subject.value)) return true;
          subject.next(Object.freeze(next));
          return true;
        } catch (error) {
          // A subject the user unsubscribed throws ObjectUnsubscribedError: report it, don't lose it.
          subscriber.error(error);
          return false;
        }
      };
      const inFlight = (): readonly SocketAddress[] => Object.freeze([...attempts.values()]);
      const stop = (): void => {
        attempts.clear();
        if (state.connecting) set({ ...state, connecting: false, inFlight: EMPTY });
      };

      if (!set(CONNECTING)) return undefined;
      const subscription = subscribeLinked(source, subscriber, {
        next: (event) => {
          if (over) {
            over = false;
            attempts.clear();
            if (!set(CONNECTING)) return;
          }
          let next: SocketSnapshot = state;
          switch (event.type) {
            case 'resolved':
              break;
            case 'attempt':
              attempts.set(event.attempt, event.address);
              next = { ...state, inFlight: inFlight() };
              break;
            case 'attemptFailed':
            case 'attemptCancelled':
              if (attempts.delete(event.attempt)) next = { ...state, inFlight: inFlight() };
              break;
            case 'connected':
              attempts.clear();
              next = { connecting: false, error: '', sockname: name(event.channel.sockname), peername: name(event.channel.peername), inFlight: EMPTY };
              break;
            case 'failed':
              attempts.clear();
              over = true;
              next = { connecting: false, error: errorText(event.error), sockname: null, peername: null, inFlight: EMPTY };
              break;
            case 'closed':
              attempts.clear();
              over = true;
              next = { ...state, connecting: false, inFlight: EMPTY, error: event.error === undefined ? state.error : errorText(event.error) };
              break;
          }
          if (next !== state && !set(next)) return;
          subscriber.next(event);
        },
        error: (error: unknown) => {
          attempts.clear();
          if (set({ ...state, connecting: false, inFlight: EMPTY, error: errorText(error) })) subscriber.error(error);
        },
        complete: () => {
          stop();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        // Unsubscribed while connecting: the attempts are gone, and so is the connect.
        stop();
      };
    });
}

const EMPTY: readonly SocketAddress[] = Object.freeze([]);

const CONNECTING: SocketSnapshot = Object.freeze({ connecting: true, error: '', sockname: null, peername: null, inFlight: EMPTY });

function name(n: SocketName | null | undefined): SocketName | null {
  return n === undefined || n === null ? null : Object.freeze({ address: n.address, host: n.host, port: n.port });
}

function sameName(a: SocketName | null, b: SocketName | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  return a.address === b.address && a.host === b.host && a.port === b.port;
}

function same(a: SocketSnapshot, b: SocketSnapshot): boolean {
  if (a === b) return true;
  if (a.connecting !== b.connecting || a.error !== b.error) return false;
  if (!sameName(a.sockname, b.sockname) || !sameName(a.peername, b.peername)) return false;
  if (a.inFlight.length !== b.inFlight.length) return false;
  return a.inFlight.every((x, i) => {
    const y = b.inFlight[i];
    return y !== undefined && x.address === y.address && x.family === y.family && x.port === y.port;
  });
}
