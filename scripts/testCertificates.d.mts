/** A private key and its certificate, PEM-encoded, as `tls.createServer` and `tls.connect` take them. */
export type KeyAndCert = { readonly key: string; readonly cert: string };

/** Certificates made for one run by a throwaway CA: nothing committed, nothing that expires in the repository. */
export type TestCertificates = {
  /** The CA's certificate: trust it with `ca`. */
  readonly ca: string;
  /** A server leaf for `localhost`, 127.0.0.1 and ::1, valid from an hour ago for a day. */
  readonly server: KeyAndCert;
  /** A server leaf for `other.example` only: a wrong name for loopback. */
  readonly wrongName: KeyAndCert;
  /** A server leaf for the name `localhost` only, without the loopback addresses: wrong for a connect to an IP. */
  readonly localhostOnly: KeyAndCert;
  /** A server leaf for `localhost` whose validity ended yesterday. */
  readonly expired: KeyAndCert;
  /** A certificate for `localhost` that signs itself (no CA). */
  readonly selfSigned: KeyAndCert;
  /** A client leaf (`CN=rxconnect test client`), for servers that ask for client certificates. */
  readonly client: KeyAndCert;
  /** A client certificate (`CN=rxconnect test client`) that signs itself (no CA). */
  readonly selfSignedClient: KeyAndCert;
};

/** The run's certificates, made on first use and shared by everything in the process. */
export function testCertificates(): TestCertificates;
