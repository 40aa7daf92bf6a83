/** Key or certificate material: PEM text or bytes, or a list of them (a chain, several CAs). A `ca` item must hold a PEM certificate. */
export type TlsMaterial = string | Uint8Array | readonly (string | Uint8Array)[];

/** A private key, alone or with its own passphrase, as `tls.createSecureContext` takes it. */
export type TlsKey = string | Uint8Array | readonly (string | Uint8Array | TlsKeyWithPassphrase)[];

/** One private key of a {@link TlsKey} list with its own passphrase. */
export type TlsKeyWithPassphrase = {
  /** The key, PEM text or bytes. */
  readonly pem: string | Uint8Array;
  /** Its passphrase, when it is encrypted. */
  readonly passphrase?: string;
};

/** A TLS protocol version, as `minVersion`/`maxVersion` take it. */
export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

/**
 * The certificate of the other side, as Node's `tlsSocket.getPeerCertificate()` returns it (the fields rxconnect
 * documents; Node's object has more, `issuerCertificate` among them when asked for the chain).
 */
export type TlsCertificate = {
  /** The subject's fields: `CN`, `O`, ... */
  readonly subject: Readonly<Record<string, string | readonly string[]>>;
  /** The issuer's fields. */
  readonly issuer: Readonly<Record<string, string | readonly string[]>>;
  /** The alternative names, `DNS:localhost, IP Address:127.0.0.1`. */
  readonly subjectaltname?: string;
  /** Start of validity, as OpenSSL prints it (`Dec  2 14:00:00 2026 GMT`). */
  readonly valid_from: string;
  /** End of validity. */
  readonly valid_to: string;
  /** The SHA-256 fingerprint, hex bytes joined by colons. */
  readonly fingerprint256: string;
  /** The serial number, in hex. */
  readonly serialNumber: string;
  /** The DER encoding. */
  readonly raw: Uint8Array;
};

/** The cipher a TLS session uses. */
export type TlsCipher = {
  /** OpenSSL's name (`TLS_AES_256_GCM_SHA384`). */
  readonly name: string;
  /** The IETF name. */
  readonly standardName: string;
  /** The lowest protocol version it works with. */
  readonly version: string;
};

/** What a finished handshake agreed on: the `tls` of a `connected` event. */
export type TlsInfo = {
  /** The protocol version (`TLSv1.3`). */
  readonly protocol: string | null;
  /** The protocol agreed by ALPN (`h2`), or null when none was. */
  readonly alpnProtocol: string | null;
  /** Whether the peer's certificate was verified against the trusted CAs (and, on a client, the name). */
  readonly authorized: boolean;
  /** Why it was not, when it was not (`DEPTH_ZERO_SELF_SIGNED_CERT`, ...): only with `rejectUnauthorized: false`. */
  readonly authorizationError?: string;
  /** The cipher. */
  readonly cipher: TlsCipher;
};

/** A TLS session of a connected channel: what the handshake agreed on, and the peer's certificate on request. */
export type TlsSession = TlsInfo & {
  /**
   * The peer's certificate, or null when it sent none (a client that was not asked for one), or when it is first
   * asked for after the channel has closed (asked for before, it is kept).
   *
   * @param detailed With `true`, the whole chain through `issuerCertificate`, as Node's `getPeerCertificate(true)`.
   */
  peerCertificate(detailed?: boolean): TlsCertificate | null;
};

/**
 * The TLS settings of a connect: the `tls` option of `connectAsync$` and `connect` (`true` means all defaults).
 * They are Node's `tls.connect` options that make sense per connection.
 */
export type TlsOptions = {
  /** The name sent for SNI and checked against the certificate. Default: the host, when it is a name (not an IP literal). */
  readonly servername?: string;
  /** The protocols to offer by ALPN, most preferred first (`['h2', 'http/1.1']`). */
  readonly ALPNProtocols?: readonly string[];
  /** The CAs to trust instead of Node's bundled ones. */
  readonly ca?: TlsMaterial;
  /** A client certificate (chain), for servers that ask for one. */
  readonly cert?: TlsMaterial;
  /** The client certificate's private key. */
  readonly key?: TlsKey;
  /** The passphrase of `key` or `pfx`. */
  readonly passphrase?: string;
  /** A PKCS#12 bundle of key and certificate, instead of `key` and `cert`. */
  readonly pfx?: TlsMaterial;
  /** Whether a certificate that does not verify fails the connect. Default true. */
  readonly rejectUnauthorized?: boolean;
  /** The lowest protocol version to accept. Default Node's (`TLSv1.2`). */
  readonly minVersion?: TlsVersion;
  /** The highest protocol version to offer. */
  readonly maxVersion?: TlsVersion;
  /** OpenSSL's cipher list, replacing Node's default. */
  readonly ciphers?: string;
  /** A session to resume, from an earlier connection's `session` event in Node. */
  readonly session?: Uint8Array;
  /**
   * Checks the server's certificate against the name (after the CA check); returns an Error to fail the
   * handshake. Default: Node's `tls.checkServerIdentity`.
   */
  readonly checkServerIdentity?: (hostname: string, certificate: TlsCertificate) => Error | undefined;
};

/** The TLS settings of `listen$`: the server's key and certificate, and how it treats clients. */
export type TlsServerOptions = {
  /** The server's private key (required unless `pfx` is given). */
  readonly key?: TlsKey;
  /** The server's certificate (chain). */
  readonly cert?: TlsMaterial;
  /** A PKCS#12 bundle of key and certificate, instead of `key` and `cert`. */
  readonly pfx?: TlsMaterial;
  /** The passphrase of `key` or `pfx`. */
  readonly passphrase?: string;
  /** The CAs that client certificates are checked against. */
  readonly ca?: TlsMaterial;
  /** The protocols the server accepts by ALPN, most preferred first. */
  readonly ALPNProtocols?: readonly string[];
  /** Ask clients for a certificate. Default false. */
  readonly requestCert?: boolean;
  /** With `requestCert`: drop clients whose certificate does not verify. Default true. */
  readonly rejectUnauthorized?: boolean;
  /** The lowest protocol version to accept. */
  readonly minVersion?: TlsVersion;
  /** The highest protocol version to accept. */
  readonly maxVersion?: TlsVersion;
  /** OpenSSL's cipher list, replacing Node's default. */
  readonly ciphers?: string;
  /**
   * Milliseconds a client has to finish its handshake, timed on the listen's scheduler; a client that takes
   * longer is dropped and reported. Default 120000 (Node's).
   */
  readonly handshakeTimeout?: number;
};
