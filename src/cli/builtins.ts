import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Readline from 'node:readline';

// The builtins that only some commands use, each loaded at its first use: a scan or a `wait host:port` loads none of
// them (docs/design.md, "Builtins are loaded when first used"). The library does the same for node:tls and
// node:crypto in its transport. node:child_process is not among them: commander loads it anyway.

/** node:crypto, for `--key` and `--cert`. */
export const nodeCrypto = (): typeof Crypto => process.getBuiltinModule('node:crypto');
/** node:http, for http:// targets. */
export const nodeHttp = (): typeof Http => process.getBuiltinModule('node:http');
/** node:readline, for target files. */
export const nodeReadline = (): typeof Readline => process.getBuiltinModule('node:readline');
