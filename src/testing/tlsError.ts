import type { TlsCertificate } from '../core/tls.js';

/** Node's messages for the verification codes and the disconnect a virtual handshake can fail with. */
const MESSAGES: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  ECONNRESET: 'Client network socket disconnected before secure TLS connection was established',
};

/**
 * A handshake error shaped as Node's: an Error with `code` and `reason`. OpenSSL's (`ERR_SSL_*`) carry the reason
 * OpenSSL prints, which Node's code is made from (`wrong version number` → `ERR_SSL_WRONG_VERSION_NUMBER`), and
 * `library`; a name mismatch names the host and carries the certificate, as Node's `checkServerIdentity` does.
 *
 * @param host The name (or address) the client checked, for `ERR_TLS_CERT_ALTNAME_INVALID`.
 */
export function tlsError(code: string, host: string, certificate?: TlsCertificate): Error {
  if (code.startsWith('ERR_SSL_')) {
    const reason = code.slice('ERR_SSL_'.length).toLowerCase().replaceAll('_', ' ');
    return Object.assign(new Error(`error:0A000000:SSL routines::${reason}`), { code, library: 'SSL routines', reason });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = certificate?.subjectaltname ?? '';
    const reason = `Host: ${host}. is not in the cert's altnames: ${names}`;
    return Object.assign(new Error(`Hostname/IP does not match certificate's altnames: ${reason}`), { code, reason, host, cert: certificate });
  }
  const message = MESSAGES[code] ?? code;
  return Object.assign(new Error(message), { code, reason: message });
}
