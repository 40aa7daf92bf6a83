import { createRequire } from 'node:module';
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Readline from 'node:readline';

// The builtins that only some commands use, each loaded at its first use: a scan or a `wait host:port` loads none of
// them (docs/design.md, "Builtins are loaded when first used"). The library does the same for node:tls and
// node:crypto in its transport. node:child_process is not among them: commander loads it anyway.
const load = createRequire(import.meta.url);
let cryptoModule: typeof Crypto | undefined;
let httpModule: typeof Http | undefined;
let readlineModule: typeof Readline | undefined;

/** node:crypto, for `--key` and `--cert`. */
export const crypto = (): typeof Crypto => (cryptoModule ??= load('node:crypto') as typeof Crypto);
/** node:http, for http:// targets. */
export const http = (): typeof Http => (httpModule ??= load('node:http') as typeof Http);
/** node:readline, for target files. */
export const readline = (): typeof Readline => (readlineModule ??= load('node:readline') as typeof Readline);
