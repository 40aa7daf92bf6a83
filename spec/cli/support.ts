import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { pathKind, runChild } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/cli.js';

/** A stand-in stream that keeps what is written. */
export type Capture = { write(text: string): boolean; readonly isTTY: boolean; readonly columns: number | undefined; text(): string };

export function capture(isTTY = false, columns: number | undefined = undefined): Capture {
  let text = '';
  return {
    isTTY,
    columns,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

/** An in-process CliIo: captured streams, a chosen environment, files from disk or given, Ctrl-C on demand. */
export type FakeIo = {
  readonly io: CliIo;
  readonly stdout: Capture;
  readonly stderr: Capture;
  /** Sends Ctrl-C to whoever listens. */
  interrupt(): void;
  /** How many interrupt handlers are registered. */
  listeners(): number;
};

export function fakeIo(options: { tty?: boolean; stderrTty?: boolean; env?: Record<string, string>; stdin?: string; columns?: number } = {}): FakeIo {
  const stdout = capture(options.tty ?? false, options.columns);
  const stderr = capture(options.stderrTty ?? options.tty ?? false);
  const handlers = new Set<() => void>();
  const io: CliIo = {
    stdout,
    stderr,
    env: options.env ?? {},
    readText: (file) => (file === '-' ? Promise.resolve(options.stdin ?? '') : readFile(file, 'utf8')),
    readLines: (file) =>
      createInterface({ input: file === '-' ? Readable.from([options.stdin ?? '']) : createReadStream(file, 'utf8'), crlfDelay: Infinity }),
    pathKind,
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    // A real child, its output captured: stdin is closed, stdout and stderr go to the captures.
    run: (command, args) =>
      runChild(command, args, 'pipe', (child) => {
        child.stdin?.end();
        child.stdout?.on('data', (chunk: Buffer) => stdout.write(String(chunk)));
        child.stderr?.on('data', (chunk: Buffer) => stderr.write(String(chunk)));
      }),
  };
  return { io, stdout, stderr, interrupt: () => [...handlers].forEach((h) => h()), listeners: () => handlers.size };
}

// eslint-disable-next-line no-control-regex
export const ANSI: RegExp = /\u001b\[[0-9;]*m/;

/** `text` without its escape sequences (colours and cursor movement): what a terminal would show, frame after frame. */
export function withoutEscapes(text: string): string {
  // eslint-disable-next-line no-control-regex -- the escape character is what this removes.
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

/** A duration as the command prints it (`998 ms`, `1.2 s`); wall-clock lengths vary with the machine's load. */
export const DURATION: string = String.raw`(?:\d+ ms|\d+\.\d s)`;

/** Waits until `check()` is true (polling every 10 ms), or fails after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A `rxconnect serve` run in-process: its fake io and its exit code to come. */
export type RunningServe = { readonly f: FakeIo; readonly exit: Promise<number> };

/**
 * Starts `rxconnect serve` in-process and waits until it listens (or has written to stderr); returns its port and
 * its exit code to come. With `running`, the run is added to it, for an afterEach that stops them all.
 */
export async function startServe(args: string[], running?: RunningServe[]): Promise<{ f: FakeIo; port: number; exit: Promise<number> }> {
  const f = fakeIo();
  const exit = runCli(['serve', ...args], f.io);
  running?.push({ f, exit });
  let port = 0;
  await until(() => {
    const m = /listening on \S+ port (\d+)/.exec(f.stdout.text());
    if (m) port = Number(m[1]);
    return port > 0 || f.stderr.text() !== '';
  }, 5000, 'the server to listen');
  return { f, port, exit };
}
