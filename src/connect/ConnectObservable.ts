import { Observable } from 'rxjs';
import type { Channel } from '../channel/Channel.js';
import type { ConnectEvent } from './ConnectEvent.js';
import type { ConnectPlan } from './connectPlan.js';
import { CHANNEL_OUTPUT, EventOutput } from './ConnectOutput.js';
import type { ConnectOutput, RunSubscriber } from './ConnectOutput.js';
import { ConnectRun } from './ConnectRun.js';

function subscribeRun(plan: ConnectPlan, subscriber: RunSubscriber, output: ConnectOutput): ConnectRun | undefined {
  // A subscriber that is already closed gets nothing: no lookup, no dial (as an operator's linked subscriber).
  if (subscriber.closed) return undefined;
  const run = new ConnectRun(subscriber, output);
  run.start(plan);
  // The run is the teardown: an object, rather than a closure that would keep the plan.
  return run;
}

class ConnectObservable extends Observable<ConnectEvent> {
  // Private to this module: users see an Observable, not the plan (its lookup, transport, ...).
  readonly #plan: ConnectPlan;

  constructor(plan: ConnectPlan) {
    super((subscriber) => subscribeRun(plan, subscriber, new EventOutput(plan.scheduler)));
    this.#plan = plan;
  }

  static planOf(source: Observable<ConnectEvent>): ConnectPlan | undefined {
    return source instanceof ConnectObservable ? source.#plan : undefined;
  }
}

/** The Observable of `connectAsync$`: it knows its plan, so that `connected()` can fuse with it. */
export function connectObservable(plan: ConnectPlan): Observable<ConnectEvent> {
  return new ConnectObservable(plan);
}

/**
 * `source.pipe(connected())` in one piece, when `source` came straight from `connectAsync$`: the same
 * notifications at the same moments, without the events nobody sees or a subscriber between the connect and
 * its channel. Undefined for any other source.
 */
export function fusedConnected(source: Observable<ConnectEvent>): Observable<Channel> | undefined {
  const plan = ConnectObservable.planOf(source);
  if (plan === undefined) return undefined;
  return new Observable<Channel>((subscriber) => subscribeRun(plan, subscriber, CHANNEL_OUTPUT));
}
