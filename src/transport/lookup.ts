import { ipFamily } from '../core/address.js';
import type { LookupAddress, LookupFunction } from './Transport.js';
import type { SocketAddress } from '../core/socket.js';

/**
 * Runs a `dns.lookup`-compatible function safely: it may throw, return a rejected promise, call back twice, or
 * answer with junk. `done` is called once, with the error, or with the answer's valid IP addresses of `family`
 * (any family for 0), deduplicated, in resolver order, each with `port`.
 *
 * @returns The resolver's cancel, when it offers one and has not answered yet. It never throws: a resolver whose
 * cancel throws changes nothing, as its answer is ignored anyway.
 */
export function safeLookup(
  lookup: LookupFunction,
  host: string,
  family: 0 | 4 | 6,
  port: number,
  done: (error: unknown, addresses: SocketAddress[]) => void,
): (() => void) | undefined {
  let answered = false;
  // An answer given inside the lookup call is held until it returns: `done` then runs outside the try, so an
  // exception of the caller's is not taken for the resolver's.
  let inside = true;
  let held: { error: unknown; addresses: SocketAddress[] } | undefined;
  const callback = (error: unknown, result?: readonly LookupAddress[] | string): void => {
    if (answered) return;
    answered = true;
    const addresses: SocketAddress[] = [];
    const list: readonly LookupAddress[] = typeof result === 'string' ? [{ address: result, family: ipFamily(result) }] : Array.isArray(result) ? result : [];
    // A Set, not a search of the list so far: a hostile answer of thousands of addresses stays linear.
    const seen = new Set<string>();
    for (const entry of list) {
      const address = typeof entry?.address === 'string' ? entry.address : '';
      const f = ipFamily(address);
      if (f === 0 || (family !== 0 && f !== family) || seen.has(address)) continue;
      seen.add(address);
      addresses.push({ address, family: f, port });
    }
    const answer = { error: error ?? undefined, addresses: error ? [] : addresses };
    if (inside) held = answer;
    else done(answer.error, answer.addresses);
  };
  let cancel: (() => void) | undefined;
  try {
    const handle = lookup(host, { all: true, family }, callback) as { cancel?: unknown } | undefined;
    catchRejection(handle, callback);
    if (!answered && handle !== null && typeof handle === 'object' && typeof handle.cancel === 'function') {
      const cancelHandle = handle.cancel as () => void;
      cancel = () => {
        try {
          cancelHandle.call(handle);
        } catch {
          // The answer is ignored from now on, whatever the resolver's cancel did.
        }
      };
    }
  } catch (error) {
    callback(error ?? new Error('lookup threw'));
  }
  inside = false;
  if (held !== undefined) {
    done(held.error, held.addresses);
    return undefined;
  }
  return cancel;
}

/**
 * An async resolver that throws returns a rejected promise instead of calling back. Hands the reason to
 * `callback` as the lookup's error, so the lookup ends in a typed failure instead of an unhandled rejection (and
 * a connect that waits forever). Any other return value is left alone.
 *
 * @param handle What the lookup function returned.
 * @param callback The lookup's callback; it ignores a second answer.
 */
export function catchRejection(handle: unknown, callback: (error: unknown) => void): void {
  const then = (handle as { then?: unknown } | null | undefined)?.then;
  if (typeof then !== 'function') return;
  (then as PromiseLike<unknown>['then']).call(handle, undefined, (error: unknown) => callback(error ?? new Error('lookup rejected')));
}
