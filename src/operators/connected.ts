import { Observable } from 'rxjs';
import type { OperatorFunction } from 'rxjs';
import type { Channel } from '../channel/Channel.js';
import { subscribeLinked } from './subscribeLinked.js';
import { fusedConnected } from '../connect/ConnectObservable.js';
import type { ConnectEvent } from '../connect/ConnectEvent.js';

/**
 * Turns a connect's events into its channel: emits the {@link Channel} on `connected`, and errors with the
 * `ConnectError` on `failed`.
 *
 * <span class="informal">The channel lives as long as the subscription: the output completes when the channel
 * closes, and unsubscribing closes it.</span>
 *
 * ```
 * source:  --r-a---c------d|
 * result:  --------C-------|     C is event c's channel
 * source:  --r-a---f|
 * result:  --------#             # is f's ConnectError
 * ```
 *
 * ## Example
 * ```ts
 * import { connectAsync$, connected } from 'rxconnect';
 * import { switchMap } from 'rxjs';
 *
 * connectAsync$('localhost', 7)
 *   .pipe(connected(), switchMap((channel) => { channel.write('ping'); return channel.data$; }))
 *   .subscribe({ next: (bytes) => console.log(bytes), error: (e) => console.error(e.code, e.message) });
 * ```
 *
 * @returns A function that returns an Observable of the connected channel.
 */
export function connected(): OperatorFunction<ConnectEvent, Channel> {
  return (source) =>
    // Straight after connectAsync$ (the usual case), the connect itself delivers the channel: the same
    // notifications, without a subscriber chain per connection.
    fusedConnected(source) ??
    new Observable<Channel>((subscriber) => {
      subscribeLinked(source, subscriber, {
        next: (event) => {
          if (event.type === 'connected') subscriber.next(event.channel);
          else if (event.type === 'failed') subscriber.error(event.error);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}
