import { isIP } from 'node:net';
import type { SocketAddress } from '../types.js';

/** The address meaning "any local address" of each family. */
export const WILDCARD: Readonly<Record<4 | 6, string>> = { 4: '0.0.0.0', 6: '::' };

/** True for `0.0.0.0` and `::`. */
export function isWildcard(address: string): boolean {
  return address === WILDCARD[4] || address === WILDCARD[6];
}

// The last answer of ipFamily: a connect asks about its host twice (validation, then the plan), and programs
// tend to connect to the same host again; isIP runs a regular expression each time.
let lastText = '';
let lastFamily: 0 | 4 | 6 = 0;

/**
 * An endpoint whose name the kernel would spell the same way: a specific IPv4 address (one spelling, unlike
 * IPv6's; not a wildcard) and a port. A socket dialed to it, or bound to it, knows that name without asking.
 */
export function isExactIPv4(endpoint: SocketAddress | undefined): endpoint is SocketAddress {
  return endpoint !== undefined && endpoint.family === 4 && endpoint.port !== 0 && !isWildcard(endpoint.address);
}

/** 4 or 6 for an IP literal, 0 for anything else. */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (text === lastText) return lastFamily;
  const f = isIP(text);
  lastFamily = f === 4 || f === 6 ? f : 0;
  lastText = text;
  return lastFamily;
}

const LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** True for a syntactically valid host name (letters, digits, `-`, `_`, dot-separated labels). */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0) return false;
  for (const label of name.split('.')) if (!LABEL.test(label)) return false;
  // A dotted all-numeric name is a malformed IPv4 literal, not a host name.
  return !/^[0-9.]+$/.test(name);
}

/** Strips the brackets of `[v6]`, when what is inside is an IPv6 literal. */
export function unbracket(text: string): string {
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1);
    if (isIP(inner) === 6) return inner;
  }
  return text;
}
