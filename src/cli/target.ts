import { UsageError } from './usage.js';

/** A parsed TARGET: `host:port`, `[ipv6]:port` or `host:service`. */
export type Target = {
  /** The TARGET as it was written. */
  readonly text: string;
  /** The host, without brackets. */
  readonly host: string;
  /** The port number, or the service name as written (`http`). */
  readonly port: number | string;
};

const SERVICE = /^[A-Za-z][A-Za-z0-9._+-]*$/;

/**
 * Parses a TARGET. Throws a {@link UsageError} that says what is wrong: a missing port, an IPv6 address
 * without brackets, an empty host, a port out of range. The host itself is checked later, by `connectAsync$`.
 */
export function parseTarget(text: string): Target {
  const raw = text.trim();
  if (raw === '') throw new UsageError('empty target (expected host:port, [ipv6]:port or host:service)');
  let host: string;
  let port: string;
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) throw new UsageError(`bad target ${JSON.stringify(text)}: "[" without "]" (expected [ipv6]:port)`);
    host = raw.slice(1, close);
    const rest = raw.slice(close + 1);
    if (rest === '') throw new UsageError(`bad target ${JSON.stringify(text)}: missing port (expected [${host}]:port)`);
    if (!rest.startsWith(':')) throw new UsageError(`bad target ${JSON.stringify(text)}: expected ":port" after "]"`);
    port = rest.slice(1);
    if (!host.includes(':')) throw new UsageError(`bad target ${JSON.stringify(text)}: brackets are for IPv6 addresses only`);
  } else {
    const colons = raw.split(':').length - 1;
    if (colons === 0) throw new UsageError(`bad target ${JSON.stringify(text)}: missing port (expected ${raw}:port)`);
    if (colons > 1) {
      throw new UsageError(`bad target ${JSON.stringify(text)}: an IPv6 address needs brackets, as in [${raw.slice(0, raw.lastIndexOf(':'))}]:${raw.slice(raw.lastIndexOf(':') + 1)}`);
    }
    const at = raw.indexOf(':');
    host = raw.slice(0, at);
    port = raw.slice(at + 1);
  }
  if (host === '') throw new UsageError(`bad target ${JSON.stringify(text)}: missing host`);
  if (port === '') throw new UsageError(`bad target ${JSON.stringify(text)}: missing port`);
  if (/^\d+$/.test(port)) {
    const n = Number(port);
    if (n < 1 || n > 65535) throw new UsageError(`bad target ${JSON.stringify(text)}: port ${port} is out of range (1 to 65535)`);
    return { text: raw, host, port: n };
  }
  if (!SERVICE.test(port)) throw new UsageError(`bad target ${JSON.stringify(text)}: ${JSON.stringify(port)} is neither a port number nor a service name`);
  return { text: raw, host, port };
}

/** How a target is written back: `host:port`, with brackets around an IPv6 address. */
export function formatTarget(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One target of a scan list, with the line it came from. */
export type ListedTarget = { readonly line: number; readonly target: Target };

/**
 * Parses a scan list: one target per line; blank lines and `#` comments (whole-line or trailing) are skipped.
 * Throws a {@link UsageError} naming the first bad line.
 */
export function parseTargetList(text: string, source = 'input'): ListedTarget[] {
  const out: ListedTarget[] = [];
  text.split(/\r?\n|\r/).forEach((rawLine, i) => {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') return;
    if (/\s/.test(line)) throw new UsageError(`${source}, line ${i + 1}: one target per line, got ${JSON.stringify(line)}`);
    try {
      out.push({ line: i + 1, target: parseTarget(line) });
    } catch (error) {
      throw new UsageError(`${source}, line ${i + 1}: ${(error as Error).message}`);
    }
  });
  return out;
}
