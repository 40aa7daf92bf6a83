import { ConnectError } from '../errors/ConnectError.js';
import { lookupCode, lookupFailure, mostRelevant } from '../errors/codes.js';
import { ipFamily, WILDCARD } from '../core/address.js';
import { safeLookup } from '../transport/lookup.js';
import type { Subscription } from 'rxjs';
import type { SocketEvents, Transport, TransportSocket } from '../transport/Transport.js';
import type { ConnectEvent } from './ConnectEvent.js';
import type { SocketAddress } from '../core/socket.js';
import type { ConnectPlan } from './connectPlan.js';

/** Who runs an {@link Attempt} and hears how it ends: a {@link Dialer}, or a {@link OneAddressDial}. */
export type AttemptOwner = {
  attemptConnected(attempt: Attempt): void;
  attemptFailed(attempt: Attempt, cause: unknown): void;
};

/**
 * One dial of one address. It is also the socket's events while it connects: one object per attempt, rather
 * than an events object and two closures.
 */
export class Attempt implements SocketEvents {
  readonly n: number;
  readonly address: SocketAddress;
  readonly local: SocketAddress | undefined;
  readonly startedAt: number;
  socket: TransportSocket | undefined = undefined;
  timer: Subscription | undefined = undefined;
  done = false;
  /** This attempt connected first: its socket is the connect's. */
  won = false;
  /** dial() has not returned yet: a connect reported meanwhile waits for the socket (connectedWhileDialing). */
  private dialing = true;
  private connectedWhileDialing = false;
  private readonly owner: AttemptOwner;

  constructor(owner: AttemptOwner, n: number, address: SocketAddress, local: SocketAddress | undefined, startedAt: number) {
    this.owner = owner;
    this.n = n;
    this.address = address;
    this.local = local;
    this.startedAt = startedAt;
  }

  /** Dials through `transport`; the owner hears the outcome, which may come before this returns. */
  dial(transport: Transport, plan: ConnectPlan): void {
    // A transport may report the connect before dial() has even returned the socket: held until then.
    try {
      this.socket = transport.dial({ remote: this.address, local: this.local, noDelay: plan.noDelay, keepAlive: plan.keepAlive }, this);
    } catch (error) {
      this.owner.attemptFailed(this, error);
    }
    this.dialing = false;
    if (this.connectedWhileDialing && this.socket !== undefined) this.owner.attemptConnected(this);
    // The dial may have settled things synchronously; a socket that arrived after that must not linger.
    if (this.done && this.socket !== undefined && !this.won) this.socket.destroy();
  }

  /** Over, and the connect's: its timer stops, and its socket is the winner's to keep. */
  win(): void {
    this.done = true;
    this.won = true;
    this.timer?.unsubscribe();
  }

  /**
   * Over without winning: its timer stops and its socket goes. A socket that dial() has not returned yet (an
   * abandon from inside it) is destroyed when it comes.
   */
  abandon(): void {
    this.done = true;
    this.timer?.unsubscribe();
    this.socket?.destroy();
  }

  connect(): void {
    if (this.dialing) this.connectedWhileDialing = true;
    else this.owner.attemptConnected(this);
  }

  error(error: Error): void {
    this.owner.attemptFailed(this, error);
  }

  data(): void {}
  end(): void {}
  close(): void {}
  drain(): void {}
}

/** Whom a Dialer reports to: the subscription's {@link ConnectRun}. */
export type DialerOwner = {
  /** Whether the subscriber wants the events before the outcome (false when only the channel is wanted). */
  readonly eventsWanted: boolean;
  /** Milliseconds since the subscription. */
  readonly elapsed: number;
  /** Emits unless the subscriber is gone; returns whether it is still there. */
  emit(event: ConnectEvent): boolean;
  /** An attempt won. The dialer has settled; `losers` were still in flight and are destroyed, in attempt order. */
  won(attempt: Attempt, losers: readonly Attempt[], plan: ConnectPlan): void;
  /** Every lookup and attempt is over, and none connected. The dialer has settled. */
  failed(error: ConnectError): void;
};

const NONE: never[] = [];
const inAttemptOrder = (a: Attempt, b: Attempt): number => a.n - b.n;
const FAMILY_BIT: Readonly<Record<0 | 4 | 6, number>> = { 0: 1, 4: 2, 6: 4 };

/** What a connect's owner drives: the lookups and attempts, until they settle or it cancels them. */
export type Dial = {
  start(): void;
  /** Stops everything: timers, lookups and the sockets of attempts in flight. Idempotent. */
  cancel(): void;
};

/**
 * The dial for `plan`: a {@link OneAddressDial} when only the channel is wanted and there is one address to
 * try and nothing to time (an IP literal without local binding or attemptTimeout), else a {@link Dialer}.
 */
export function dialFor(plan: ConnectPlan, owner: DialerOwner): Dial {
  const single = !owner.eventsWanted && plan.hostFamily !== 0 && plan.myaddr === undefined && plan.myport === undefined && plan.attemptTimeout === undefined;
  return single ? new OneAddressDial(plan, owner) : new Dialer(plan, owner);
}

/**
 * The lookups and the attempt schedule of one connect: Happy Eyeballs or sequential, until an attempt wins or
 * all have failed. Everything is driven by transport callbacks and scheduler timers, so the same code runs on
 * real sockets and in virtual time. It lives only while connecting: its owner drops it once it has settled.
 */
export class Dialer implements AttemptOwner {
  private readonly plan: ConnectPlan;
  private readonly owner: DialerOwner;
  /** Once true, lookups and attempts are over: connected, failed or cancelled. */
  private settled = false;
  /** Attempting has begun (after the first answer and any resolution delay). */
  private started = false;
  /** Lookups not answered yet, as a bit set of FAMILY_BIT (a Set per connect costs more than it says). */
  private pendingLookups = 0;
  /** Cancels of lookups in flight; created by the first resolver that returns a cancellable handle. */
  private cancels: (() => void)[] | undefined;
  /** Addresses already resolved, to drop duplicates from a later answer; created by the first answer. */
  private seen: Set<string> | undefined;
  /** Happy Eyeballs: untried addresses per family (two fields: an object keyed 4 and 6 costs an elements store). */
  private v4: SocketAddress[] | undefined;
  private v6: SocketAddress[] | undefined;
  /** Sequential strategy: resolver order, one queue. */
  private ordered: SocketAddress[] | undefined;
  private firstFamily: 0 | 4 | 6 = 0;
  private lastFamily: 4 | 6 = 6;
  private headLeft = 0;
  private inFlight: Attempt[] | undefined;
  /** Attempt errors with their attempt numbers, in the order they failed. */
  private errors: { readonly n: number; readonly error: ConnectError }[] | undefined;
  private lookupErrors: unknown[] | undefined;
  private skippedNoLocal = 0;
  private attempts = 0;
  private newest: Attempt | undefined;
  private staggerTimer: Subscription | undefined;
  private resolutionTimer: Subscription | undefined;
  /** Local binding per family; undefined when no myaddr/myport was given. */
  private locals: Map<4 | 6, SocketAddress> | undefined;

  constructor(plan: ConnectPlan, owner: DialerOwner) {
    this.plan = plan;
    this.owner = owner;
  }

  start(): void {
    const { myaddr, myport } = this.plan;
    if (myaddr === undefined) {
      if (myport !== undefined) {
        this.locals = new Map([
          [4, { address: WILDCARD[4], family: 4, port: myport }],
          [6, { address: WILDCARD[6], family: 6, port: myport }],
        ]);
      }
      this.resolveRemote();
      return;
    }
    const literal = ipFamily(myaddr);
    if (literal !== 0) {
      this.locals = new Map([[literal, { address: myaddr, family: literal, port: myport ?? 0 }]]);
      this.resolveRemote();
      return;
    }
    this.lookup(myaddr, 0, (error, addresses) => {
      if (addresses.length === 0) {
        this.settle();
        this.owner.failed(new ConnectError(lookupFailure(`local address ${myaddr}`, error, undefined)));
        return;
      }
      this.locals = new Map();
      for (const a of addresses) if (!this.locals.has(a.family)) this.locals.set(a.family, { ...a, port: myport ?? 0 });
      this.resolveRemote();
    });
  }

  /** Stops everything: timers, lookups and the sockets of attempts in flight. Idempotent. */
  cancel(): void {
    const inFlight = this.inFlight ?? NONE;
    this.inFlight = undefined;
    this.settle();
    for (const a of inFlight) a.abandon();
  }

  private resolveRemote(): void {
    const { host, hostFamily, port, strategy, family } = this.plan;
    const owner = this.owner;
    if (hostFamily !== 0) {
      // No lookup follows a literal, so there is nothing to deduplicate against.
      const address: SocketAddress = { address: host, family: hostFamily, port };
      if (owner.eventsWanted && !owner.emit({ type: 'resolved', elapsed: owner.elapsed, host, port, family: hostFamily, addresses: [address] })) return;
      this.enqueueOne(address);
      this.begin();
      return;
    }
    const families: (0 | 4 | 6)[] = strategy === 'sequential' || family !== 0 ? [family] : [6, 4];
    for (const f of families) this.pendingLookups |= FAMILY_BIT[f];
    for (const f of families) {
      if (this.settled) return;
      this.lookup(host, f, (error, addresses) => this.answered(f, error, addresses));
    }
  }

  /** Runs the lookup function safely: it may throw, call back twice, or answer with junk. */
  private lookup(host: string, family: 0 | 4 | 6, done: (error: unknown, addresses: SocketAddress[]) => void): void {
    const cancel = safeLookup(this.plan.lookup, host, family, this.plan.port, (error, addresses) => {
      if (!this.settled) done(error, addresses);
    });
    if (cancel !== undefined) (this.cancels ??= []).push(cancel);
  }

  private answered(family: 0 | 4 | 6, error: unknown, found: SocketAddress[]): void {
    this.pendingLookups &= ~FAMILY_BIT[family];
    if (error !== undefined) (this.lookupErrors ??= []).push(error);
    const seen = (this.seen ??= new Set());
    const fresh = found.filter((a) => !seen.has(a.address));
    for (const a of fresh) seen.add(a.address);
    const { host, port } = this.plan;
    const owner = this.owner;
    if (owner.eventsWanted && !owner.emit({ type: 'resolved', elapsed: owner.elapsed, host, port, family, addresses: fresh })) return;
    this.enqueue(fresh);
    if (!this.started) {
      const waiting = this.untried() > 0;
      // No wait for IPv6 when no local address could carry it: its answer would only be skipped.
      const v6Usable = this.locals === undefined || this.locals.has(6);
      if (waiting && family === 4 && v6Usable && (this.pendingLookups & FAMILY_BIT[6]) !== 0) {
        // RFC 8305 §3: IPv4 answered first; give IPv6 a moment before starting.
        if (this.plan.resolutionDelay === 0) this.begin();
        else this.resolutionTimer ??= this.plan.scheduler.schedule(() => this.begin(), this.plan.resolutionDelay);
      } else if (waiting || this.pendingLookups === 0) {
        this.begin();
      }
      return;
    }
    // A late answer joins the untried tail. With no stagger pending, the next attempt is already due: go at once.
    if (this.staggerTimer === undefined) this.startNext();
    else this.checkFinished();
  }

  private enqueue(addresses: readonly SocketAddress[]): void {
    for (const a of addresses) this.enqueueOne(a);
  }

  private enqueueOne(a: SocketAddress): void {
    if (this.locals !== undefined && !this.locals.has(a.family)) this.skippedNoLocal++;
    // A literal for the first: a first push() onto [] would reserve room for 16 more.
    else if (this.plan.strategy === 'sequential') {
      if (this.ordered === undefined) this.ordered = [a];
      else this.ordered.push(a);
    } else if (a.family === 4) {
      if (this.v4 === undefined) this.v4 = [a];
      else this.v4.push(a);
    } else if (this.v6 === undefined) this.v6 = [a];
    else this.v6.push(a);
  }

  private begin(): void {
    if (this.started || this.settled) return;
    this.started = true;
    this.resolutionTimer?.unsubscribe();
    this.resolutionTimer = undefined;
    this.startNext();
  }

  /** The next address: resolver order (sequential), or families interleaved after a head of the first family. */
  private pick(): SocketAddress | undefined {
    if (this.plan.strategy === 'sequential') return this.ordered?.shift();
    if (this.queue(4).length === 0 && this.queue(6).length === 0) return undefined;
    let family: 4 | 6;
    const first = this.firstFamily;
    if (first === 0) {
      family = this.queue(6).length > 0 ? 6 : 4;
      this.firstFamily = family;
      this.headLeft = this.plan.firstFamilyCount;
    } else if (this.headLeft > 0 && this.queue(first).length > 0) {
      family = first;
    } else {
      this.headLeft = 0;
      const other = this.lastFamily === 6 ? 4 : 6;
      family = this.queue(other).length > 0 ? other : this.lastFamily;
    }
    if (family === this.firstFamily && this.headLeft > 0) this.headLeft--;
    this.lastFamily = family;
    return this.queue(family).shift();
  }

  /** The untried addresses of one family (an empty list until there are some). */
  private queue(family: 4 | 6): readonly SocketAddress[] & { shift(): SocketAddress | undefined } {
    return (family === 4 ? this.v4 : this.v6) ?? NONE;
  }

  private untried(): number {
    return (this.ordered?.length ?? 0) + (this.v4?.length ?? 0) + (this.v6?.length ?? 0);
  }

  private startNext(): void {
    if (this.settled) return;
    this.staggerTimer?.unsubscribe();
    this.staggerTimer = undefined;
    const address = this.pick();
    if (address === undefined) {
      this.checkFinished();
      return;
    }
    const { scheduler, attemptTimeout, attemptDelay, strategy, transport } = this.plan;
    const local = this.locals?.get(address.family);
    const attempt = new Attempt(this, this.attempts++, address, local, scheduler.now());
    if (this.inFlight === undefined) this.inFlight = [attempt];
    else this.inFlight.push(attempt);
    this.newest = attempt;
    const owner = this.owner;
    if (owner.eventsWanted) {
      const event: ConnectEvent =
        local === undefined
          ? { type: 'attempt', elapsed: owner.elapsed, attempt: attempt.n, address }
          : { type: 'attempt', elapsed: owner.elapsed, attempt: attempt.n, address, local };
      if (!owner.emit(event)) return;
    }
    // With no address queued and no lookup pending, the stagger timer could only wake up to find nothing to
    // start (an IP literal, or the last address): don't arm one.
    if (strategy === 'happy-eyeballs' && this.moreMayCome()) this.staggerTimer = scheduler.schedule(() => this.staggerElapsed(), attemptDelay);
    if (attemptTimeout !== undefined) {
      attempt.timer = scheduler.schedule(() => this.attemptFailed(attempt, timedOut()), attemptTimeout);
    }
    attempt.dial(transport, this.plan);
  }

  private staggerElapsed(): void {
    this.staggerTimer = undefined;
    this.startNext();
  }

  /** @internal For {@link Attempt}: its dial failed. */
  attemptFailed(attempt: Attempt, cause: unknown): void {
    if (attempt.done || this.settled) return;
    attempt.abandon();
    this.dropInFlight(attempt);
    const error = ConnectError.forAttempt(attempt.address, this.plan.scheduler.now() - attempt.startedAt, cause, attempt.local);
    (this.errors ??= []).push({ n: attempt.n, error });
    const owner = this.owner;
    if (owner.eventsWanted && !owner.emit({ type: 'attemptFailed', elapsed: owner.elapsed, attempt: attempt.n, address: attempt.address, error })) return;
    // The newest attempt failed: don't wait out the stagger (RFC 8305 §5). Sequential always moves on.
    if (this.plan.strategy === 'sequential' || attempt === this.newest) this.startNext();
    else this.checkFinished();
  }

  /** @internal For {@link Attempt}: its socket connected. */
  attemptConnected(attempt: Attempt): void {
    if (attempt.done || this.settled) {
      attempt.socket?.destroy();
      return;
    }
    attempt.win();
    this.dropInFlight(attempt);
    const inFlight = this.inFlight ?? NONE;
    const losers = inFlight.length > 1 ? inFlight.sort(inAttemptOrder) : inFlight;
    this.inFlight = undefined;
    this.settle();
    for (const loser of losers) loser.abandon();
    this.owner.won(attempt, losers, this.plan);
  }

  private dropInFlight(attempt: Attempt): void {
    const inFlight = this.inFlight;
    if (inFlight !== undefined) inFlight.splice(inFlight.indexOf(attempt), 1);
  }

  private checkFinished(): void {
    if (this.settled || !this.started) return;
    if ((this.inFlight?.length ?? 0) > 0 || this.moreMayCome()) return;
    const error = this.failure();
    this.settle();
    this.owner.failed(error);
  }

  /** An address is queued, or a lookup may still add one. */
  private moreMayCome(): boolean {
    return this.pendingLookups !== 0 || this.untried() > 0;
  }

  private failure(): ConnectError {
    const { host, port } = this.plan;
    if (this.errors !== undefined && this.errors.length > 0) {
      const inAttemptOrder = [...this.errors].sort((a, b) => a.n - b.n).map((e) => e.error);
      return ConnectError.aggregate(inAttemptOrder, { code: 'ECONNREFUSED' });
    }
    // Addresses found but none usable from the local address got further than a failed lookup (Tcl: host is unreachable).
    if (this.skippedNoLocal > 0) {
      return new ConnectError({ code: 'EHOSTUNREACH', port, detail: `no local address of the family of ${host}'s addresses` });
    }
    if (this.lookupErrors !== undefined && this.lookupErrors.length > 0) {
      return new ConnectError(lookupFailure(host, mostRelevant(this.lookupErrors, lookupCode), port));
    }
    return new ConnectError({ code: 'ENOTFOUND', port, detail: `${host} has no addresses` });
  }

  /** No more lookups or attempts: stop the timers and forget pending answers. */
  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.newest = undefined;
    // Nothing more is attempted: let go of the untried addresses, the errors and the lookup state. In-flight
    // attempts are the caller's (a winner's losers, or cancel's sockets to destroy).
    this.v4 = undefined;
    this.v6 = undefined;
    this.ordered = undefined;
    this.errors = undefined;
    this.lookupErrors = undefined;
    this.seen = undefined;
    this.staggerTimer?.unsubscribe();
    this.staggerTimer = undefined;
    this.resolutionTimer?.unsubscribe();
    this.resolutionTimer = undefined;
    const cancels = this.cancels;
    if (cancels === undefined) return;
    this.cancels = undefined;
    for (const cancel of cancels) {
      try {
        cancel();
      } catch {
        // A resolver's cancel that throws changes nothing: its answer is ignored anyway.
      }
    }
  }
}

/**
 * The whole connect when only the channel is wanted and the host is an IP literal with nothing to bind or time:
 * one attempt, no lookups, no queues, no events. It ends as a {@link Dialer} with that one address would (the
 * property spec of the fused `connected()` compares the two), with less to run per connect.
 */
export class OneAddressDial implements Dial, AttemptOwner {
  private readonly plan: ConnectPlan;
  private readonly owner: DialerOwner;
  /** The attempt while it runs. */
  private attempt: Attempt | undefined;

  constructor(plan: ConnectPlan, owner: DialerOwner) {
    this.plan = plan;
    this.owner = owner;
  }

  start(): void {
    const { host, hostFamily, port, scheduler, transport } = this.plan;
    const attempt = new Attempt(this, 0, { address: host, family: hostFamily as 4 | 6, port }, undefined, scheduler.now());
    this.attempt = attempt;
    attempt.dial(transport, this.plan);
  }

  cancel(): void {
    const attempt = this.attempt;
    this.attempt = undefined;
    attempt?.abandon();
  }

  attemptConnected(attempt: Attempt): void {
    if (attempt !== this.attempt || attempt.done) {
      attempt.socket?.destroy();
      return;
    }
    this.attempt = undefined;
    attempt.win();
    this.owner.won(attempt, NONE, this.plan);
  }

  attemptFailed(attempt: Attempt, cause: unknown): void {
    if (attempt !== this.attempt || attempt.done) return;
    this.attempt = undefined;
    attempt.abandon();
    const error = ConnectError.forAttempt(attempt.address, this.plan.scheduler.now() - attempt.startedAt, cause, undefined);
    this.owner.failed(ConnectError.aggregate([error], { code: 'ECONNREFUSED' }));
  }
}

function timedOut(): Error {
  return Object.assign(new Error('connection timed out'), { code: 'ETIMEDOUT' });
}
