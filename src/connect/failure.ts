import { ConnectError } from '../errors/ConnectError.js';
import { mostRelevant } from '../errors/codes.js';
import { lookupCode, lookupFailure } from '../transport/lookup.js';

/** What a connect that found no connection knows when it gives up. */
export type ConnectFailure = {
  readonly host: string;
  readonly port: number;
  /** Every attempt's own error, in attempt order. */
  readonly attemptErrors: readonly ConnectError[];
  /** How many resolved addresses were not tried, having no local address of their family. */
  readonly skippedForNoLocal: number;
  /** The errors of the lookups of `host`, in the order they came. */
  readonly lookupErrors: readonly unknown[];
};

/**
 * The error of a whole connect that found no connection, from what got furthest: the attempts' errors
 * (aggregated, the most relevant code first), then addresses that no local address could reach (Tcl: host is
 * unreachable), then the lookup's error, then a lookup that found no address (`ENOTFOUND`).
 */
export function connectFailure({ host, port, attemptErrors, skippedForNoLocal, lookupErrors }: ConnectFailure): ConnectError {
  if (attemptErrors.length > 0) return ConnectError.aggregate(attemptErrors, { code: 'ECONNREFUSED' });
  if (skippedForNoLocal > 0) {
    return new ConnectError({ code: 'EHOSTUNREACH', port, detail: `no local address of the family of ${host}'s addresses` });
  }
  if (lookupErrors.length > 0) return lookupFailure(host, mostRelevant(lookupErrors, lookupCode), port);
  return new ConnectError({ code: 'ENOTFOUND', port, detail: `${host} has no addresses` });
}

/** The error of a connect whose local address `myaddr` resolved to nothing. */
export function localAddressFailure(myaddr: string, error: unknown): ConnectError {
  return lookupFailure(`local address ${myaddr}`, error, undefined);
}
