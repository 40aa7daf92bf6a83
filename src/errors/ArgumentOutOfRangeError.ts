/**
 * Thrown at call time when a numeric argument is out of range (a port above 65535, a negative or non-finite
 * delay). `argument` names it; nothing has been opened.
 *
 * ## Example
 * ```ts
 * import { connectAsync$, ArgumentOutOfRangeError } from 'rxconnect';
 *
 * try { connectAsync$('localhost', 70000); } catch (e) { if (e instanceof ArgumentOutOfRangeError) console.log(e.message); }
 * // "port: must be an integer from 1 to 65535 or a service name, got 70000"
 * ```
 */
export class ArgumentOutOfRangeError extends RangeError {
  /** Always `'ArgumentOutOfRangeError'`. */
  override readonly name: string = 'ArgumentOutOfRangeError';
  /** Always `ERR_OUT_OF_RANGE`. */
  readonly code = 'ERR_OUT_OF_RANGE' as const;
  /** The name of the offending argument or option. */
  readonly argument: string;

  constructor(argument: string, problem: string) {
    super(`${argument}: ${problem}`);
    this.argument = argument;
  }
}
