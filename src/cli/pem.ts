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
 * block, or (for `--ca`) holds no certificate is a {@link UsageError} naming the option and the file:
 * `--key: cannot read k.pem: no such file`, `--ca: k.pem holds no certificate, only PEM blocks of PRIVATE KEY`.
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
  // OpenSSL would take a --ca file with no certificate (a key) without a word, and every handshake would then
  // fail as if the server were at fault. Other blocks beside a certificate (a combined PEM) are left to it.
  if (option === '--ca') {
    const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] as string);
    if (!labels.some((label) => label.endsWith('CERTIFICATE'))) throw new UsageError(`--ca: ${file} holds no certificate, only PEM blocks of ${[...new Set(labels)].join(', ')}`);
  }
  return text;
}
