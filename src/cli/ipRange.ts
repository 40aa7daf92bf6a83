/**
 * IP address blocks written in CIDR notation (`10.0.0.0/8`, `fd00::/120`), as lazy, indexable sets of
 * addresses: a block of 2^24 addresses is three numbers, and its i-th address is computed when asked for. Pure.
 */
import { UsageError } from './usage.js';

/** A set of hosts that can be counted and indexed without being listed. */
export type HostSet = {
  /** How many hosts (at most `Number.MAX_SAFE_INTEGER`). */
  readonly count: number;
  /** The i-th host (0 ≤ i < count), as the text to connect to. */
  at(i: number): string;
};

const V4_PART = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;

/** The IPv4 address `text` as an unsigned 32-bit number, or undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => V4_PART.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The dotted form of an unsigned 32-bit number. */
export function formatIPv4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

const V6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function groups(text: string): number[] | undefined {
  if (text === '') return [];
  const out: number[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (v4 === undefined) return undefined;
      out.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (V6_GROUP.test(part)) {
      out.push(parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** The IPv6 address `text` (no zone) as a 128-bit bigint, or undefined when it is not one. */
export function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail].reduce((n, g) => (n << 16n) | BigInt(g), 0n);
}

/** The RFC 5952 form of a 128-bit address: lower case, no leading zeros, the longest run of 2+ zero groups as `::`. */
export function formatIPv6(n: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  let bestAt = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) [bestAt, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (list: number[]): string => list.map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(g);
  return `${hex(g.slice(0, bestAt))}::${hex(g.slice(bestAt + bestLength))}`;
}

/**
 * The block `address/prefix` (the address's host bits are cleared, as nmap does: `127.0.0.5/30` is
 * `127.0.0.4` to `127.0.0.7`). Every address of the block is a host, network and broadcast addresses included.
 * Throws a {@link UsageError} naming `text` for a bad address, a bad prefix, or a block of more than 2^52
 * addresses (an IPv6 prefix shorter than /76).
 */
export function parseCidr(text: string): HostSet & { readonly family: 4 | 6 } {
  const slash = text.indexOf('/');
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const v4 = parseIPv4(addressText);
  const v6 = v4 === undefined ? parseIPv6(addressText) : undefined;
  if (v4 === undefined && v6 === undefined) {
    throw new UsageError(`bad CIDR block ${JSON.stringify(text)}: ${JSON.stringify(addressText)} is not an IP address (write [v6/len] for IPv6, as in [fd00::/120]:22)`);
  }
  const bits = v4 === undefined ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    throw new UsageError(`bad CIDR block ${JSON.stringify(text)}: the prefix length must be 0 to ${bits}`);
  }
  const hostBits = bits - Number(prefixText);
  if (hostBits > 52) {
    throw new UsageError(`bad CIDR block ${JSON.stringify(text)}: 2^${hostBits} addresses is more than a scan can count (at most 2^52, an IPv6 prefix of /76 or longer)`);
  }
  const count = 2 ** hostBits;
  if (v4 !== undefined) {
    const base = v4 - (v4 % count);
    return { family: 4, count, at: (i) => formatIPv4(base + i) };
  }
  const size = BigInt(count);
  const base = v6! - (v6! % size);
  return { family: 6, count, at: (i) => formatIPv6(base + BigInt(i)) };
}
