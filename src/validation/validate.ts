import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ipFamily, isHostname, unbracket } from '../core/address.js';
import { servicePort } from '../core/services.js';

function describe(value: unknown): string {
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
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `must be a number or a service name, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (value === '') throw new InvalidArgumentError(argument, 'must not be empty');
  if (/^\d+$/.test(value)) return parsePort(Number(value), argument, allowZero);
  if (/^-?\d/.test(value)) throw new ArgumentOutOfRangeError(argument, portRange(min, value));
  const port = servicePort(value);
  if (port === undefined) throw new InvalidArgumentError(argument, `unknown service ${JSON.stringify(value)}`);
  return port;
}

/** A host: a host name or an IP literal (IPv6 optionally in brackets). Returns it without brackets. */
export function parseHost(value: unknown, argument: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(argument, `must be a string, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (value === '') throw new InvalidArgumentError(argument, 'must not be empty');
  const host = unbracket(value);
  if (ipFamily(host) === 0 && !isHostname(host)) throw new InvalidArgumentError(argument, `is not a host name or IP address: ${JSON.stringify(value)}`);
  return host;
}

/** A finite, non-negative number of milliseconds (or undefined for the default). */
export function parseDelay(value: unknown, argument: string, fallback: number): number;
export function parseDelay(value: unknown, argument: string, fallback: undefined): number | undefined;
export function parseDelay(value: unknown, argument: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number of milliseconds, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isFinite(value) || value < 0) throw new ArgumentOutOfRangeError(argument, `must be a finite, non-negative number of milliseconds, got ${value}`);
  return value;
}

/** An integer within bounds (or the fallback when undefined). */
export function parseInteger(value: unknown, argument: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be an integer, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  if (!Number.isInteger(value) || value < min || value > max) throw new ArgumentOutOfRangeError(argument, `must be an integer from ${min} to ${max}, got ${value}`);
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

/** An optional function. */
export function parseFunction<T>(value: unknown, argument: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, `must be a function, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  return value as T;
}

/** An options object, or undefined. */
export function parseOptions<T extends object>(value: unknown, argument: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, `must be an object, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
  }
  return value as Partial<T>;
}

/** A scheduler (anything with `now()` and `schedule()`), defaulting to `asyncScheduler`. */
export function parseScheduler(value: unknown, argument: string): SchedulerLike {
  if (value === undefined) return asyncScheduler;
  const s = value as Partial<SchedulerLike> | null;
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
