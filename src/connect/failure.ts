import { ConnectError } from '../errors/ConnectError.js';
import { errorCode, handshakeText, lookupCode, lookupFailure, mostRelevant, tclText } from '../errors/codes.js';
import type { SocketAddress } from '../core/socket.js';

/** A lookup of the host that failed: the family it asked for (0 for both) and the resolver's error. */
export type LookupError = { readonly family: 0 | 4 | 6; readonly error: unknown };

/** What a connect that found no connection knows when it gives up. */
export type ConnectFailure = {
  readonly host: string;
  readonly port: number;
  /** Every attempt's own error, in attempt order. */
  readonly attemptErrors: readonly ConnectError[];
  /** How many resolved addresses were not tried, having no local address of their family. */
  readonly skippedForNoLocal: number;
  /** The errors of the lookups of `host`, in the order they came. */
  readonly lookupErrors: readonly LookupError[];
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
  if (lookupErrors.length > 0) return lookupsFailure(host, port, lookupErrors);
  return new ConnectError({ code: 'ENOTFOUND', port, detail: `${host} has no addresses` });
}

/**
 * The error of lookups that all failed. The most relevant code leads; when the lookups failed differently (the
 * AAAA and the A lookup), the message names each one's error and `cause` is an AggregateError of them all.
 */
function lookupsFailure(host: string, port: number, errors: readonly LookupError[]): ConnectError {
  const best = mostRelevant(errors, (e) => lookupCode(e.error)) as LookupError;
  const texts = errors.map(({ error }) => tclText(lookupCode(error), messageOf(error)));
  if (new Set(texts).size === 1) return new ConnectError(lookupFailure(host, best.error, port));
  const each = errors.map(({ family }, i) => `${family === 0 ? '' : `IPv${family} `}${texts[i] ?? ''}`);
  return new ConnectError({
    code: lookupCode(best.error),
    port,
    detail: `lookups of ${host} failed: ${each.join('; ')}`,
    cause: new AggregateError(errors.map((e) => e.error), `lookups of ${host} failed`),
  });
}

function messageOf(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** What an aborted connect had got to: its attempts' errors (in attempt order), the address and the port. */
export type AbortedConnect = {
  readonly attemptErrors: readonly ConnectError[];
  readonly address: string | undefined;
  readonly port: number | undefined;
};

/**
 * The error of a connect ended by its AbortSignal: code `ABORT_ERR`, name `AbortError` (as Node's), the signal's
 * reason as `cause`. It carries every attempt's error (those aborted in flight among them) and a clause per
 * attempt; with no attempt, the reason's text is said in the message.
 */
export function abortFailure(reason: unknown, connect?: AbortedConnect): ConnectError {
  const text = typeof reason === 'string' ? reason : messageOf(reason);
  const error = new ConnectError({
    code: 'ABORT_ERR',
    address: connect?.address,
    port: connect?.port,
    attempts: connect?.attemptErrors,
    detail: text === '' ? undefined : text,
    cause: reason,
  });
  return Object.assign(error, { name: 'AbortError' });
}

/** The error of a connect whose local address `myaddr` resolved to nothing. */
export function localAddressFailure(myaddr: string, error: unknown): ConnectError {
  return new ConnectError(lookupFailure(`local address ${myaddr}`, error, undefined));
}

/**
 * The error of an attempt whose TLS handshake failed: Node's code, a text that names the host
 * (`certificate for localhost is self-signed`), the address, and Node's error as `cause`.
 */
export function handshakeFailure(address: SocketAddress, duration: number, cause: unknown, host: string, local?: SocketAddress): ConnectError {
  const text = handshakeText(cause, `certificate for ${host}`);
  return new ConnectError({ code: errorCode(cause), address: address.address, port: address.port, duration, local, cause, text, handshake: true });
}
