import { from, Observable } from 'rxjs';
import type { MonoTypeOperatorFunction, ObservableInput } from 'rxjs';
import type { Channel } from '../channel/Channel.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { WriteQueueOverflowError } from '../errors/WriteQueueOverflowError.js';
import { parseInteger, parseOptions } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { subscribeLinked } from './subscribeLinked.js';
import type { ConnectEvent } from '../connect/ConnectEvent.js';

/** The keys of {@link FlushOnConnectOptions}: anything else is rejected, with a suggestion. */
const FLUSH_OPTIONS: KnownKeys<FlushOnConnectOptions> = { maxBytes: true };

/** Options of {@link flushOnConnect}. */
export type FlushOnConnectOptions = {
  /**
   * The most bytes that may wait while connecting. Strings count as their UTF-8 length. Default 16 MiB
   * (16777216).
   */
  readonly maxBytes?: number | undefined;
};

/** What {@link flushOnConnect} writes: text (encoded with the channel's `encoding`) or bytes. */
export type OutgoingValue = string | Uint8Array;

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Writes values to the connection once it exists: values that come while connecting wait in a bounded queue,
 * and go out in order the moment `connected` arrives.
 *
 * <span class="informal">Tcl's nonblocking `puts` + `flush` on a socket that is still connecting, with the
 * edges defined: nothing is dropped silently.</span>
 *
 * ```
 * outgoing$: -a--b-----------c---
 * source:    -r-a0-----c0--------d|
 * written:   ----------(ab)--c---         a and b in order, before c0 is re-emitted
 * result:    -r-a0-----c0--------d|
 *
 * outgoing$: -a--b-------
 * source:    -r-a0---f|
 * result:    -r-a0---F|                    F is f with unsent: [a, b]
 * ```
 *
 * It subscribes to `outgoing$` at once, when the result is subscribed (before the source). While connecting,
 * values are queued in order. On `connected` it writes the queue with `channel.write`, in order and exactly
 * once, before it re-emits the `connected` event and before any later value; later values are written as they
 * come. Strings are encoded with the channel's `encoding`.
 *
 * - On `failed`, the event is re-emitted with `unsent`: the queued values, in order (after any `unsent` the
 *   event already had). The result always carries `unsent`, an empty array when nothing was waiting.
 * - The queue is bounded by `maxBytes`. A value that would make it larger errors the result with a
 *   {@link WriteQueueOverflowError} carrying every unsent value, and the connect is cancelled (the source is
 *   unsubscribed). While connecting, the channel's encoding is not known yet, so strings count as their UTF-8
 *   length: that is never less than their length in any channel encoding, so the bound holds for all.
 * - When `outgoing$` completes, nothing else happens: what was queued is still written on `connected`, and
 *   closing stays your choice. When `outgoing$` errors, the result errors, the source is unsubscribed and the
 *   socket closed; values still queued are not written.
 * - A value that is neither a string nor a `Uint8Array` errors the result with an `InvalidArgumentError`. So
 *   does a write the channel refuses (a `ChannelClosedError` after you called `channel.end()`).
 * - After `connected`, values go straight to `channel.write`; its backpressure signal (`false`) is not acted
 *   on. Use the channel's `drain$` if you write a lot.
 * - Unsubscribing releases `outgoing$` and the source.
 *
 * After `failed` or `closed` the stream may go on, when a {@link reconnect} upstream starts another round.
 * Then values are queued again, and what is queued at a `failed` stays queued: it is reported in that event's
 * `unsent` and written on the next `connected`. Only the stream's last `failed` hands values back for good.
 *
 * ## Example
 * Write a request as soon as possible, and find out what was never sent.
 * ```ts
 * import { connectAsync$, connectTimeout, flushOnConnect } from 'rxconnect';
 * import { of } from 'rxjs';
 *
 * connectAsync$('localhost', 8080)
 *   .pipe(connectTimeout(5000), flushOnConnect(of('GET / HTTP/1.0\r\n\r\n')))
 *   .subscribe((event) => {
 *     if (event.type === 'failed') console.error(`${event.error.message}; ${event.unsent?.length} value(s) unsent`);
 *   });
 * ```
 *
 * @see {@link connectTimeout}
 * @param outgoing$ The values to write: strings and `Uint8Array`s. Any `ObservableInput` (an array, a
 * promise, an async iterable) is accepted, but not a bare string or `Uint8Array`: wrap one in `[ ]`.
 * @param options `maxBytes`, an integer ≥ 0. Validated now.
 * @returns A function that returns an Observable of the source's events, with `unsent` on `failed`.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the argument, for bad input.
 */
export function flushOnConnect<E extends ConnectEvent>(
  outgoing$: ObservableInput<OutgoingValue>,
  options?: FlushOnConnectOptions,
): MonoTypeOperatorFunction<E> {
  const outgoing = parseOutgoing(outgoing$);
  const o = parseOptions<FlushOnConnectOptions>(options, 'options', FLUSH_OPTIONS);
  const maxBytes = parseInteger(o.maxBytes, 'maxBytes', 0, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_BYTES);
  return (source) =>
    new Observable<E>((subscriber) => {
      let queue: OutgoingValue[] = [];
      let queuedBytes = 0;
      /** The live channel; undefined while connecting (or between rounds). */
      let channel: Channel | undefined;
      let flushing = false;

      const fail = (error: unknown): void => {
        queue = [];
        queuedBytes = 0;
        subscriber.error(error);
      };

      const write = (target: Channel, value: OutgoingValue): boolean => {
        try {
          target.write(value);
          return true;
        } catch (error) {
          fail(error);
          return false;
        }
      };

      /** Writes the queue in order; values that arrive meanwhile join its end. */
      const flush = (target: Channel): void => {
        flushing = true;
        while (queue.length > 0 && !subscriber.closed) {
          const batch = queue;
          queue = [];
          queuedBytes = 0;
          for (const value of batch) if (!write(target, value)) return;
        }
        flushing = false;
      };

      const outgoingSubscription = subscribeLinked(outgoing, subscriber, {
        next: (value) => {
          if (subscriber.closed) return;
          if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
            fail(new InvalidArgumentError('outgoing$', `values must be strings or Uint8Arrays, got ${value === null ? 'null' : typeof value}`, 'ERR_INVALID_ARG_TYPE'));
            return;
          }
          if (channel !== undefined && !flushing) {
            write(channel, value);
            return;
          }
          const bytes = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
          if (!flushing && queuedBytes + bytes > maxBytes) {
            fail(new WriteQueueOverflowError([...queue, value], maxBytes, queuedBytes + bytes));
            return;
          }
          queue.push(value);
          queuedBytes += bytes;
        },
        error: (error: unknown) => fail(error),
        // Completion changes nothing: what is queued is still written on connected.
        complete: () => undefined,
      });
      if (subscriber.closed) return () => outgoingSubscription.unsubscribe();

      const subscription = subscribeLinked(source, subscriber, {
        next: (event) => {
          switch (event.type) {
            case 'connected':
              channel = event.channel;
              flush(event.channel);
              if (subscriber.closed) return;
              break;
            case 'failed':
              channel = undefined;
              subscriber.next({ ...event, unsent: [...(event.unsent ?? []), ...queue] });
              return;
            case 'closed':
              channel = undefined;
              break;
            default:
              break;
          }
          subscriber.next(event);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });

      return () => {
        outgoingSubscription.unsubscribe();
        subscription.unsubscribe();
        queue = [];
        queuedBytes = 0;
        channel = undefined;
      };
    });
}

function parseOutgoing(value: unknown): Observable<OutgoingValue> {
  const problem = 'must be an Observable (or another ObservableInput) of strings and Uint8Arrays';
  if (typeof value === 'string' || value instanceof Uint8Array) {
    throw new InvalidArgumentError('outgoing$', `${problem}; to write one value, wrap it in an array`, 'ERR_INVALID_ARG_TYPE');
  }
  try {
    return from(value as ObservableInput<OutgoingValue>);
  } catch {
    throw new InvalidArgumentError('outgoing$', problem, 'ERR_INVALID_ARG_TYPE');
  }
}
