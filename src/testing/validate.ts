import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ipFamily } from '../core/address.js';
import { parseBoolean, parseChoice, parseFunction, parseOptions, parseRecord, parseRequiredDelay, parseString } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import type { LookupScript, VirtualHost, VirtualNetworkOptions } from './VirtualNetwork.js';
import type { AddressScript, ConnectScriptOptions, PeerScript } from './AddressScript.js';
import type { TlsScript } from './TlsScript.js';
import type { TlsCertificate, TlsCipher, TlsVersion } from '../core/tls.js';

// The virtual network checks what it is given as the library checks its own arguments: at call time, with an
// InvalidArgumentError or ArgumentOutOfRangeError whose `argument` names the bad piece (a path such as
// `hosts["a.test"].addresses["192.0.2.1"].after`). A bad script would otherwise surface much later, inside the
// scheduler, as a connect that never ends or an exception thrown from `flush()`.

/** A non-empty errno code. */
export function checkCode(value: unknown, argument: string): string {
  return parseString(value, argument, 'an errno code such as "EHOSTUNREACH"');
}

/** An optional peer script: a function. */
export function checkPeer(value: unknown, argument: string): PeerScript | undefined {
  return parseFunction<PeerScript>(value, argument, 'a function (fromClient$) => Observable of what the server sends');
}

/** The options of connectAfter: `{ peer?, tls? }`. */
export function checkConnectOptions(value: unknown, argument: string): ConnectScriptOptions {
  const options = checkObject(value, argument, 'a peer script or { peer?, tls? }', CONNECT_OPTIONS);
  return { peer: checkPeer(options['peer'], `${argument}.peer`), tls: checkTlsScript(options['tls'], `${argument}.tls`) };
}

/** An optional {@link TlsScript}, with its combinations: `hang` excludes `handshake` and `fail`, `authorized` agrees with `authorizationError`. */
export function checkTlsScript(value: unknown, argument: string): TlsScript | undefined {
  if (value === undefined) return undefined;
  const script = checkObject(value, argument, 'a TLS script { handshake?, alpn?, fail?, hang?, ... }', TLS_SCRIPT_KEYS, TLS_SCRIPT_ALIASES);
  if (script['handshake'] !== undefined) parseRequiredDelay(script['handshake'], `${argument}.handshake`);
  if (script['fail'] !== undefined) parseString(script['fail'], `${argument}.fail`, 'an error code such as "CERT_HAS_EXPIRED"');
  if (parseBoolean(script['hang'], `${argument}.hang`) === true && (script['handshake'] !== undefined || script['fail'] !== undefined)) {
    throw new InvalidArgumentError(`${argument}.hang`, 'a server that never answers has no handshake time or failure: give hang, or handshake and fail');
  }
  if (script['alpn'] !== undefined) parseString(script['alpn'], `${argument}.alpn`, 'a protocol name such as "h2"');
  if (script['protocol'] !== undefined) parseChoice(script['protocol'], `${argument}.protocol`, VERSIONS, 'TLSv1.3');
  const authorized = parseBoolean(script['authorized'], `${argument}.authorized`);
  const why = script['authorizationError'];
  if (why !== undefined) parseString(why, `${argument}.authorizationError`, 'a verification code such as "DEPTH_ZERO_SELF_SIGNED_CERT"');
  if (authorized === true && why !== undefined) throw new InvalidArgumentError(`${argument}.authorizationError`, 'is only for a certificate that is not authorized');
  if (authorized === false && why === undefined) {
    throw new InvalidArgumentError(`${argument}.authorizationError`, 'must say why the certificate is not authorized (a code such as "DEPTH_ZERO_SELF_SIGNED_CERT")');
  }
  if (script['cipher'] !== undefined) {
    const cipher = checkObject(script['cipher'], `${argument}.cipher`, 'a cipher { name, standardName, version }', CIPHER_KEYS);
    for (const key of ['name', 'standardName', 'version'] as const) parseString(cipher[key], `${argument}.cipher.${key}`, 'a string');
  }
  if (script['certificate'] !== undefined) checkCertificate(script['certificate'], `${argument}.certificate`);
  return value as TlsScript;
}

/** A certificate as `getPeerCertificate()` gives it: the fields rxconnect documents must be there. */
function checkCertificate(value: unknown, argument: string): TlsCertificate {
  const certificate = parseRecord(value, argument, 'a certificate { subject, issuer, valid_from, valid_to, ... }');
  parseRecord(certificate['subject'], `${argument}.subject`, 'an object of subject fields such as { CN: "localhost" }');
  parseRecord(certificate['issuer'], `${argument}.issuer`, 'an object of issuer fields');
  for (const key of ['valid_from', 'valid_to', 'fingerprint256', 'serialNumber'] as const) parseString(certificate[key], `${argument}.${key}`, 'a string');
  if (certificate['subjectaltname'] !== undefined) parseString(certificate['subjectaltname'], `${argument}.subjectaltname`, 'a string');
  if (!(certificate['raw'] instanceof Uint8Array)) throw new InvalidArgumentError(`${argument}.raw`, 'must be the DER bytes (a Uint8Array)', 'ERR_INVALID_ARG_TYPE');
  return value as TlsCertificate;
}

const SCRIPT = 'an address script: connectAfter(), refuseAfter(), timeoutAfter(), failAfter() or hang()';

// The keys each object may have: anything else is rejected, with a suggestion.
type Outcome<O extends AddressScript['outcome']> = Extract<AddressScript, { outcome: O }>;
const SCRIPT_KEYS: { readonly [O in AddressScript['outcome']]: KnownKeys<Outcome<O>> } = {
  connect: { outcome: true, after: true, peer: true, tls: true },
  refuse: { outcome: true, after: true },
  timeout: { outcome: true, after: true },
  fail: { outcome: true, after: true, code: true },
  hang: { outcome: true },
};
const CONNECT_OPTIONS: KnownKeys<ConnectScriptOptions> = { peer: true, tls: true };
const TLS_SCRIPT_KEYS: KnownKeys<TlsScript> = {
  handshake: true, fail: true, hang: true, alpn: true, protocol: true, authorized: true, authorizationError: true, cipher: true, certificate: true,
};
const TLS_SCRIPT_ALIASES = { ALPNProtocols: 'use alpn: the one protocol the server picks', delay: 'handshake', after: 'handshake', code: 'fail', error: 'fail' };
const CIPHER_KEYS: KnownKeys<TlsCipher> = { name: true, standardName: true, version: true };
const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const HOST_KEYS: KnownKeys<VirtualHost> = { addresses: true, lookup: true };
const LOOKUP_KEYS: KnownKeys<NonNullable<VirtualHost['lookup']>> = { ipv4: true, ipv6: true };
const LOOKUP_ALIASES = { 4: 'ipv4', 6: 'ipv6' };
const LOOKUP_SCRIPT_KEYS: KnownKeys<Exclude<LookupScript, number>> = { after: true, error: true };
const NETWORK_OPTIONS: KnownKeys<VirtualNetworkOptions> = { localAddresses: true, families: true };
const LOCAL_ADDRESS_KEYS: KnownKeys<NonNullable<VirtualNetworkOptions['localAddresses']>> = { 4: true, 6: true };

/** A plain object with only the `known` keys; `what` describes it for the message when it is not an object. */
function checkObject<T extends object>(value: unknown, argument: string, what: string, known: KnownKeys<T>, aliases?: Readonly<Record<string, string>>): Readonly<Record<string, unknown>> {
  return parseOptions<T>(parseRecord(value, argument, what), argument, known, aliases);
}

function checkScript(value: unknown, argument: string): AddressScript {
  const script = parseRecord(value, argument, SCRIPT);
  const outcome = script['outcome'];
  if (typeof outcome === 'string' && Object.hasOwn(SCRIPT_KEYS, outcome)) parseOptions(script, argument, SCRIPT_KEYS[outcome as AddressScript['outcome']]);
  switch (outcome) {
    case 'hang':
      break;
    case 'connect':
      parseRequiredDelay(script['after'], `${argument}.after`);
      checkPeer(script['peer'], `${argument}.peer`);
      checkTlsScript(script['tls'], `${argument}.tls`);
      break;
    case 'fail':
      parseRequiredDelay(script['after'], `${argument}.after`);
      checkCode(script['code'], `${argument}.code`);
      break;
    case 'refuse':
    case 'timeout':
      parseRequiredDelay(script['after'], `${argument}.after`);
      break;
    default:
      throw new InvalidArgumentError(argument, `has an unknown outcome ${JSON.stringify(outcome)}: build it with connectAfter(), refuseAfter(), ...`);
  }
  return value as AddressScript;
}

function checkLookup(value: unknown, argument: string): LookupScript | undefined {
  if (value === undefined || typeof value === 'number') return value === undefined ? undefined : parseRequiredDelay(value, argument);
  const script = checkObject(value, argument, 'a delay in ms or { after, error? }', LOOKUP_SCRIPT_KEYS);
  parseRequiredDelay(script['after'], `${argument}.after`);
  if (script['error'] !== undefined) checkCode(script['error'], `${argument}.error`);
  return value as LookupScript;
}

/** Checks `hosts` through and through; returns address → script, the first host listing an address winning. */
export function checkHosts(hosts: unknown): Map<string, AddressScript> {
  const scripts = new Map<string, AddressScript>();
  for (const [name, value] of Object.entries(parseRecord(hosts, 'hosts', 'an object of host name → { addresses, lookup? }'))) {
    const at = `hosts[${JSON.stringify(name)}]`;
    const host = checkObject(value, at, 'an object { addresses, lookup? }', HOST_KEYS);
    const addresses = parseRecord(host['addresses'], `${at}.addresses`, 'an object of IP literal → address script');
    for (const [address, script] of Object.entries(addresses)) {
      if (ipFamily(address) === 0) throw new InvalidArgumentError(`${at}.addresses`, `${JSON.stringify(address)} is not an IP literal`);
      const checked = checkScript(script, `${at}.addresses[${JSON.stringify(address)}]`);
      if (!scripts.has(address)) scripts.set(address, checked);
    }
    const lookup = host['lookup'];
    if (lookup !== undefined) {
      const families = checkObject(lookup, `${at}.lookup`, 'an object { ipv4?, ipv6? }', LOOKUP_KEYS, LOOKUP_ALIASES);
      checkLookup(families['ipv4'], `${at}.lookup.ipv4`);
      checkLookup(families['ipv6'], `${at}.lookup.ipv6`);
    }
  }
  return scripts;
}

/** Checks the network's options. */
export function checkNetworkOptions(options: unknown): VirtualNetworkOptions {
  if (options === undefined) return {};
  const checked = checkObject(options, 'options', 'an object { localAddresses?, families? }', NETWORK_OPTIONS);
  if (checked['localAddresses'] !== undefined) {
    const locals = checkObject(checked['localAddresses'], 'options.localAddresses', 'an object { 4?, 6? } of IP literals', LOCAL_ADDRESS_KEYS);
    for (const family of [4, 6] as const) {
      const address = locals[family];
      if (address !== undefined && (typeof address !== 'string' || ipFamily(address) !== family)) {
        throw new InvalidArgumentError('options.localAddresses', `[${family}] must be an IPv${family} literal, got ${JSON.stringify(address)}`);
      }
    }
  }
  const families = checked['families'];
  if (families !== undefined && (!Array.isArray(families) || families.some((f) => f !== 4 && f !== 6))) {
    throw new InvalidArgumentError('options.families', `must be an array of 4 and 6, got ${JSON.stringify(families)}`);
  }
  return options as VirtualNetworkOptions;
}
