/** An error as Node's socket and resolver functions make them: `code` (and `syscall`, ...) on an Error. */
export function errnoError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}
