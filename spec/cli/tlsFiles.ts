import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCertificates } from '../helpers/certs.js';

/** The test certificates as PEM files, for the CLI's file options. */
export type TlsFiles = {
  readonly dir: string;
  /** The test CA's certificate. */
  readonly ca: string;
  /** The server's key and certificate (localhost, 127.0.0.1, ::1), signed by the CA. */
  readonly key: string;
  readonly cert: string;
  /** A client certificate signed by the CA, and its key. */
  readonly clientKey: string;
  readonly clientCert: string;
  /** A file that is not PEM. */
  readonly notPem: string;
  /** Deletes the directory. */
  remove(): void;
};

/** Writes the run's test certificates into a new temporary directory. Call `remove()` in afterEach. */
export function tlsFiles(): TlsFiles {
  const certs = testCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'rxconnect-cli-tls-'));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return {
    dir,
    ca: file('ca.pem', certs.ca),
    key: file('key.pem', certs.server.key),
    cert: file('cert.pem', certs.server.cert),
    clientKey: file('client-key.pem', certs.client.key),
    clientCert: file('client-cert.pem', certs.client.cert),
    notPem: file('not.pem', 'hello\n'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
