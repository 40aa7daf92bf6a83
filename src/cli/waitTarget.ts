import { parseTarget } from './target.js';
import type { Target } from './target.js';
import { isUrlTarget, parseUrlTarget } from './url.js';
import type { UrlTarget } from './url.js';
import { UsageError } from './usage.js';

/**
 * A TARGET of `rxconnect wait`: a TCP connect (`host:port`, `tcp://host:port`), a connect and a TLS handshake
 * (`tls://host:port`), or a connect and one GET whose status must be accepted (`http://...`, `https://...`).
 */
export type WaitTarget =
  | { readonly kind: 'tcp'; readonly text: string; readonly target: Target }
  | { readonly kind: 'tls'; readonly text: string; readonly target: Target }
  | { readonly kind: 'http'; readonly text: string; readonly url: UrlTarget };

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/**
 * Parses a TARGET of wait. Throws a {@link UsageError} naming it: an unknown scheme (`ftp://`), a port out of
 * range, a missing port, an IPv6 address without brackets.
 */
export function parseWaitTarget(text: string): WaitTarget {
  if (!isUrlTarget(text)) return { kind: 'tcp', text: text.trim(), target: parseTarget(text) };
  const raw = text.trim();
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase() ?? '';
  if (scheme === 'http' || scheme === 'https') return { kind: 'http', text: raw, url: parseUrlTarget(text) };
  if (scheme !== 'tcp' && scheme !== 'tls') {
    throw new UsageError(`bad target ${JSON.stringify(text)}: unknown scheme ${JSON.stringify(`${scheme}:`)} (expected tcp://, tls://, http:// or https://)`);
  }
  const rest = raw.slice(scheme.length + 3).replace(/\/$/, '');
  if (/[/?#@]/.test(rest)) throw new UsageError(`bad target ${JSON.stringify(text)}: expected ${scheme}://host:port, without a path`);
  let target: Target;
  try {
    target = parseTarget(rest);
  } catch (error) {
    throw new UsageError(`bad target ${JSON.stringify(text)}: ${(error as Error).message.replace(/^bad target "[^"]*": /, '')}`);
  }
  return { kind: scheme, text: raw, target: { ...target, text: raw } };
}

/** The HTTP statuses that count as up: inclusive ranges. */
export type StatusRanges = readonly (readonly [number, number])[];

/** The default of `--status`: any 2xx. */
export const SUCCESS_STATUSES: StatusRanges = [[200, 299]];

/**
 * Parses `--status`: codes and ranges separated by commas, `200,204,301-399`, each from 100 to 599. Throws a
 * plain Error with the reason (commander names the option).
 */
export function parseStatusList(value: string): StatusRanges {
  const bad = new Error('expected status codes or ranges from 100 to 599, separated by commas, such as 200,204,301-399');
  return value.split(',').map((part) => {
    const m = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    if (m === null) throw bad;
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (low < 100 || high > 599 || high < low) throw bad;
    return [low, high] as const;
  });
}

/** Whether `status` is in `ranges`. */
export function statusAccepted(status: number, ranges: StatusRanges): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}

/** `--status` as written back in messages: `2xx`, or `200, 204, 301-399`. */
export function describeStatuses(ranges: StatusRanges): string {
  return ranges.map(([low, high]) => (low === high ? String(low) : low % 100 === 0 && high === low + 99 ? `${low / 100}xx` : `${low}-${high}`)).join(', ');
}

/** The longest delay a timer can wait, in ms (2^31 − 1, about 24.8 days). */
const MAX_DELAY = 2_147_483_647;
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses a duration of wait's options: a whole number of milliseconds (`1500`, as probe and scan take them), or
 * a number with a unit, `ms`, `s` or `m` (`1.5s`, `2m`), rounded to the millisecond; from 0 to 2^31−1 ms. Throws
 * a plain Error with the reason (commander names the option).
 */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  const ms = m === null || (m[2] === undefined && m[1]!.includes('.')) ? Number.NaN : Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  if (!Number.isFinite(ms) || ms > MAX_DELAY) {
    throw new Error(`expected a duration from 0 to ${MAX_DELAY} ms: whole milliseconds (1500) or a number with ms, s or m (1.5s, 2m)`);
  }
  return ms;
}
