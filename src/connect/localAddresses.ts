import { ipFamily, WILDCARD } from '../core/address.js';
import type { SocketAddress } from '../core/socket.js';

/** The local address a connect binds, per family: an attempt binds the one of its own family. */
export type Locals = ReadonlyMap<4 | 6, SocketAddress>;

/**
 * The local addresses of `myaddr` (an IP literal, or none) and `myport`: the literal's family only, or both
 * wildcards for a port alone. Undefined when nothing is bound, so that every family may be tried.
 */
export function boundLocals(myaddr: string | undefined, myport: number | undefined): Locals | undefined {
  if (myaddr !== undefined) {
    const family = ipFamily(myaddr) === 6 ? 6 : 4;
    return new Map([[family, { address: myaddr, family, port: myport ?? 0 }]]);
  }
  if (myport === undefined) return undefined;
  return new Map([
    [4, { address: WILDCARD[4], family: 4, port: myport }],
    [6, { address: WILDCARD[6], family: 6, port: myport }],
  ]);
}

/** The local addresses of a resolved `myaddr` name: the first of each family, resolver order, with `myport`. */
export function resolvedLocals(found: readonly SocketAddress[], myport: number | undefined): Locals {
  const locals = new Map<4 | 6, SocketAddress>();
  for (const a of found) if (!locals.has(a.family)) locals.set(a.family, { ...a, port: myport ?? 0 });
  return locals;
}
