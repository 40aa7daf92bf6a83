import type { SchedulerLike } from 'rxjs';
import type { SocketAddress } from '../core/socket.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import { ArgumentOutOfRangeError } from '../errors/ArgumentOutOfRangeError.js';
import { describe, parseDelay, parseInteger, parseOptions, parseScheduler } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';

/** Options of {@link createConnectHistory}. Every option is validated when it is called. */
export type ConnectHistoryOptions = {
  /** Milliseconds a record is trusted after it was made; then it is forgotten. Default 600000 (10 minutes). */
  readonly ttl?: number | undefined;
  /** The most `host:port` entries kept; the least recently used one is dropped for a new one. Default 1000. */
  readonly maxEntries?: number | undefined;
  /** The clock the records age on (its `now()`). Default `asyncScheduler`; a `TestScheduler` in marble tests. */
  readonly scheduler?: SchedulerLike | undefined;
};

/** The address that won a connect (its IP literal and family), and when. */
export type ConnectHistoryWinner = Pick<SocketAddress, 'address' | 'family'> & {
  /** When it connected, in the history scheduler's time (ms). */
  readonly at: number;
};

/** An address whose attempt failed (its IP literal and family), its error's code, and when. */
export type ConnectHistoryFailure = Pick<SocketAddress, 'address' | 'family'> & {
  /** The attempt's error code: `ECONNREFUSED`, `ETIMEDOUT`, `EHOSTUNREACH`, ... */
  readonly code: string;
  /** When it failed, in the history scheduler's time (ms). */
  readonly at: number;
};

/** What a {@link ConnectHistory} knows of one `host:port`. */
export type ConnectHistoryEntry = {
  /** The host name, in lower case. */
  readonly host: string;
  /** The port. */
  readonly port: number;
  /** The address that won last, unless it has failed since or expired. */
  readonly winner: ConnectHistoryWinner | undefined;
  /** The addresses that failed last time they were tried (and have not won since), oldest first. */
  readonly failed: readonly ConnectHistoryFailure[];
};

/**
 * What rxconnect learned from earlier connects, per `host:port`: the address that won last and the addresses that
 * failed. Given as the `history` option, it puts the last winner first and the failed addresses last (RFC 8305
 * §7). Made by {@link createConnectHistory}; owned by the program, never global.
 */
export type ConnectHistory = {
  /** The entries not yet expired, least recently used first. A copy: changing it changes nothing. */
  entries(): ConnectHistoryEntry[];
  /** Forgets every entry. */
  clear(): void;
};

/** One `host:port`'s records. Expired records are dropped when the entry is read. */
type Entry = { winner: ConnectHistoryWinner | undefined; failed: Map<string, ConnectHistoryFailure> };

/** What one connect takes from a history when it starts: the winner to try first and the addresses to try last. */
export type Recalled = {
  readonly winner: Pick<SocketAddress, 'address' | 'family'> | undefined;
  readonly failed: ReadonlySet<string>;
};

const HISTORY_OPTIONS: KnownKeys<ConnectHistoryOptions> = { ttl: true, maxEntries: true, scheduler: true };

const DEFAULT_TTL = 10 * 60 * 1000;
const DEFAULT_MAX_ENTRIES = 1000;

/**
 * The history itself. Concurrent connects share it safely: each reads a copy of its host's entry when it starts
 * and writes one record at a time, in the event loop's order, so the last outcome of an address wins.
 */
export class HistoryStore implements ConnectHistory {
  private readonly ttl: number;
  private readonly maxEntries: number;
  private readonly scheduler: SchedulerLike;
  /** In least-recently-used order: a used key is deleted and set again. */
  private readonly map = new Map<string, Entry>();

  constructor(ttl: number, maxEntries: number, scheduler: SchedulerLike) {
    this.ttl = ttl;
    this.maxEntries = maxEntries;
    this.scheduler = scheduler;
  }

  entries(): ConnectHistoryEntry[] {
    const list: ConnectHistoryEntry[] = [];
    for (const key of [...this.map.keys()]) {
      const entry = this.live(key);
      if (entry === undefined) continue;
      const at = key.lastIndexOf(' ');
      list.push({ host: key.slice(0, at), port: Number(key.slice(at + 1)), winner: entry.winner, failed: [...entry.failed.values()] });
    }
    return list;
  }

  clear(): void {
    this.map.clear();
  }

  /** @internal What a connect to `host:port` starting now should know, or undefined when nothing (live) is known. */
  recall(host: string, port: number): Recalled | undefined {
    const key = keyOf(host, port);
    const entry = this.live(key);
    if (entry === undefined) return undefined;
    this.touch(key, entry);
    return { winner: entry.winner, failed: new Set(entry.failed.keys()) };
  }

  /** @internal `address` connected: it is the winner, and no longer a failure. */
  won(host: string, port: number, { address, family }: SocketAddress): void {
    const key = keyOf(host, port);
    const entry = this.live(key) ?? { winner: undefined, failed: new Map() };
    entry.winner = { address, family, at: this.scheduler.now() };
    entry.failed.delete(address);
    this.touch(key, entry);
  }

  /** @internal `address` failed with `code`: it goes to the failures, and stops being the winner. */
  failed(host: string, port: number, { address, family }: SocketAddress, code: string): void {
    const key = keyOf(host, port);
    const entry = this.live(key) ?? { winner: undefined, failed: new Map() };
    if (entry.winner?.address === address) entry.winner = undefined;
    // Deleted first, so that the failures stay oldest first.
    entry.failed.delete(address);
    entry.failed.set(address, { address, family, code, at: this.scheduler.now() });
    this.touch(key, entry);
  }

  /** The entry of `key` without its expired records; undefined (and dropped) when nothing is left. */
  private live(key: string): Entry | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    const oldest = this.scheduler.now() - this.ttl;
    if (entry.winner !== undefined && entry.winner.at <= oldest) entry.winner = undefined;
    for (const [address, failure] of entry.failed) if (failure.at <= oldest) entry.failed.delete(address);
    if (entry.winner !== undefined || entry.failed.size > 0) return entry;
    this.map.delete(key);
    return undefined;
  }

  /** Makes `key` the most recently used, dropping the least recently used entry beyond `maxEntries`. */
  private touch(key: string, entry: Entry): void {
    this.map.delete(key);
    this.map.set(key, entry);
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }
}

function keyOf(host: string, port: number): string {
  return `${host.toLowerCase()} ${port}`;
}

/**
 * Makes a connect history: what earlier connects learned, so that later ones to the same `host:port` start with
 * the address that won last time and try last the addresses that failed (RFC 8305 §7).
 *
 * <span class="informal">With a black-holed IPv6 path, a connect without a history waits `attemptDelay` (250 ms)
 * before IPv4 starts, every time; with one, the second connect starts with the IPv4 address that won.</span>
 *
 * Pass it as the `history` option of `connectAsync$`, `connect`, `connectSocket`, and of rxconnect/http's
 * `connector` and Agents (which make one per instance unless given one or `history: false`). A connect reads its
 * host's entry when it starts, records each address's failure as it happens and the winner as soon as it
 * connects (even if unsubscribed right after). A stale entry costs one `attemptDelay`, never a failure: the other
 * addresses race as RFC 8305 says. A record expires `ttl` ms after it was made, on the history's scheduler. There
 * is no global history: share one by passing the same object. IP literals are not recorded.
 *
 * ## Example
 * ```ts
 * import { connect, createConnectHistory } from 'rxconnect';
 *
 * const history = createConnectHistory({ ttl: 5 * 60_000 });
 * const first = await connect('localhost', 8080, { history });
 * await first.close();
 * const second = await connect('localhost', 8080, { history }); // the address that won first
 * console.log(history.entries());
 * await second.close();
 * ```
 *
 * @param options `ttl` (ms, default 10 minutes), `maxEntries` (default 1000), `scheduler` (default
 * `asyncScheduler`); validated now.
 * @returns A new, empty {@link ConnectHistory}.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the option, for bad options.
 */
export function createConnectHistory(options?: ConnectHistoryOptions): ConnectHistory {
  const o = parseOptions<ConnectHistoryOptions>(options, 'options', HISTORY_OPTIONS);
  const ttl = parseDelay(o.ttl, 'ttl', DEFAULT_TTL, Number.MAX_SAFE_INTEGER);
  if (ttl === 0) throw new ArgumentOutOfRangeError('ttl', 'must be more than 0 ms');
  const maxEntries = parseInteger(o.maxEntries, 'maxEntries', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_ENTRIES);
  return new HistoryStore(ttl, maxEntries, parseScheduler(o.scheduler, 'scheduler'));
}

/** The `history` option: a history from {@link createConnectHistory}, or false or undefined for none. */
export function parseHistory(value: unknown, argument: string): HistoryStore | undefined {
  if (value === undefined || value === false) return undefined;
  if (value instanceof HistoryStore) return value;
  throw new InvalidArgumentError(argument, `must be a ConnectHistory from createConnectHistory(), or false, got ${describe(value)}`, 'ERR_INVALID_ARG_TYPE');
}
