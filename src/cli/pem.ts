import type { CliIo } from './io.js';
import { connectAsync$, InvalidArgumentError } from '../index.js';
import { problemOf } from './connect.js';
import { UsageError } from './usage.js';

const READ_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/**
 * Reads the PEM file that `option` (`--key`, `--cert`, `--ca`) names. A file that cannot be read, or holds no
 * PEM block, is a {@link UsageError} naming the option and the file: `--key: cannot read k.pem: no such file`.
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
  return text;
}

/**
 * Reads the `--ca` file, and has the library check it as it checks `tls.ca` (a certificate that parses): a file
 * that fails is a {@link UsageError} naming `--ca` and the file, `--ca: k.pem holds no certificate, only PEM blocks
 * of PRIVATE KEY`, rather than `tls.ca` and the first target.
 */
export async function readCa(io: CliIo, file: string): Promise<string> {
  const ca = await readPem(io, '--ca', file);
  try {
    // connectAsync$ checks its options, tls.ca included, when it is called; nothing is opened until a subscription.
    connectAsync$('localhost', 1, { tls: { ca } });
  } catch (error) {
    if (error instanceof InvalidArgumentError && error.argument === 'tls.ca') throw new UsageError(`--ca: ${file} ${problemOf(error)}`);
    throw error;
  }
  return ca;
}
