import { AddressQueue, LiteralAddress } from './AddressQueue.js';
import type { Addresses } from './AddressQueue.js';
import type { ConnectPlan } from './connectPlan.js';
import { HistoryQueue } from './HistoryQueue.js';

/**
 * The queue of a connect's untried addresses: for an IP literal, its one address (the cheapest connect makes no
 * lists); else RFC 8305's order (happy-eyeballs) or the resolver's (sequential), reordered by what the plan's
 * history recalls of the host, if anything. `preferredFamily` is the family the race starts with.
 */
export function plannedAddresses(plan: ConnectPlan, preferredFamily: 4 | 6): Addresses {
  if (plan.hostFamily !== 0) return new LiteralAddress();
  const firstFamily = plan.familyOrder === 'verbatim' ? 'resolver' : preferredFamily;
  const queue = new AddressQueue(plan.strategy === 'sequential' ? 'resolver' : 'interleaved', plan.firstFamilyCount, firstFamily);
  const recalled = plan.history?.recall(plan.host, plan.port);
  return recalled === undefined ? queue : new HistoryQueue(queue, recalled);
}
