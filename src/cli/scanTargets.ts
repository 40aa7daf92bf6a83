/**
 * The target forms of `rxconnect scan`: `host:22,80,443`, `host:1-1024`, `127.0.0.0/28:80`, `[fd00::/120]:22`,
 * `host:http`, and a host without a port under `--top N`. A form is a product of a {@link HostSet} and a
 * {@link PortSet}, counted and indexed arithmetically, and expanded lazily by a generator: `10.0.0.0/8:1-65535`
 * is a few numbers, never a list. Pure.
 */
import type { HostSet } from './ipRange.js';
import { parseCidr } from './ipRange.js';
import { TOP_PORTS } from './topPorts.js';
import { UsageError } from './usage.js';

/** A set of ports (numbers, or service names resolved at connect time), counted and indexed without a list. */
export type PortSet = {
  readonly count: number;
  /** The service names among the ports, to check before the scan starts. */
  readonly services: readonly string[];
  /** The i-th port (0 ≤ i < count). */
  at(i: number): number | string;
};

/** One parsed target form: every host of `hosts` with every port of `ports`, host by host. */
export type ScanForm = {
  /** The form as it was written. */
  readonly text: string;
  readonly hosts: HostSet;
  readonly ports: PortSet;
  /** hosts.count × ports.count. */
  readonly count: number;
};

/** One target of a scan: a host and a port, and its place in the whole list of targets (0-based). */
export type ScanTarget = { readonly host: string; readonly port: number | string; readonly index: number };

/** `--shard i/n`: the targets whose 0-based place p has p mod n = i − 1. */
export type Shard = { readonly index: number; readonly of: number };

const SERVICE = /^[A-Za-z][A-Za-z0-9._+-]*$/;
const FORMS = 'host:port, host:22,80,443, host:1-1024, 10.0.0.0/24:80, [ipv6]:port, [fd00::/120]:22, host:service';

type PortItem = { readonly from: number; readonly to: number } | { readonly service: string };

function portSet(items: readonly PortItem[]): PortSet {
  const starts: number[] = [];
  let count = 0;
  for (const item of items) {
    starts.push(count);
    count += 'service' in item ? 1 : item.to - item.from + 1;
  }
  return {
    count,
    services: items.flatMap((item) => ('service' in item ? [item.service] : [])),
    at(i) {
      // The last item that starts at or before i (binary search over the running counts).
      let lo = 0;
      let hi = items.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= i) lo = mid;
        else hi = mid - 1;
      }
      const item = items[lo]!;
      return 'service' in item ? item.service : item.from + (i - starts[lo]!);
    },
  };
}

/** The first `n` of nmap's top 100 TCP ports, most often open first. */
export function topPorts(n: number): PortSet {
  return portSet(TOP_PORTS.slice(0, n).map((p) => ({ from: p, to: p })));
}

function portNumber(text: string, where: string): number {
  const n = Number(text);
  if (n < 1 || n > 65535) throw new UsageError(`${where}: port ${text} is out of range (1 to 65535)`);
  return n;
}

/**
 * Parses a port list: `22`, `22,80,443`, `1-1024`, `22,8000-8100`, `http` (a service name), in the order written.
 * A port written twice, in ranges that overlap or as one name twice, counts once, at its first place.
 */
export function parsePorts(text: string, where: string): PortSet {
  return portSet(withoutRepeats(text.split(',').map((part) => portItem(part, text, where))));
}

function portItem(part: string, text: string, where: string): PortItem {
  if (/^\d+$/.test(part)) {
    const n = portNumber(part, where);
    return { from: n, to: n };
  }
  const range = /^(\d+)-(\d+)$/.exec(part);
  if (range !== null) {
    const from = portNumber(range[1]!, where);
    const to = portNumber(range[2]!, where);
    if (from > to) throw new UsageError(`${where}: port range ${part} runs backwards (write ${to}-${from})`);
    return { from, to };
  }
  if (part === '') throw new UsageError(`${where}: empty port in ${JSON.stringify(text)}`);
  if (!SERVICE.test(part)) throw new UsageError(`${where}: ${JSON.stringify(part)} is neither a port, a range like 1-1024, nor a service name`);
  return { service: part };
}

/**
 * The items with every port and name that an earlier item has already, taken out: a range may become several.
 * The ports seen so far are kept as sorted, disjoint ranges, so a list of all 65,535 ports takes a moment.
 */
function withoutRepeats(items: readonly PortItem[]): PortItem[] {
  const kept: PortItem[] = [];
  const names = new Set<string>();
  const seen: PortRange[] = [];
  for (const item of items) {
    if ('service' in item) {
      if (!names.has(item.service)) kept.push(item);
      names.add(item.service);
      continue;
    }
    kept.push(...takeUnseen(seen, item));
  }
  return kept;
}

type PortRange = { readonly from: number; readonly to: number };

/** The index of the first range of `sorted` that ends at or after `port` (`sorted.length` if none). */
function firstEndingFrom(sorted: readonly PortRange[], port: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as PortRange).to < port) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The parts of `range` that no range of `sorted` (sorted, disjoint) covers, in order; `range` then joins `sorted`,
 * merged with the ranges it overlaps or touches. One walk over those ranges does both.
 */
function takeUnseen(sorted: PortRange[], range: PortRange): PortRange[] {
  const parts: PortRange[] = [];
  const first = firstEndingFrom(sorted, range.from - 1);
  let next = range.from;
  let merged = range;
  let i = first;
  for (; i < sorted.length && (sorted[i] as PortRange).from <= range.to + 1; i++) {
    const other = sorted[i] as PortRange;
    if (other.from > next && next <= range.to) parts.push({ from: next, to: Math.min(other.from - 1, range.to) });
    next = Math.max(next, other.to + 1);
    merged = { from: Math.min(merged.from, other.from), to: Math.max(merged.to, other.to) };
  }
  if (next <= range.to) parts.push({ from: next, to: range.to });
  sorted.splice(first, i - first, merged);
  return parts;
}

function hostSet(host: string, where: string, bracketed: boolean): HostSet {
  if (host === '') throw new UsageError(`${where}: missing host`);
  if (host.includes('/')) {
    const block = parseCidr(host);
    if (block.family === 6 && !bracketed) throw new UsageError(`${where}: an IPv6 block needs brackets, as in [${host}]:port`);
    if (block.family === 4 && bracketed) throw new UsageError(`${where}: brackets are for IPv6 addresses only`);
    return block;
  }
  if (bracketed && !host.includes(':')) throw new UsageError(`${where}: brackets are for IPv6 addresses only`);
  return { count: 1, at: () => host };
}

/**
 * Parses one target form. A host written without a port takes `top` (the ports of `--top N`); without `top`
 * it is an error. Throws a {@link UsageError} that names the form and says what is wrong. Host names are
 * checked later, by `connectAsync$`.
 */
export function parseScanTarget(text: string, top?: PortSet): ScanForm {
  const raw = text.trim();
  const where = `bad target ${JSON.stringify(raw)}`;
  if (raw === '') throw new UsageError(`empty target (expected ${FORMS})`);
  let host: string;
  let ports: string | undefined;
  const bracketed = raw.startsWith('[');
  if (bracketed) {
    const close = raw.indexOf(']');
    if (close < 0) throw new UsageError(`${where}: "[" without "]" (expected [ipv6]:port)`);
    host = raw.slice(1, close);
    const rest = raw.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new UsageError(`${where}: expected ":port" after "]"`);
    ports = rest === '' ? undefined : rest.slice(1);
  } else {
    const colons = raw.split(':').length - 1;
    if (colons > 1) {
      const at = raw.lastIndexOf(':');
      throw new UsageError(`${where}: an IPv6 address needs brackets, as in [${raw.slice(0, at)}]:${raw.slice(at + 1)}`);
    }
    const at = raw.indexOf(':');
    host = at < 0 ? raw : raw.slice(0, at);
    ports = at < 0 ? undefined : raw.slice(at + 1);
  }
  const hosts = hostSet(host, where, bracketed);
  let portList: PortSet;
  if (ports === undefined) {
    if (top === undefined) throw new UsageError(`${where}: missing port (expected ${bracketed ? `[${host}]` : host}:port, or --top N for the most common ports)`);
    portList = top;
  } else {
    if (ports === '') throw new UsageError(`${where}: missing port`);
    portList = parsePorts(ports, where);
  }
  const count = hosts.count * portList.count;
  if (!Number.isSafeInteger(count)) throw new UsageError(`${where}: ${hosts.count} hosts × ${portList.count} ports is more targets than a scan can count (2^53)`);
  return { text: raw, hosts, ports: portList, count };
}

/** The first place k ≥ 0 within a form that starts at `offset` of the whole list, that `shard` takes. */
function firstOf(offset: number, shard: Shard): number {
  return (((shard.index - 1 - offset) % shard.of) + shard.of) % shard.of;
}

/** How many of `count` targets starting at `offset` of the whole list `shard` takes. Arithmetic, no iteration. */
export function shardCount(count: number, offset: number, shard: Shard): number {
  const first = firstOf(offset, shard);
  return first < count ? Math.floor((count - 1 - first) / shard.of) + 1 : 0;
}

/**
 * The targets of `form`, host by host and port by port in the order written, placed at `offset` in the whole
 * list and filtered by `shard`. Lazy: each target is made when the generator is asked for it.
 */
export function* expandForm(form: ScanForm, offset: number, shard: Shard = { index: 1, of: 1 }): Generator<ScanTarget, void, undefined> {
  const perHost = form.ports.count;
  let hostIndex = -1;
  let host = '';
  for (let k = firstOf(offset, shard); k < form.count; k += shard.of) {
    const h = Math.floor(k / perHost);
    if (h !== hostIndex) {
      hostIndex = h;
      host = form.hosts.at(h);
    }
    yield { host, port: form.ports.at(k - h * perHost), index: offset + k };
  }
}

/**
 * One line of a list: the target form on it, or undefined for a blank line or a comment (`#` to the end of
 * the line). A line with two targets is an error.
 */
export function listLine(line: string): string | undefined {
  const text = line.replace(/#.*$/, '').trim();
  if (text === '') return undefined;
  if (/\s/.test(text)) throw new UsageError(`one target per line, got ${JSON.stringify(text)}`);
  return text;
}

/** Parses `--shard i/n`. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (m === null) throw new UsageError(`expected i/n, such as 1/3 (the first of three shards)`);
  const index = Number(m[1]);
  const of = Number(m[2]);
  if (of < 1 || index < 1 || index > of || !Number.isSafeInteger(of)) throw new UsageError(`expected i/n with 1 ≤ i ≤ n, such as 1/3 (shards count from 1)`);
  return { index, of };
}
