import type { AddressScript, PeerScript } from './AddressScript.js';
import { parseRequiredDelay } from '../validation/validate.js';
import { checkCode, checkPeer } from './validate.js';

/**
 * The address accepts after `ms` of virtual time. Without a `peer`, the server stays silent and open. A delay
 * that is not a number from 0 to 2^31−1, or a `peer` that is not a function, throws at once (naming `ms` or
 * `peer`).
 *
 * ## Example
 * ```ts
 * import { connectAfter } from 'rxconnect/testing';
 * import { map } from 'rxjs';
 *
 * const echo = connectAfter(20, (fromClient) => fromClient.pipe(map((bytes) => bytes)));
 * ```
 */
export function connectAfter(ms: number, peer?: PeerScript): AddressScript {
  const after = parseRequiredDelay(ms, 'ms');
  return { outcome: 'connect', after, peer: checkPeer(peer, 'peer') };
}

/** The address refuses (`ECONNREFUSED`) after `ms` of virtual time, as a port with no listener does. */
export function refuseAfter(ms: number): AddressScript {
  return { outcome: 'refuse', after: parseRequiredDelay(ms, 'ms') };
}

/** The attempt fails with `ETIMEDOUT` after `ms` of virtual time, as the kernel gives up on SYN retries. */
export function timeoutAfter(ms: number): AddressScript {
  return { outcome: 'timeout', after: parseRequiredDelay(ms, 'ms') };
}

/** The attempt fails with the given errno code (`EHOSTUNREACH`, `ENETUNREACH`, ...) after `ms`; an empty code throws. */
export function failAfter(ms: number, code: string): AddressScript {
  const after = parseRequiredDelay(ms, 'ms');
  return { outcome: 'fail', after, code: checkCode(code, 'code') };
}

/** The attempt never completes: a black hole. Only a timeout or an unsubscribe ends it. */
export function hang(): AddressScript {
  return { outcome: 'hang' };
}
