import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ipFamily } from '../core/address.js';
import { parseFunction, parseOptions, parseRecord, parseRequiredDelay, parseString } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import type { LookupScript, VirtualHost, VirtualNetworkOptions } from './VirtualNetwork.js';
import type { AddressScript, PeerScript } from './AddressScript.js';

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

const SCRIPT = 'an address script: connectAfter(), refuseAfter(), timeoutAfter(), failAfter() or hang()';

// The keys each object may have: anything else is rejected, with a suggestion.
type Outcome<O extends AddressScript['outcome']> = Extract<AddressScript, { outcome: O }>;
const SCRIPT_KEYS: { readonly [O in AddressScript['outcome']]: KnownKeys<Outcome<O>> } = {
  connect: { outcome: true, after: true, peer: true },
  refuse: { outcome: true, after: true },
  timeout: { outcome: true, after: true },
  fail: { outcome: true, after: true, code: true },
  hang: { outcome: true },
};
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
