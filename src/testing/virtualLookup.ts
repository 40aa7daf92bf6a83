import type { SchedulerLike } from 'rxjs';
import { ipFamily } from '../core/address.js';
import type { LookupAddress, LookupCallback, LookupFunction, LookupOptions } from '../transport/Transport.js';
import type { VirtualHost, VirtualHosts, VirtualLookupRecord } from './VirtualNetwork.js';
import { errnoError } from './errnoError.js';

/** A {@link VirtualLookupRecord} the resolver fills in when it answers. */
export type MutableLookupRecord = { -readonly [K in keyof VirtualLookupRecord]: VirtualLookupRecord[K] };

type Answer = { readonly after: number; readonly error: string | undefined; readonly addresses: string[] };

/**
 * The virtual network's resolver: a `dns.lookup`-compatible function that answers from `hosts` after each
 * family's scripted delay (or with its scripted error), on `scheduler`, and records every lookup in `lookups`.
 * An IP literal answers itself; a name no host lists fails with `ENOTFOUND`. A family-0 lookup answers when
 * both families have, with the addresses of those that did not fail, in the host's order.
 */
export function virtualLookup(scheduler: SchedulerLike, hosts: VirtualHosts, lookups: MutableLookupRecord[]): LookupFunction {
  return (hostname: string, opts: LookupOptions, callback: LookupCallback) => {
    const family = opts.family;
    const r: MutableLookupRecord = { host: hostname, family, at: scheduler.now(), answeredAt: undefined, error: undefined, addresses: [] };
    lookups.push(r);
    const { after, error, addresses } = answerFor(hostname, family, hosts);
    const action = scheduler.schedule(() => {
      r.answeredAt = scheduler.now();
      if (error !== undefined) {
        r.error = error;
        callback(errnoError(error, `getaddrinfo ${error} ${hostname}`, { hostname, syscall: 'getaddrinfo' }));
        return;
      }
      r.addresses = addresses;
      const list: LookupAddress[] = addresses.map((address) => ({ address, family: ipFamily(address) }));
      callback(null, list);
    }, after);
    return { cancel: () => action.unsubscribe() };
  };
}

function answerFor(hostname: string, family: 0 | 4 | 6, hosts: VirtualHosts): Answer {
  const literal = ipFamily(hostname);
  if (literal !== 0) {
    const addresses = family === 0 || family === literal ? [hostname] : [];
    return { after: 0, error: addresses.length === 0 ? 'ENOTFOUND' : undefined, addresses };
  }
  const spec = Object.prototype.hasOwnProperty.call(hosts, hostname) ? hosts[hostname] : undefined;
  if (spec === undefined) return { after: 0, error: 'ENOTFOUND', addresses: [] };
  if (family !== 0) return answer(family, spec);
  const six = answer(6, spec);
  const four = answer(4, spec);
  const ok = new Set([...(six.error === undefined ? six.addresses : []), ...(four.error === undefined ? four.addresses : [])]);
  const addresses = Object.keys(spec.addresses).filter((a) => ok.has(a));
  return { after: Math.max(six.after, four.after), error: addresses.length > 0 ? undefined : four.error ?? six.error, addresses };
}

/** How one family's lookup of a listed host answers, per its script. */
function answer(family: 4 | 6, spec: VirtualHost): Answer {
  const script = family === 4 ? spec.lookup?.ipv4 : spec.lookup?.ipv6;
  const after = typeof script === 'number' ? script : script?.after ?? 0;
  const error = typeof script === 'object' ? script.error : undefined;
  const addresses = Object.keys(spec.addresses).filter((a) => ipFamily(a) === family);
  return { after, error: error ?? (addresses.length === 0 ? 'ENOTFOUND' : undefined), addresses };
}
