import type { SocketAddress } from '../core/socket.js';

/**
 * Which family an interleaved queue starts with: IPv6 or IPv4 when one of that family is queued, or the family of
 * the first address it was given (the resolver's own order).
 */
export type FirstFamily = 6 | 4 | 'resolver';

/**
 * How an {@link AddressQueue} hands out its addresses: `'interleaved'` alternates the families after a head of
 * the first family (RFC 8305 §4, happy-eyeballs); `'resolver'` keeps the resolver's order (Tcl 8.6, sequential).
 */
export type AddressOrder = 'interleaved' | 'resolver';

/** A first-in, first-out list of addresses that hands them out without moving the rest (`shift()` would). */
export class Fifo {
  private readonly items: SocketAddress[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(address: SocketAddress): void {
    this.items.push(address);
  }

  take(): SocketAddress | undefined {
    if (this.head === this.items.length) return undefined;
    return this.items[this.head++];
  }

  clear(): void {
    if (this.items.length === 0) return;
    this.items.length = 0;
    this.head = 0;
  }
}

/** The untried addresses of one connect, as the {@link Dialer} uses them. */
export type Addresses = {
  readonly size: number;
  unseen(answer: readonly SocketAddress[]): SocketAddress[];
  push(address: SocketAddress): void;
  next(): SocketAddress | undefined;
  clear(): void;
  /** With a history: whether the address `next()` returned last was placed by it. */
  readonly moved?: boolean;
  /**
   * With a history, what a lookup's answer of `answered`'s family means for the start: `'now'` when the last
   * winner is queued (no resolution delay), `'other'` when the address worth waiting for may come from the other
   * family's lookup; undefined to decide as RFC 8305 does.
   */
  learned?(answered: 0 | 4 | 6): 'now' | 'other' | undefined;
};

/**
 * The one address of a connect to an IP literal. No lookup follows a literal, so there is nothing to order or
 * deduplicate: this holds its one address in a field, so that the cheapest connect makes no lists.
 */
export class LiteralAddress implements Addresses {
  private address: SocketAddress | undefined = undefined;

  get size(): number {
    return this.address === undefined ? 0 : 1;
  }

  unseen(answer: readonly SocketAddress[]): SocketAddress[] {
    return [...answer];
  }

  push(address: SocketAddress): void {
    this.address = address;
  }

  next(): SocketAddress | undefined {
    const address = this.address;
    this.address = undefined;
    return address;
  }

  clear(): void {
    this.address = undefined;
  }
}

/**
 * The untried addresses of one connect, in the order they are to be tried. Answers that arrive later join the
 * untried tail; an address seen before (in an earlier answer or earlier in the same one) is dropped.
 *
 * Interleaved order (RFC 8305 §4): the first address goes to the `firstFamily` (IPv6 by default) when one of it
 * is queued, then `firstFamilyCount`
 * addresses of that family lead, then the families alternate; when one family runs out, the other goes on. The
 * choice is made as each address is taken, over what is queued at that moment, as SwiftNIO's TargetIterator does.
 */
export class AddressQueue implements Addresses {
  private readonly order: AddressOrder;
  private readonly firstFamilyCount: number;
  private readonly preferred: FirstFamily;
  /** The family of the first address pushed; 0 until then. */
  private firstPushed: 0 | 4 | 6 = 0;
  /** Every address offered by an answer, to drop repeats in linear time. */
  private readonly seen = new Set<string>();
  /** Resolver order: every address. Interleaved: the IPv4 addresses. */
  private readonly ipv4OrAll = new Fifo();
  /** Interleaved: the IPv6 addresses. */
  private readonly ipv6 = new Fifo();
  /** The family of the first address taken; 0 until then. */
  private firstFamily: 0 | 4 | 6 = 0;
  /** How many more of the first family go before the families alternate. */
  private leadLeft = 0;
  private lastFamily: 4 | 6 = 6;

  constructor(order: AddressOrder, firstFamilyCount: number, firstFamily: FirstFamily = 6) {
    this.order = order;
    this.firstFamilyCount = firstFamilyCount;
    this.preferred = firstFamily;
  }

  /** How many addresses are queued. */
  get size(): number {
    return this.ipv4OrAll.size + this.ipv6.size;
  }

  /** The addresses of `answer` not seen before, in its order; they are remembered as seen. */
  unseen(answer: readonly SocketAddress[]): SocketAddress[] {
    const fresh: SocketAddress[] = [];
    for (const address of answer) {
      if (this.seen.has(address.address)) continue;
      this.seen.add(address.address);
      fresh.push(address);
    }
    return fresh;
  }

  /** Queues one address at the tail of its family (or of the one list, in resolver order). */
  push(address: SocketAddress): void {
    if (this.firstPushed === 0) this.firstPushed = address.family;
    if (this.order === 'interleaved' && address.family === 6) this.ipv6.push(address);
    else this.ipv4OrAll.push(address);
  }

  /** Takes the next address to try, or undefined when none is queued. */
  next(): SocketAddress | undefined {
    if (this.order === 'resolver') return this.ipv4OrAll.take();
    if (this.size === 0) return undefined;
    let family: 4 | 6;
    if (this.firstFamily === 0) {
      const preferred: 4 | 6 = this.preferred === 'resolver' ? (this.firstPushed === 4 ? 4 : 6) : this.preferred;
      family = this.of(preferred).size > 0 ? preferred : preferred === 6 ? 4 : 6;
      this.firstFamily = family;
      this.leadLeft = this.firstFamilyCount;
    } else if (this.leadLeft > 0 && this.of(this.firstFamily).size > 0) {
      family = this.firstFamily;
    } else {
      // The lead is over (or its family ran out): alternate, staying on one family when the other has none.
      this.leadLeft = 0;
      const other = this.lastFamily === 6 ? 4 : 6;
      family = this.of(other).size > 0 ? other : this.lastFamily;
    }
    if (family === this.firstFamily && this.leadLeft > 0) this.leadLeft--;
    this.lastFamily = family;
    return this.of(family).take();
  }

  /** Forgets every queued and seen address. */
  clear(): void {
    this.seen.clear();
    this.ipv4OrAll.clear();
    this.ipv6.clear();
  }

  private of(family: 4 | 6): Fifo {
    return family === 6 ? this.ipv6 : this.ipv4OrAll;
  }
}
