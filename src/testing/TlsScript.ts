import type { TlsCertificate, TlsCipher, TlsVersion } from '../core/tls.js';

/**
 * How the TLS server behind a virtual address answers a client's handshake: the `tls` of
 * {@link connectAfter}'s options. The handshake takes `handshake` ms of virtual time from the client's
 * ClientHello, then succeeds with what the fields say, or fails with `fail`'s code; with `hang` the server never
 * answers. The server's choices meet the client's `tls` options as a real server's would: an `alpn` the client
 * did not offer fails with `ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL`, a `protocol` outside the client's
 * `minVersion`..`maxVersion` with `ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION`, a certificate that is not
 * `authorized` fails with its `authorizationError` unless the client sets `rejectUnauthorized: false`, and the
 * client's `checkServerIdentity` (when given) is called with the `certificate`.
 *
 * The address's {@link PeerScript} starts once the handshake has succeeded and sees plaintext both ways. Bytes
 * the client sends before a handshake reset the connection, as a TLS server drops a record that is not a
 * ClientHello.
 *
 * ## Example
 * ```ts
 * import { connectAfter } from 'rxconnect/testing';
 *
 * const h2 = connectAfter(60, { tls: { handshake: 60, alpn: 'h2' } });
 * const expired = connectAfter(60, { tls: { handshake: 30, fail: 'CERT_HAS_EXPIRED' } });
 * const selfSigned = connectAfter(10, { tls: { handshake: 20, authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
 * const stalls = connectAfter(10, { tls: { hang: true } });
 * ```
 */
export type TlsScript = {
  /** Milliseconds of virtual time from the start of the handshake to its end (success or `fail`). Default 0. */
  readonly handshake?: number | undefined;
  /**
   * Fails the handshake with this code, as Node reports it (`CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`,
   * `ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE`, `ECONNRESET` for a server that closes mid-handshake, ...).
   */
  readonly fail?: string | undefined;
  /**
   * The server never answers the ClientHello: only a timeout, an abort or an unsubscribe ends the handshake.
   * Not with `handshake` or `fail`.
   */
  readonly hang?: boolean | undefined;
  /** The protocol the server picks by ALPN (`h2`). Default none: `alpnProtocol` is null. */
  readonly alpn?: string | undefined;
  /** The protocol version agreed. Default `TLSv1.3`. */
  readonly protocol?: TlsVersion | undefined;
  /** Whether the certificate verifies. Default true, or false when `authorizationError` is given (`false` needs one). */
  readonly authorized?: boolean | undefined;
  /** Why the certificate does not verify (`DEPTH_ZERO_SELF_SIGNED_CERT`, ...): the code a rejecting client fails with. */
  readonly authorizationError?: string | undefined;
  /** The cipher. Default `TLS_AES_256_GCM_SHA384` for TLS 1.3, `ECDHE-RSA-AES128-GCM-SHA256` before. */
  readonly cipher?: TlsCipher | undefined;
  /** The server's certificate, as `peerCertificate()` returns it. Default none (null). */
  readonly certificate?: TlsCertificate | undefined;
};
