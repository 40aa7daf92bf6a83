import type { SocketAddress } from './socket.js';

/** The address meaning "any local address" of each family. */
export const WILDCARD: Readonly<Record<4 | 6, string>> = { 4: '0.0.0.0', 6: '::' };

/** True for `0.0.0.0` and `::`. */
export function isWildcard(address: string): boolean {
  return address === WILDCARD[4] || address === WILDCARD[6];
}

/**
 * An endpoint whose name the kernel would spell the same way: a specific IPv4 address (one spelling, unlike
 * IPv6's; not a wildcard) and a port. A socket dialed to it, or bound to it, knows that name without asking.
 */
export function isExactIPv4(endpoint: SocketAddress | undefined): endpoint is SocketAddress {
  return endpoint !== undefined && endpoint.family === 4 && endpoint.port !== 0 && !isWildcard(endpoint.address);
}

const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);
const ZONE = /^[0-9A-Za-z.:-]+$/;

const COLON = 58;
const DOT = 46;

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * True for an IPv6 literal with an optional zone (`fe80::1%eth0`), as `net.isIPv6` accepts it: up to eight groups
 * of one to four hex digits, at most one `::`, and an IPv4 address (two groups' worth) only at the end. One pass
 * over the characters: every lookup answer's addresses are checked with it.
 */
function isIPv6(text: string): boolean {
  let end = text.length;
  const percent = text.indexOf('%');
  if (percent !== -1) {
    if (!ZONE.test(text.slice(percent + 1))) return false;
    end = percent;
  }
  let i = 0;
  let groups = 0;
  let compressed = false;
  if (end >= 2 && text.charCodeAt(0) === COLON && text.charCodeAt(1) === COLON) {
    compressed = true;
    i = 2;
  }
  while (i < end) {
    const start = i;
    while (i < end && isHexDigit(text.charCodeAt(i))) i++;
    if (i < end && text.charCodeAt(i) === DOT) {
      // An embedded IPv4 address (::ffff:1.2.3.4) ends the address and counts as two groups.
      if (!IPV4.test(text.slice(start, end))) return false;
      groups += 2;
      break;
    }
    const length = i - start;
    if (length === 0 || length > 4) return false;
    groups++;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (compressed) return false;
      compressed = true;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}

/** 4 or 6 for an IP literal, 0 for anything else (the answers of `net.isIP`). */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  return text.includes(':') && isIPv6(text) ? 6 : 0;
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
    if (ipFamily(inner) === 6) return inner;
  }
  return text;
}
