import type { KeyObject, X509Certificate } from 'node:crypto';
import type { TlsOptions, TlsServerOptions } from '../index.js';
import { nodeCrypto } from './builtins.js';
import type { CliIo } from './io.js';
import { readCa, readPem } from './pem.js';
import { UsageError } from './usage.js';

/** The TLS options of `rxconnect probe`, as commander parsed them. */
export type ProbeTlsFlags = {
  readonly tls?: boolean | undefined;
  readonly servername?: string | undefined;
  readonly alpn?: readonly string[] | undefined;
  readonly ca?: string | undefined;
  readonly insecure?: boolean | undefined;
};

/** The TLS options of `rxconnect serve`. */
export type ServeTlsFlags = {
  readonly tls?: boolean | undefined;
  readonly key?: string | undefined;
  readonly cert?: string | undefined;
  readonly ca?: string | undefined;
  readonly requestCert?: boolean | undefined;
  readonly alpn?: readonly string[] | undefined;
};

/** Commander's name of each option, for the messages. */
const OPTION_NAMES: Readonly<Record<string, string>> = {
  servername: "'--servername <name>'",
  alpn: "'--alpn <list>'",
  ca: "'--ca <file>'",
  insecure: "'--insecure'",
  key: "'--key <file>'",
  cert: "'--cert <file>'",
  requestCert: "'--request-cert'",
};

function needs(flags: Readonly<Record<string, unknown>>, names: readonly string[], what: string): void {
  const given = names.find((name) => flags[name] !== undefined && flags[name] !== false);
  if (given !== undefined) throw new UsageError(`option ${OPTION_NAMES[given]} needs ${what}`);
}

/** The TLS of probe's connects: `tls` for `host:port` targets (with `--tls`), `https` for `https://` URLs. */
export type ProbeTls = { readonly tls: TlsOptions | undefined; readonly https: TlsOptions };

/**
 * The `tls` options of probe's connects from its flags. For `host:port` targets: undefined without `--tls`. For
 * `https://` URLs (`httpsUrls`): `--servername`, `--ca` and `--insecure` as with `--tls`, and ALPN `http/1.1`,
 * the one protocol the request speaks. Without `--tls` and without an `https://` URL, the companions are a
 * {@link UsageError}; with `--ca`, the PEM file is read now (an unreadable one is a usage error too).
 */
export async function probeTls(flags: ProbeTlsFlags, io: CliIo, httpsUrls = false): Promise<ProbeTls> {
  const https: TlsOptions = { ALPNProtocols: ['http/1.1'] };
  if (flags.tls !== true && !httpsUrls) {
    needs(flags, ['servername', 'alpn', 'ca', 'insecure'], '--tls');
    return { tls: undefined, https };
  }
  const ca = flags.ca === undefined ? undefined : await readCa(io, flags.ca);
  const common: TlsOptions = {
    ...(flags.servername === undefined ? {} : { servername: flags.servername }),
    ...(ca === undefined ? {} : { ca }),
    ...(flags.insecure === true ? { rejectUnauthorized: false } : {}),
  };
  const tls = flags.tls === true ? { ...common, ...(flags.alpn === undefined ? {} : { ALPNProtocols: flags.alpn }) } : undefined;
  return { tls, https: { ...common, ...https } };
}

/**
 * Checks that `key` is a private key and `cert` a certificate for it, so that a wrong file fails at start, not
 * at each client's handshake. Throws a {@link UsageError} naming the option and the file.
 */
function checkKeyPair(key: string, keyFile: string, cert: string, certFile: string): void {
  let privateKey: KeyObject;
  try {
    privateKey = nodeCrypto().createPrivateKey(key);
  } catch {
    throw new UsageError(`--key: ${keyFile} holds no private key that can be read (an encrypted key is not supported)`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new (nodeCrypto().X509Certificate)(cert);
  } catch {
    throw new UsageError(`--cert: ${certFile} holds no certificate that can be read`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new UsageError(`--cert: the certificate in ${certFile} is not for the key in ${keyFile}`);
}

/**
 * The `tls` option of serve's `listen$` from its flags: undefined without `--tls` (whose companions are then a
 * {@link UsageError}); with it, `--key` and `--cert` are required, every file is read now, and the key and the
 * certificate must belong together.
 */
export async function serveTls(flags: ServeTlsFlags, io: CliIo): Promise<TlsServerOptions | undefined> {
  if (flags.tls !== true) {
    needs(flags, ['key', 'cert', 'ca', 'requestCert', 'alpn'], '--tls');
    return undefined;
  }
  if (flags.key === undefined) throw new UsageError("option '--tls' needs --key <file> (the server's private key)");
  if (flags.cert === undefined) throw new UsageError("option '--tls' needs --cert <file> (the server's certificate)");
  if (flags.requestCert !== true) needs(flags, ['ca'], '--request-cert (the CAs check client certificates)');
  const key = await readPem(io, '--key', flags.key);
  const cert = await readPem(io, '--cert', flags.cert);
  checkKeyPair(key, flags.key, cert, flags.cert);
  const ca = flags.ca === undefined ? undefined : await readCa(io, flags.ca);
  return {
    key,
    cert,
    ...(ca === undefined ? {} : { ca }),
    ...(flags.requestCert === true ? { requestCert: true } : {}),
    ...(flags.alpn === undefined ? {} : { ALPNProtocols: flags.alpn }),
  };
}
