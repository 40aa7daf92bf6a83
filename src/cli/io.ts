import { readFile } from 'node:fs/promises';

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
  /** Calls `handler` on Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
};

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY === true) process.stderr.write('reading targets from standard input, one per line; Ctrl-D ends\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The real process: its streams, environment, files and signals. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readText: (file) => (file === '-' ? readStdin() : readFile(file, 'utf8')),
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
