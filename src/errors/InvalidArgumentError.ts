/**
 * Thrown at call time when an argument has the wrong type or an unusable value (an empty host, an unknown
 * service, a malformed address, an unknown strategy). `argument` names it; nothing has been opened.
 *
 * ## Example
 * ```ts
 * import { connectAsync$, InvalidArgumentError } from 'rxconnect';
 *
 * try { connectAsync$('', 80); } catch (e) { if (e instanceof InvalidArgumentError) console.log(e.argument); } // "host"
 * ```
 */
export class InvalidArgumentError extends TypeError {
  /** Always `'InvalidArgumentError'`. */
  override readonly name: string = 'InvalidArgumentError';
  /** `ERR_INVALID_ARG_TYPE` for a wrong type, `ERR_INVALID_ARG_VALUE` for an unusable value. */
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';
  /** The name of the offending argument or option. */
  readonly argument: string;

  constructor(argument: string, problem: string, code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE' = 'ERR_INVALID_ARG_VALUE', cause?: unknown) {
    super(`${argument}: ${problem}`, cause === undefined ? undefined : { cause });
    this.argument = argument;
    this.code = code;
  }
}
