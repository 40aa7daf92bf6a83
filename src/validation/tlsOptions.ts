import { ipFamily } from '../core/address.js';
import type { TlsOptions, TlsServerOptions, TlsVersion } from '../core/tls.js';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { describe, parseBoolean, parseChoice, parseDelay, parseFunction, parseOptions, parseString } from './validate.js';
import type { KnownKeys } from './validate.js';

/** The keys of {@link TlsOptions}: anything else is rejected, with a suggestion. */
const TLS_OPTIONS: KnownKeys<TlsOptions> = {
  servername: true, ALPNProtocols: true, ca: true, cert: true, key: true, passphrase: true, pfx: true,
  rejectUnauthorized: true, minVersion: true, maxVersion: true, ciphers: true, session: true, checkServerIdentity: true,
};

/** The keys of {@link TlsServerOptions}. */
const TLS_SERVER_OPTIONS: KnownKeys<TlsServerOptions> = {
  key: true, cert: true, pfx: true, passphrase: true, ca: true, ALPNProtocols: true, requestCert: true,
  rejectUnauthorized: true, minVersion: true, maxVersion: true, ciphers: true, handshakeTimeout: true,
};

/** Names from Node's TLS options that rxconnect spells differently or decides itself. */
const TLS_ALIASES: Readonly<Record<string, string>> = {
  host: 'the host is connectAsync$\'s own argument; the name checked is "servername"',
  port: "the port is connectAsync$'s own argument",
  socket: 'rxconnect makes the socket; to upgrade one you have, use node:tls',
  secureContext: 'give "ca", "cert" and "key"; rxconnect keeps the SecureContext it makes from them for later connects',
  ALPNprotocols: 'ALPNProtocols',
  alpnProtocols: 'ALPNProtocols',
};

const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

function isMaterial(value: unknown): boolean {
  return typeof value === 'string' || value instanceof Uint8Array;
}

/** Key or certificate material: a string, bytes, or a non-empty list of them (for keys, also `{ pem, passphrase }`). */
function parseMaterial(value: unknown, argument: string, keyObjects = false): void {
  if (value === undefined || isMaterial(value)) return;
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item: unknown) => isMaterial(item) || (keyObjects && typeof item === 'object' && item !== null && isMaterial((item as { pem?: unknown }).pem)));
  if (!ok) {
    const what = keyObjects ? 'PEM text, bytes, or a list of them (or of { pem, passphrase })' : 'PEM text, bytes, or a list of them';
    throw new InvalidArgumentError(argument, `must be ${what}, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  }
  // A key's own passphrase: a misspelt or mistyped one would reach the TLS library unchecked.
  value.forEach((item: unknown, i) => {
    if (isMaterial(item)) return;
    const key = parseOptions<{ pem: unknown; passphrase?: unknown }>(item, `${argument}[${i}]`, { pem: true, passphrase: true });
    parseOptionalString(key.passphrase, `${argument}[${i}].passphrase`, 'a string');
  });
}

function parseProtocols(value: unknown, argument: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidArgumentError(argument, `must be a non-empty array of protocol names such as ['h2', 'http/1.1'], got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  }
  value.forEach((name: unknown, i) => {
    const protocol = parseString(name, `${argument}[${i}]`, 'a protocol name');
    if (protocol.length > 255) throw new InvalidArgumentError(`${argument}[${i}]`, 'must be at most 255 bytes long (ALPN)');
  });
}

function parseOptionalString(value: unknown, argument: string, what: string): void {
  if (value !== undefined) parseString(value, argument, what);
}

/** What both sides share: key material, versions and ciphers. */
function parseCommon(o: Partial<TlsOptions & TlsServerOptions>, argument: string): void {
  parseMaterial(o.ca, `${argument}.ca`);
  parseMaterial(o.cert, `${argument}.cert`);
  parseMaterial(o.key, `${argument}.key`, true);
  parseMaterial(o.pfx, `${argument}.pfx`);
  parseOptionalString(o.passphrase, `${argument}.passphrase`, 'a string');
  parseOptionalString(o.ciphers, `${argument}.ciphers`, "an OpenSSL cipher list such as 'ECDHE-RSA-AES128-GCM-SHA256'");
  parseBoolean(o.rejectUnauthorized, `${argument}.rejectUnauthorized`);
  parseProtocols(o.ALPNProtocols, `${argument}.ALPNProtocols`);
  const min = o.minVersion === undefined ? undefined : parseChoice<TlsVersion>(o.minVersion, `${argument}.minVersion`, VERSIONS, 'TLSv1.2');
  const max = o.maxVersion === undefined ? undefined : parseChoice<TlsVersion>(o.maxVersion, `${argument}.maxVersion`, VERSIONS, 'TLSv1.3');
  if (min !== undefined && max !== undefined && VERSIONS.indexOf(min) > VERSIONS.indexOf(max)) {
    throw new InvalidArgumentError(`${argument}.minVersion`, `is ${min}, above maxVersion ${max}`);
  }
}

/**
 * The `tls` option of a connect: undefined or false for none, true for the defaults, or {@link TlsOptions}.
 * Returns a new frozen object (one per connect call, so the transport may keep what it derives from it), with
 * `servername` set to `host` when none is given and `host` is a name: SNI carries no IP literals.
 */
export function parseTlsOptions(value: unknown, host: string, argument = 'tls'): TlsOptions | undefined {
  if (value === undefined || value === false) return undefined;
  const o = value === true ? {} : parseOptions<TlsOptions>(value, argument, TLS_OPTIONS, TLS_ALIASES);
  parseCommon(o, argument);
  if (o.servername !== undefined) {
    const name = parseString(o.servername, `${argument}.servername`, 'a host name');
    if (ipFamily(name) !== 0) throw new InvalidArgumentError(`${argument}.servername`, `must be a host name, not an IP address (SNI carries names only): ${JSON.stringify(name)}`);
  }
  parseFunction(o.checkServerIdentity, `${argument}.checkServerIdentity`);
  if (o.session !== undefined && !(o.session instanceof Uint8Array)) {
    throw new InvalidArgumentError(`${argument}.session`, `must be the bytes of a TLS session, got ${describe(o.session)}`, 'ERR_INVALID_ARG_TYPE');
  }
  const servername = o.servername ?? (ipFamily(host) === 0 ? host : undefined);
  return Object.freeze(servername === undefined ? { ...o } : { ...o, servername });
}

/** The default of {@link TlsServerOptions.handshakeTimeout}, Node's. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 120_000;

/**
 * The `tls` option of `listen$`: undefined for none, or {@link TlsServerOptions} with a key and certificate (or a
 * `pfx`). Returns a new frozen object with `handshakeTimeout` filled in.
 */
export function parseTlsServerOptions(value: unknown, argument = 'tls'): (TlsServerOptions & { readonly handshakeTimeout: number }) | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) throw new InvalidArgumentError(argument, 'must be an object with the server\'s key and cert (a server has no default certificate)');
  const o = parseOptions<TlsServerOptions>(value, argument, TLS_SERVER_OPTIONS, TLS_ALIASES);
  parseCommon(o, argument);
  if (o.pfx === undefined && (o.key === undefined || o.cert === undefined)) {
    throw new InvalidArgumentError(argument, 'must have key and cert (or pfx): a TLS server needs its certificate');
  }
  parseBoolean(o.requestCert, `${argument}.requestCert`);
  const handshakeTimeout = parseDelay(o.handshakeTimeout, `${argument}.handshakeTimeout`, DEFAULT_HANDSHAKE_TIMEOUT);
  if (handshakeTimeout === 0) throw new ArgumentOutOfRangeError(`${argument}.handshakeTimeout`, 'must be more than 0 ms');
  return Object.freeze({ ...o, handshakeTimeout });
}
