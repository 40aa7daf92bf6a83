import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { nodeReadline } from './builtins.js';

/** Where the CLI writes: `process.stdout` or `process.stderr`, or a stand-in in specs. */
export type OutStream = {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
};

/** Everything the CLI touches outside itself, so that specs can run it in-process. */
export type CliIo = {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file as UTF-8; `-` reads standard input to its end. */
  readText(file: string): Promise<string>;
  /** The lines of a file, or of standard input for `-`, read as a stream (line ends removed). */
  readLines(file: string): AsyncIterable<string>;
  /** What `path` names on disk. */
  pathKind(path: string): 'file' | 'directory' | 'missing';
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM, with the signal's name, until the returned function is called. */
  onInterrupt(handler: (signal?: NodeJS.Signals) => void): () => void;
  /**
   * Runs `command` with `args` (looked up on PATH, no shell), its stdin, stdout and stderr the CLI's own, and
   * passes on the signals the CLI receives meanwhile ({@link FORWARDED_SIGNALS}). Resolves with its exit code as a
   * shell gives it: the child's code, 128 + n when signal n killed it, 127 when the command was not found and 126
   * when it could not be run (then `error` says why).
   */
  run(command: string, args: readonly string[]): Promise<ChildExit>;
};

/** How a command run by {@link CliIo.run} ended. */
export type ChildExit = { readonly code: number; readonly signal?: NodeJS.Signals | undefined; readonly error?: string | undefined };

/** The signals that `run` passes on to the child while it runs. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** A shell's exit code for a child that ended with `code` or was killed by `signal`. */
export function shellExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/**
 * Spawns `command` with the given stdio and forwards {@link FORWARDED_SIGNALS} to it until it exits. The
 * listeners are removed once it has.
 */
export function runChild(command: string, args: readonly string[], stdio: 'inherit' | 'pipe', onChild?: (child: ReturnType<typeof spawn>) => void): Promise<ChildExit> {
  return new Promise<ChildExit>((resolve) => {
    const child = spawn(command, [...args], { stdio });
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const done = (exit: ChildExit): void => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(exit);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Only a spawn failure gets here before 'exit' (kill() on a live child does not fail). The codes and words
      // are a shell's: 127 for a command not found, 126 for one that cannot be run.
      if (error.code === 'ENOENT') done({ code: 127, error: 'command not found' });
      else done({ code: 126, error: error.code === 'EACCES' ? 'permission denied (not an executable file)' : error.message });
    });
    // 'close', not 'exit': a piped child's output has all been read by then.
    child.once('close', (code, signal) => done({ code: shellExitCode(code, signal), signal: signal ?? undefined }));
    onChild?.(child);
  });
}

async function readStdin(): Promise<string> {
  stdinHint();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function stdinHint(): void {
  if (process.stdin.isTTY === true) process.stderr.write('reading targets from standard input, one per line; Ctrl-D ends\n');
}

/** What `path` names on disk: anything that is neither a directory nor missing counts as a file (a FIFO too). */
export function pathKind(path: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

/** The real process: its streams, environment, files and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readText: (file) => (file === '-' ? readStdin() : readFile(file, 'utf8')),
    run: (command, args) => runChild(command, args, 'inherit'),
    readLines(file) {
      if (file === '-') stdinHint();
      return nodeReadline().createInterface({ input: file === '-' ? process.stdin : createReadStream(file, 'utf8'), crlfDelay: Infinity });
    },
    pathKind,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
