#!/usr/bin/env node
// The `rxconnect` command. Everything is in cli.ts; this file only binds it to the process.
import { runCli } from './cli.js';
import { processIo } from './io.js';

// `rxconnect scan hosts.txt | head`: a reader that goes away is no error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
// Everything is closed by now, so the process ends on its own; should a handle linger, do not hang the terminal.
setTimeout(() => process.exit(code), 1000).unref();
