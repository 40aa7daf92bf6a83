import { UsageError } from './usage.js';

/** A TARGET written as a URL: `https://host[:port]/path` or `http://...`. */
export type UrlTarget = {
  /** The URL as it was written. */
  readonly text: string;
  /** Whether the scheme is `https:` (TLS). */
  readonly secure: boolean;
  /** The host, without brackets. */
  readonly host: string;
  /** The port: the URL's, else 443 for `https:` and 80 for `http:`. */
  readonly port: number;
  /** The request target: the path and the query, `/` when the URL has none. */
  readonly path: string;
  /** The `Host` header: the host, with the port when it is not the scheme's default. */
  readonly hostHeader: string;
};

/** Whether a TARGET is written as a URL (a scheme and `//`), rather than `host:port`. */
export function isUrlTarget(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text.trim());
}

/**
 * Parses a URL TARGET. Throws a {@link UsageError} that names the argument and says what is wrong: a scheme
 * other than http and https, a port out of range, credentials, or a URL that does not parse.
 */
export function parseUrlTarget(text: string): UrlTarget {
  const raw = text.trim();
  const bad = (why: string): UsageError => new UsageError(`bad URL ${JSON.stringify(text)}: ${why}`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') throw bad(`unknown scheme ${JSON.stringify(`${scheme ?? ''}:`)} (expected http:// or https://)`);
  // WHATWG's parser only says "Invalid URL" for a port out of range; the authority is read here to say which.
  const authority = /^[^:]+:\/\/([^/?#]*)/.exec(raw)?.[1] ?? '';
  const port = /:(\d+)$/.exec(authority.replace(/^.*@/, ''))?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(`port ${port} is out of range (1 to 65535)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad('not a valid URL');
  }
  if (url.hostname === '') throw bad('missing host');
  if (url.username !== '' || url.password !== '') throw bad('credentials (user:password@) are not sent by probe');
  const secure = url.protocol === 'https:';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return {
    text: raw,
    secure,
    host,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname === '' ? '/' : url.pathname}${url.search}`,
    hostHeader: url.host,
  };
}
