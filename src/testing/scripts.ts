import type { AddressScript, ConnectScriptOptions, PeerScript } from './AddressScript.js';
import { parseRequiredDelay } from '../validation/validate.js';
import { checkCode, checkConnectOptions, checkPeer } from './validate.js';

/**
 * The address accepts after `ms` of virtual time. The second argument is the server side, a {@link PeerScript},
 * or an object `{ peer?, tls? }` whose `tls` puts a TLS server in front of it ({@link TlsScript}: how long the
 * handshake takes, what it agrees on, or how it fails). Without a `peer`, the server stays silent and open.
 * Anything malformed throws at once, naming the piece (`ms`, `peer`, `options.tls.handshake`, ...).
 *
 * ## Example
 * ```ts
 * import { connectAfter } from 'rxconnect/testing';
 * import { map } from 'rxjs';
 *
 * const echo = connectAfter(20, (fromClient) => fromClient.pipe(map((bytes) => bytes)));
 * const secureEcho = connectAfter(20, { tls: { handshake: 40, alpn: 'h2' }, peer: (fromClient) => fromClient });
 * ```
 *
 * @param ms When the TCP connect succeeds, in ms of virtual time.
 * @param peerOrOptions The server side, or `{ peer?, tls? }`.
 * @returns The {@link AddressScript}.
 */
export function connectAfter(ms: number, peerOrOptions?: PeerScript | ConnectScriptOptions): AddressScript {
  const after = parseRequiredDelay(ms, 'ms');
  // Only a plain object is options: anything else (an Observable given for a peer script, ...) is a bad `peer`.
  if (!isPlainObject(peerOrOptions)) return { outcome: 'connect', after, peer: checkPeer(peerOrOptions, 'peer') };
  const { peer, tls } = checkConnectOptions(peerOrOptions, 'options');
  return tls === undefined ? { outcome: 'connect', after, peer } : { outcome: 'connect', after, peer, tls };
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

function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
