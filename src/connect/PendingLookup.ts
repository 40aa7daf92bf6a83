import type { SocketAddress } from '../core/socket.js';

/** What a lookup is for: the host, of one family (0 for both), or the local address `myaddr`. */
export type LookupFamily = 0 | 4 | 6 | 'local';

/** Who hears a lookup's answer: the {@link Dialer}. */
export type LookupOwner = {
  lookupAnswered(family: LookupFamily, error: unknown, found: readonly SocketAddress[]): void;
};

/**
 * One lookup in flight. Its callback reaches the Dialer only through this object, and `cutLoose()` (when the
 * Dialer is done) lets go of it: a system resolver still busy after an unsubscribe holds this, not the connect.
 */
export class PendingLookup {
  private dialer: LookupOwner | undefined;
  private readonly family: LookupFamily;
  /** The resolver's cancel, when it offers one. */
  cancel: (() => void) | undefined = undefined;

  constructor(dialer: LookupOwner, family: LookupFamily) {
    this.dialer = dialer;
    this.family = family;
  }

  answer(error: unknown, found: readonly SocketAddress[]): void {
    const dialer = this.dialer;
    this.dialer = undefined;
    dialer?.lookupAnswered(this.family, error, found);
  }

  /** Forgets the Dialer and cancels the lookup when the resolver can. */
  cutLoose(): void {
    this.dialer = undefined;
    const cancel = this.cancel;
    this.cancel = undefined;
    cancel?.();
  }
}
