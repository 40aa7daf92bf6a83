import type { TlsInfo, TlsSession } from './tls.js';

/**
 * What a handshake agreed on, as a plain value read once (the session itself reads the socket when asked): the
 * `tls` of a `connected` or a `connection` event.
 */
export function tlsInfo(session: TlsSession): TlsInfo {
  const { protocol, alpnProtocol, authorized, authorizationError, cipher } = session;
  return authorizationError === undefined
    ? { protocol, alpnProtocol, authorized, cipher }
    : { protocol, alpnProtocol, authorized, authorizationError, cipher };
}
