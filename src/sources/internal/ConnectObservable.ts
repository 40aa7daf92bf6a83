import { Observable } from 'rxjs';
import type { Channel } from '../../channel/Channel.js';
import type { ConnectEvent } from '../../types.js';
import type { ConnectPlan } from './connectPlan.js';
import { ConnectRun } from './ConnectRun.js';
import type { RunOutput, RunSubscriber } from './ConnectRun.js';

function subscribeRun(plan: ConnectPlan, subscriber: RunSubscriber, output: RunOutput): ConnectRun | undefined {
  // A subscriber that is already closed gets nothing: no lookup, no dial (as an operator's linked subscriber).
  if (subscriber.closed) return undefined;
  const run = new ConnectRun(plan, subscriber, output);
  run.start(plan);
  // The run is the teardown: an object, rather than a closure that would keep the plan.
  return run;
}

/** What `connectAsync$` returns: an Observable that knows its plan, so that `connected()` can fuse with it. */
export class ConnectObservable extends Observable<ConnectEvent> {
  readonly plan: ConnectPlan;

  constructor(plan: ConnectPlan) {
    super((subscriber) => subscribeRun(plan, subscriber, 'events'));
    this.plan = plan;
  }
}

/**
 * `source.pipe(connected())` in one piece, when `source` came straight from `connectAsync$`: the same
 * notifications at the same moments, without the events nobody sees or a subscriber between the connect and
 * its channel. Undefined for any other source.
 */
export function fusedConnected(source: Observable<ConnectEvent>): Observable<Channel> | undefined {
  if (!(source instanceof ConnectObservable)) return undefined;
  const plan = source.plan;
  return new Observable<Channel>((subscriber) => subscribeRun(plan, subscriber, 'channel'));
}
