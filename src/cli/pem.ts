import type { CliIo } from './io.js';
import { UsageError } from './usage.js';

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Reads the PEM file that `option` (`--key`, `--cert`, `--ca`) names. A file that cannot be read, holds no PEM
 * block, or (for `--ca`) holds anything but certificates is a {@link UsageError} naming the option and the file:
 * `--key: cannot read k.pem: no such file`, `--ca: k.pem holds a PRIVATE KEY, not certificates`.
 */
export async function readPem(io: CliIo, option: '--key' | '--cert' | '--ca', file: string): Promise<string> {
  if (file === '-') throw new UsageError(`${option}: give a file; standard input is not read for keys and certificates`);
  let text: string;
  try {
    text = await io.readText(file);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const why = typeof code === 'string' ? (READ_ERRORS[code] ?? code) : String(error);
    throw new UsageError(`${option}: cannot read ${file}: ${why}`);
  }
  if (!text.includes('-----BEGIN ')) throw new UsageError(`${option}: ${file} is not a PEM file (no "-----BEGIN" line)`);
  // A --key or --cert file may hold both (a combined PEM); the CAs must be certificates only, or OpenSSL would
  // take the file without a word and every handshake would fail as if the server were at fault.
  if (option === '--ca') {
    for (const [, label = ''] of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)) {
      if (!label.endsWith('CERTIFICATE')) throw new UsageError(`--ca: ${file} holds a ${label}, not certificates`);
    }
  }
  return text;
}
