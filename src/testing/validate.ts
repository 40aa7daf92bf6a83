import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ipFamily } from '../core/address.js';
import type { LookupScript, VirtualNetworkOptions } from './VirtualNetwork.js';
import type { AddressScript } from './AddressScript.js';

// The virtual network checks what it is given as the library checks its own arguments: at call time, with an
// InvalidArgumentError or ArgumentOutOfRangeError whose `argument` names the bad piece (a path such as
// `hosts["a.test"].addresses["192.0.2.1"].after`). A bad script would otherwise surface much later, inside the
// scheduler, as a connect that never ends or an exception thrown from `flush()`.

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A required delay in ms: a finite number ≥ 0. */
export function checkDelay(value: unknown, argument: string): number {
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number of milliseconds, got ${value === null ? 'null' : typeof value}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(value) || value < 0) throw new ArgumentOutOfRangeError(argument, `must be a finite, non-negative number of milliseconds, got ${value}`);
  return value;
}

/** A non-empty errno code. */
export function checkCode(value: unknown, argument: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `must be an errno code such as "EHOSTUNREACH", got ${value === null ? 'null' : typeof value}`, 'ERR_INVALID_ARG_TYPE');
  if (value === '') throw new InvalidArgumentError(argument, 'must be a non-empty errno code such as "EHOSTUNREACH"');
  return value;
}

/** An optional peer script: a function. */
export function checkPeer(value: unknown, argument: string): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidArgumentError(argument, 'must be a function (fromClient$) => Observable of what the server sends', 'ERR_INVALID_ARG_TYPE');
  }
}

function checkScript(value: unknown, argument: string): AddressScript {
  if (!isObject(value)) throw new InvalidArgumentError(argument, 'must be an address script: connectAfter(), refuseAfter(), timeoutAfter(), failAfter() or hang()', 'ERR_INVALID_ARG_TYPE');
  switch (value['outcome']) {
    case 'hang':
      break;
    case 'connect':
      checkDelay(value['after'], `${argument}.after`);
      checkPeer(value['peer'], `${argument}.peer`);
      break;
    case 'fail':
      checkDelay(value['after'], `${argument}.after`);
      checkCode(value['code'], `${argument}.code`);
      break;
    case 'refuse':
    case 'timeout':
      checkDelay(value['after'], `${argument}.after`);
      break;
    default:
      throw new InvalidArgumentError(argument, `has an unknown outcome ${JSON.stringify(value['outcome'])}: build it with connectAfter(), refuseAfter(), ...`);
  }
  return value as AddressScript;
}

function checkLookup(value: unknown, argument: string): LookupScript | undefined {
  if (value === undefined || typeof value === 'number') return value === undefined ? undefined : checkDelay(value, argument);
  if (!isObject(value)) throw new InvalidArgumentError(argument, 'must be a delay in ms or { after, error? }', 'ERR_INVALID_ARG_TYPE');
  checkDelay(value['after'], `${argument}.after`);
  if (value['error'] !== undefined) checkCode(value['error'], `${argument}.error`);
  return value as LookupScript;
}

/** Checks `hosts` through and through; returns address → script, the first host listing an address winning. */
export function checkHosts(hosts: unknown): Map<string, AddressScript> {
  if (!isObject(hosts)) throw new InvalidArgumentError('hosts', 'must be an object of host name → { addresses, lookup? }', 'ERR_INVALID_ARG_TYPE');
  const scripts = new Map<string, AddressScript>();
  for (const [name, host] of Object.entries(hosts)) {
    const at = `hosts[${JSON.stringify(name)}]`;
    if (!isObject(host)) throw new InvalidArgumentError(at, 'must be an object { addresses, lookup? }', 'ERR_INVALID_ARG_TYPE');
    if (!isObject(host['addresses'])) throw new InvalidArgumentError(`${at}.addresses`, 'must be an object of IP literal → address script', 'ERR_INVALID_ARG_TYPE');
    for (const [address, script] of Object.entries(host['addresses'])) {
      if (ipFamily(address) === 0) throw new InvalidArgumentError(`${at}.addresses`, `${JSON.stringify(address)} is not an IP literal`);
      const checked = checkScript(script, `${at}.addresses[${JSON.stringify(address)}]`);
      if (!scripts.has(address)) scripts.set(address, checked);
    }
    const lookup = host['lookup'];
    if (lookup !== undefined) {
      if (!isObject(lookup)) throw new InvalidArgumentError(`${at}.lookup`, 'must be an object { ipv4?, ipv6? }', 'ERR_INVALID_ARG_TYPE');
      checkLookup(lookup['ipv4'], `${at}.lookup.ipv4`);
      checkLookup(lookup['ipv6'], `${at}.lookup.ipv6`);
    }
  }
  return scripts;
}

/** Checks the network's options. */
export function checkNetworkOptions(options: unknown): VirtualNetworkOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new InvalidArgumentError('options', 'must be an object { localAddresses?, families? }', 'ERR_INVALID_ARG_TYPE');
  const locals = options['localAddresses'];
  if (locals !== undefined) {
    if (!isObject(locals)) throw new InvalidArgumentError('options.localAddresses', 'must be an object { 4?, 6? } of IP literals', 'ERR_INVALID_ARG_TYPE');
    for (const family of [4, 6] as const) {
      const address = locals[family];
      if (address !== undefined && (typeof address !== 'string' || ipFamily(address) !== family)) {
        throw new InvalidArgumentError('options.localAddresses', `[${family}] must be an IPv${family} literal, got ${JSON.stringify(address)}`);
      }
    }
  }
  const families = options['families'];
  if (families !== undefined && (!Array.isArray(families) || families.some((f) => f !== 4 && f !== 6))) {
    throw new InvalidArgumentError('options.families', `must be an array of 4 and 6, got ${JSON.stringify(families)}`);
  }
  return options as VirtualNetworkOptions;
}
