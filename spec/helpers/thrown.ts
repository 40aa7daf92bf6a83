/** What `call` throws, or undefined when it returns: for `expect(thrownBy(f)).toMatchObject({ argument, code })`. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
