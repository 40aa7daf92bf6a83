import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

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
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
};

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
    readLines(file) {
      if (file === '-') stdinHint();
      return createInterface({ input: file === '-' ? process.stdin : createReadStream(file, 'utf8'), crlfDelay: Infinity });
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
