import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ipFamily, isHostname, unbracket } from '../core/address.js';
import { servicePort } from '../core/services.js';

// Every entry point checks its arguments with these parsers, at call time: a bad one throws an
// InvalidArgumentError (wrong type, unusable value) or an ArgumentOutOfRangeError (a number out of range) whose
// `argument` names it, before anything is opened.

/**
 * The longest delay in ms a timer can wait: Node's timers (and so RxJS's `asyncScheduler`) fire after 1 ms
 * for anything longer, so every delay above it is rejected instead.
 */
export const MAX_DELAY: number = 2 ** 31 - 1;

/** A value as an error message shows it: strings quoted, numbers and the like as they are, the rest by type. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}

/** The message of a port out of range (made only when one is: a connect parses a port every time). */
function portRange(min: number, value: unknown): string {
  return `must be an integer from ${min} to 65535 or a service name, got ${describe(value)}`;
}

/**
 * A port: an integer from 1 (0 where `allowZero`) to 65535, a numeric string, or a service name from the
 * services database.
 */
export function parsePort(value: unknown, argument: string, allowZero = false): number {
  const min = allowZero ? 0 : 1;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < min || value > 65535) throw new ArgumentOutOfRangeError(argument, portRange(min, value));
    return value;
  }
  const name = parseString(value, argument, 'a number or a service name');
  if (/^\d+$/.test(name)) return parsePort(Number(name), argument, allowZero);
  if (/^-?\d/.test(name)) throw new ArgumentOutOfRangeError(argument, portRange(min, name));
  const port = servicePort(name);
  if (port === undefined) throw new InvalidArgumentError(argument, `unknown service ${JSON.stringify(name)}`);
  return port;
}

/** A host: a host name or an IP literal (IPv6 optionally in brackets). Returns it without brackets. */
export function parseHost(value: unknown, argument: string): string {
  const name = parseString(value, argument, 'a string');
  const host = unbracket(name);
  if (ipFamily(host) === 0 && !isHostname(host)) throw new InvalidArgumentError(argument, `is not a host name or IP address: ${JSON.stringify(name)}`);
  return host;
}

/** A non-empty string; `what` says what it must be (`'a string'`, `'an errno code such as "EHOSTUNREACH"'`). */
export function parseString(value: unknown, argument: string, what: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `must be ${what}, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (value === '') throw new InvalidArgumentError(argument, 'must not be empty');
  return value;
}

/**
 * A delay in ms, from 0 to `max` (default {@link MAX_DELAY}, the longest a timer can wait), or the fallback when
 * undefined.
 */
export function parseDelay(value: unknown, argument: string, fallback: number, max?: number): number;
export function parseDelay(value: unknown, argument: string, fallback: undefined, max?: number): number | undefined;
export function parseDelay(value: unknown, argument: string, fallback: number | undefined, max = MAX_DELAY): number | undefined {
  return value === undefined ? fallback : parseRequiredDelay(value, argument, max);
}

/** A delay in ms that must be given: from 0 to `max` (default {@link MAX_DELAY}). */
export function parseRequiredDelay(value: unknown, argument: string, max: number = MAX_DELAY): number {
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number of milliseconds, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(value) || value < 0) throw new ArgumentOutOfRangeError(argument, `must be a finite, non-negative number of milliseconds, got ${value}`);
  if (value > max) {
    const limit = max === MAX_DELAY ? `${MAX_DELAY} ms (about 24.8 days), the longest a timer can wait` : `${max} ms`;
    throw new ArgumentOutOfRangeError(argument, `must be at most ${limit}, got ${value}`);
  }
  return value;
}

/** An integer within bounds (or the fallback when undefined). */
export function parseInteger(value: unknown, argument: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be an integer, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(value) || value < min || value > max) throw new ArgumentOutOfRangeError(argument, `must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** A finite number within [min, max], or the fallback when undefined. */
export function parseNumber(value: unknown, argument: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ArgumentOutOfRangeError(argument, max === Number.MAX_VALUE ? `must be a finite number ≥ ${min}, got ${value}` : `must be a number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A count: an integer ≥ 0 or `Infinity`, which is also the fallback when undefined. */
export function parseCount(value: unknown, argument: string): number {
  if (value === undefined || value === Infinity) return Infinity;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be an integer ≥ 0 or Infinity, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(value) || value < 0) throw new ArgumentOutOfRangeError(argument, `must be an integer ≥ 0 or Infinity, got ${value}`);
  return value;
}

/** One of a fixed set of values (or the fallback when undefined). */
export function parseChoice<T>(value: unknown, argument: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw new InvalidArgumentError(argument, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** An optional boolean. */
export function parseBoolean(value: unknown, argument: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidArgumentError(argument, `must be a boolean, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
}

/** An optional function; `what` says which (default `'a function'`). */
export function parseFunction<T>(value: unknown, argument: string, what = 'a function'): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, `must be ${what}, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  return value as T;
}

/** A plain object (not null, not an array); `what` says which (default `'an object'`). */
export function parseRecord(value: unknown, argument: string, what = 'an object'): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `must be ${what}, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  }
  return value as Readonly<Record<string, unknown>>;
}

/** A scheduler (anything with `now()` and `schedule()`); when undefined, the fallback, and without one it throws. */
export function parseScheduler(value: unknown, argument: string, fallback: SchedulerLike | undefined = asyncScheduler): SchedulerLike {
  if (value === undefined && fallback !== undefined) return fallback;
  const s = value as Partial<SchedulerLike> | null | undefined;
  if (typeof s !== 'object' || s === null || typeof s.now !== 'function' || typeof s.schedule !== 'function') {
    throw new InvalidArgumentError(argument, 'must be an RxJS scheduler (with now() and schedule())', 'ERR_INVALID_ARG_TYPE');
  }
  return s as SchedulerLike;
}

/** `maxLineLength`: a positive integer, or `Infinity` for no limit; undefined for the default. */
export function parseMaxLineLength(value: unknown, argument = 'maxLineLength'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number, got ${typeof value}`, 'ERR_INVALID_ARG_TYPE');
  if (value === Infinity) return value;
  if (!Number.isInteger(value) || value < 1) throw new ArgumentOutOfRangeError(argument, `must be a positive integer or Infinity, got ${value}`);
  return value;
}

/**
 * The keys an options object may have, as a record (`{ strategy: true, ... }`), so that the compiler checks the
 * list against the options type: a key missing from the list, or one the type lacks, fails to compile.
 */
export type KnownKeys<T> = Readonly<Record<keyof T, true>>;

/**
 * An options object, or undefined. A key that is not in `known` throws an InvalidArgumentError naming it
 * (`options.attemptTimout`) with a suggestion: the hint `aliases` gives for that key (a known key, or a sentence
 * for advice such as "use connectTimeout()"), else the nearest known key, else the list of known keys.
 *
 * @param known The keys the options may have; see {@link KnownKeys}.
 * @param aliases Names users bring from elsewhere (Node's `localAddress`) → the known key or a sentence of advice.
 */
export function parseOptions<T extends object>(
  value: unknown,
  argument: string,
  known: KnownKeys<T>,
  aliases: Readonly<Record<string, string>> = {},
): Partial<T> {
  if (value === undefined) return {};
  const options = parseRecord(value, argument);
  // for-in, not Object.keys: no array per call (connectAsync$ parses its options on every connect).
  for (const key in options) {
    if (!Object.hasOwn(known, key) && Object.hasOwn(options, key)) throw unknownOption(`${argument}.${key}`, key, Object.keys(known), aliases);
  }
  return options as Partial<T>;
}

function unknownOption(argument: string, key: string, known: readonly string[], aliases: Readonly<Record<string, string>>): InvalidArgumentError {
  const alias = Object.hasOwn(aliases, key) ? aliases[key] : undefined;
  const near = alias ?? nearest(key, known);
  const hint =
    near === undefined ? `the options are ${known.join(', ')}` : known.includes(near) ? `did you mean ${JSON.stringify(near)}?` : near;
  return new InvalidArgumentError(argument, `unknown option; ${hint}`);
}

/** The known key nearest to `key` in edit distance (ignoring case), if one is near enough to be a typo of it. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance: the fewest insertions, deletions and substitutions that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
