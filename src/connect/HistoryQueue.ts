import type { SocketAddress } from '../core/socket.js';
import { Fifo } from './AddressQueue.js';
import type { AddressQueue, Addresses } from './AddressQueue.js';
import type { Recalled } from './ConnectHistory.js';

/**
 * The untried addresses of a connect that has a history (RFC 8305 §7): the address that won last time goes
 * first as soon as an answer brings it, whatever its family; the addresses that failed last time go after every
 * other; the rest keep the order of the {@link AddressQueue} it wraps (RFC 8305 or the resolver's).
 */
export class HistoryQueue implements Addresses {
  private readonly inner: AddressQueue;
  private readonly winner: Recalled['winner'];
  private readonly failedBefore: ReadonlySet<string>;
  /** The winner, while queued. */
  private first: SocketAddress | undefined = undefined;
  /** The addresses that failed last time, in the order they came. */
  private readonly last = new Fifo();
  moved = false;

  constructor(inner: AddressQueue, recalled: Recalled) {
    this.inner = inner;
    this.winner = recalled.winner;
    this.failedBefore = recalled.failed;
  }

  get size(): number {
    return (this.first === undefined ? 0 : 1) + this.inner.size + this.last.size;
  }

  unseen(answer: readonly SocketAddress[]): SocketAddress[] {
    return this.inner.unseen(answer);
  }

  push(address: SocketAddress): void {
    if (address.address === this.winner?.address) {
      this.first = address;
    } else if (this.failedBefore.has(address.address)) {
      this.last.push(address);
    } else {
      this.inner.push(address);
    }
  }

  next(): SocketAddress | undefined {
    const first = this.first;
    if (first !== undefined) {
      this.first = undefined;
      this.moved = true;
      return first;
    }
    const address = this.inner.next();
    if (address !== undefined) {
      this.moved = false;
      return address;
    }
    const failedBefore = this.last.take();
    this.moved = failedBefore !== undefined;
    return failedBefore;
  }

  /**
   * `'now'` while the winner is queued. `'other'` when an answer of one family came without the winner and the
   * winner is of the other family, or when only addresses that failed last time are queued. (A winner missing from
   * an answer of its own family has left the name: RFC 8305 decides.)
   */
  learned(answered: 0 | 4 | 6): 'now' | 'other' | undefined {
    if (this.first !== undefined) return 'now';
    if (answered === 0) return undefined;
    if (this.winner !== undefined && this.winner.family !== answered) return 'other';
    return this.inner.size === 0 && this.last.size > 0 ? 'other' : undefined;
  }

  clear(): void {
    this.first = undefined;
    this.inner.clear();
    this.last.clear();
  }
}

