import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';

/** `maxLineLength`: a positive integer, or `Infinity` for no limit; undefined for the default. */
export function parseMaxLineLength(value: unknown, argument = 'maxLineLength'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `must be a number, got ${typeof value}`, 'ERR_INVALID_ARG_TYPE');
  if (value === Infinity) return value;
  if (!Number.isInteger(value) || value < 1) throw new ArgumentOutOfRangeError(argument, `must be a positive integer or Infinity, got ${value}`);
  return value;
}
