/**
 * A mistake in how the command was called: the CLI prints its message on one line and exits with code 2.
 * Never shown with a stack trace.
 */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/** The exit codes of `rxconnect`. */
export const EXIT: { readonly ok: 0; readonly failed: 1; readonly usage: 2; readonly interrupted: 130 } = Object.freeze({
  /** Every target connected (probe, scan); the command finished (serve, demo). */
  ok: 0,
  /** Some target failed to connect, or a server could not listen. */
  failed: 1,
  /** The command was called wrongly: a one-line message says how. */
  usage: 2,
  /** Stopped by Ctrl-C (SIGINT) or SIGTERM, as a shell reports a process killed by SIGINT (128 + 2). */
  interrupted: 130,
});

/** One line of `error`'s message, for a usage error or an unexpected failure. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
