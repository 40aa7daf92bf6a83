import { Subscriber } from 'rxjs';
import type { Observable, Observer, Subscription } from 'rxjs';

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
 * @param source The upstream Observable.
 * @param downstream The operator's subscriber: when it closes, the upstream subscription closes with it.
 * @param observer All three handlers; they are called directly, as an operator's own code.
 * @returns The upstream subscription (already closed if `downstream` closed while subscribing).
 */
export function subscribeLinked<T>(source: Observable<T>, downstream: Subscription, observer: Observer<T>): Subscription {
  // The constructor is marked internal for RxJS 8; in RxJS 7 it is the one public way to make a subscriber that can
  // be linked before subscribing.
  const upstream = new Subscriber<T>(observer);
  downstream.add(upstream);
  if (!upstream.closed) source.subscribe(upstream);
  return upstream;
}
