import type { Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { connectAsync$ } from '../../src/index.js';
import type { ConnectEvent, ConnectOptions } from '../../src/index.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label, newScheduler } from './events.js';

/** What one virtual connect did. */
export type VirtualRun = {
  /** `"<elapsed> <label>"` per event. */
  readonly timeline: string[];
  readonly events: ConnectEvent[];
  readonly network: VirtualNetwork;
  /** Virtual time of completion, or undefined. */
  readonly completedAt: number | undefined;
  readonly scheduler: TestScheduler;
};

/**
 * Runs one connect on a virtual network in virtual time, optionally unsubscribing at `unsubscribeAt`, and
 * checks the event grammar on the way.
 */
export function runVirtual(host: string, hosts: VirtualHosts, options: ConnectOptions = {}, unsubscribeAt?: number, port = 80): VirtualRun {
  const scheduler = newScheduler();
  const events: ConnectEvent[] = [];
  let completedAt: number | undefined;
  let network!: VirtualNetwork;
  scheduler.run(() => {
    network = createVirtualNetwork(scheduler, hosts);
    const sub: Subscription | undefined = connectAsync$(host, port, { transport: network.transport, ...options }).subscribe({
      next: (e) => events.push(e),
      complete: () => (completedAt = scheduler.now()),
    });
    if (unsubscribeAt !== undefined) scheduler.schedule(() => sub?.unsubscribe(), unsubscribeAt);
  });
  expect(grammarProblems(events, completedAt !== undefined)).toEqual([]);
  return { timeline: events.map((e) => `${e.elapsed} ${label(e)}`), events, network, completedAt, scheduler };
}
