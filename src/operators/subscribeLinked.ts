import { Subscriber } from 'rxjs';
import type { Observable, Observer, Subscription } from 'rxjs';

/** What `subscribeLinked` needs of the operator's own subscriber. */
export type LinkedDownstream = { add(teardown: Subscription): void; error(error: unknown): void };

/**
 * Subscribes `observer` to `source` through a subscriber that `downstream` owns, so that `downstream` closing
 * stops `source` at once: even while `source.subscribe()` is still running.
 *
 * `source.subscribe({ ... })` inside `new Observable(...)` only links the two once `subscribe()` has returned its
 * subscription. A source that emits synchronously (an IP literal's `resolved`, a resolver that answers from a
 * cache) to a subscriber that unsubscribes on that event (`take(1)`, `first()`, a handler) would otherwise go on
 * unseen until then: dial a socket nobody wants, and feed a snapshot events its subscriber never got. RxJS's own
 * operators link their subscribers this way.
 *
 * A handler that throws errors `downstream`, as in RxJS's own operators, instead of throwing into the source (a
 * socket listener, a DNS callback, a scheduler action). A missing `error` handler passes errors downstream.
 *
 * @param source The upstream Observable.
 * @param downstream The operator's subscriber: when it closes, the upstream subscription closes with it.
 * @param observer The handlers; they are called directly, as an operator's own code.
 * @returns The upstream subscription (already closed if `downstream` closed while subscribing).
 */
export function subscribeLinked<T>(source: Observable<T>, downstream: LinkedDownstream, observer: Partial<Observer<T>>): Subscription {
  // The constructor is marked internal for RxJS 8; in RxJS 7 it is the one public way to make a subscriber that can
  // be linked before subscribing.
  const upstream = new Subscriber<T>({
    next: (value: T) => {
      try {
        observer.next?.(value);
      } catch (error: unknown) {
        downstream.error(error);
      }
    },
    error: (error: unknown) => {
      try {
        if (observer.error) observer.error(error);
        else downstream.error(error);
      } catch (thrown: unknown) {
        downstream.error(thrown);
      }
    },
    complete: () => {
      try {
        observer.complete?.();
      } catch (error: unknown) {
        downstream.error(error);
      }
    },
  });
  downstream.add(upstream);
  if (!upstream.closed) source.subscribe(upstream);
  return upstream;
}
