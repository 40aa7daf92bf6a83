/**
 * An async resolver that throws returns a rejected promise instead of calling back. Hands the reason to
 * `callback` as the lookup's error, so the lookup ends in a typed failure instead of an unhandled rejection (and
 * a connect that waits forever). Any other return value is left alone.
 *
 * @param handle What the lookup function returned.
 * @param callback The lookup's callback; it ignores a second answer.
 */
export function catchRejection(handle: unknown, callback: (error: unknown) => void): void {
  const then = (handle as { then?: unknown } | null | undefined)?.then;
  if (typeof then !== 'function') return;
  (then as PromiseLike<unknown>['then']).call(handle, undefined, (error: unknown) => callback(error ?? new Error('lookup rejected')));
}
