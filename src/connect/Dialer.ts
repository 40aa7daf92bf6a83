import type { Subscription } from 'rxjs';
import { ConnectError } from '../errors/ConnectError.js';
import { abortedError, selfConnectError, timedOutError } from '../errors/codes.js';
import { ipFamily } from '../core/address.js';
import { safeLookup } from '../transport/lookup.js';
import type { SocketAddress } from '../core/socket.js';
import type { Addresses } from './AddressQueue.js';
import { plannedAddresses } from './plannedAddresses.js';
import { Attempt, destroySocket, dialInTurn } from './Attempt.js';
import type { AttemptOwner } from './Attempt.js';
import type { ConnectPlan } from './connectPlan.js';
import { abortFailure, connectFailure, handshakeFailure, localAddressFailure } from './failure.js';
import { boundLocals, resolvedLocals } from './localAddresses.js';
import type { Locals } from './localAddresses.js';
import type { LookupError } from './failure.js';
import type { DialReport } from './DialReport.js';
import { PendingLookup } from './PendingLookup.js';
import type { LookupFamily, LookupOwner } from './PendingLookup.js';

/**
 * Where a connect is. Each input is one method; the transitions:
 *
 *   resolvingLocal   localResolved (an address)         → resolving        (then the lookups of the host start)
 *   resolvingLocal   localResolved (none)               → done             (failed)
 *   resolving        hostIsLiteral                      → attempting       (no lookup)
 *   resolving        answered (IPv4, IPv6 still coming) → resolutionDelay  (RFC 8305 §3: give IPv6 a moment;
 *                                                                          the other way round with ipv4first)
 *   resolving        answered (an address queued, or no lookup left) → attempting
 *   resolving        answered (history: the last winner's family still coming) → resolutionDelay (its winner waited for)
 *   resolutionDelay  answered (the preferred family) | resolutionDelayElapsed → attempting
 *   attempting       staggerElapsed | attemptFailed (the newest; sequential: any) → attempting with the next
 *                    address, or awaitingAddress when none is queued (RFC 8305 §5: a failure starts the next at once)
 *   attempting       answered (late)                    → attempting       (the addresses join the untried tail; with
 *                                                                          the last winner among them, it starts now)
 *   awaitingAddress  answered (late)                    → attempting       (the next attempt was due: it starts now)
 *   attempting, awaitingAddress  next attempt due with maxConcurrentAttempts in flight → atCapacity
 *   atCapacity       attemptFailed (any)                → attempting       (the next address starts in its place)
 *   atCapacity       answered (late)                    → atCapacity       (the addresses join the untried tail)
 *   attempting, awaitingAddress, atCapacity  attemptConnected → done       (connected; the others are cancelled)
 *   attempting, awaitingAddress, atCapacity  the last lookup or attempt over, none connected → done (failed)
 *   any              cancel                             → done
 *   any              abort                              → done             (each attempt in flight fails, then the connect)
 *
 * In `attempting` the next attempt waits for the stagger timer (happy-eyeballs, while more addresses may come)
 * or for the newest attempt to fail. In `done` every input is ignored on purpose: a lookup answer, timer or
 * socket event already on its way when the connect settled has nothing left to change (a socket that reports a
 * connect then is destroyed, as it has no owner).
 */
type Phase = 'resolvingLocal' | 'resolving' | 'resolutionDelay' | 'attempting' | 'awaitingAddress' | 'atCapacity' | 'done';

/**
 * The lookups and the attempt schedule of one connect, Happy Eyeballs (RFC 8305) or sequential (Tcl 8.6), until
 * an attempt wins or all have failed. Everything is driven by transport callbacks and scheduler timers, so the
 * same code runs on real sockets and in virtual time. It lives only while connecting.
 */
export class Dialer implements AttemptOwner, LookupOwner {
  readonly plan: ConnectPlan;
  private readonly report: DialReport;
  private phase: Phase = 'resolving';
  private readonly queue: Addresses;
  /** The local address per family; undefined when the connect binds none (any family may be tried). */
  private locals: Locals | undefined = undefined;
  /**
   * Lookups of the host not answered yet, and whether the one of the family the race starts with (IPv6, or IPv4
   * with `familyOrder: 'ipv4first'`) is among them: an answer of the other family waits for it (RFC 8305 §3).
   */
  private lookupsPending = 0;
  private preferredLookupPending = false;
  private readonly preferredFamily: 4 | 6;
  private readonly lookups: PendingLookup[] = [];
  private readonly lookupErrors: LookupError[] = [];
  private skippedForNoLocal = 0;
  /** Attempts in flight, in attempt order. */
  private readonly inFlight: Attempt[] = [];
  private readonly failedAttempts: Attempt[] = [];
  private attemptCount = 0;
  /** The attempt started last: its failure starts the next one at once. */
  private newest: Attempt | undefined = undefined;
  private staggerTimer: Subscription | undefined = undefined;
  private resolutionTimer: Subscription | undefined = undefined;
  /** With `tls`: the winner while its handshake runs (its run keeps the dialer until then). */
  handshaking: Attempt | undefined = undefined;
  /** The attempt being dialed, then those started while it was (dialed in turn once its dial() returns). */
  private readonly toDial: Attempt[] = [];

  constructor(plan: ConnectPlan, report: DialReport) {
    this.plan = plan;
    this.report = report;
    this.preferredFamily = plan.familyOrder === 'ipv4first' ? 4 : 6;
    this.queue = plannedAddresses(plan, this.preferredFamily);
  }

  start(): void {
    const { myaddr, myport } = this.plan;
    if (myaddr !== undefined && ipFamily(myaddr) === 0) {
      this.phase = 'resolvingLocal';
      this.lookup(myaddr, 'local');
      return;
    }
    this.locals = boundLocals(myaddr, myport);
    this.resolveHost();
  }

  /** Stops everything: timers, lookups and the sockets of attempts in flight. Idempotent. */
  cancel(): void {
    if (this.phase === 'done') return;
    this.settle();
    for (const attempt of this.inFlight) attempt.cancel();
  }

  /**
   * The connect's signal was aborted with `reason`: each attempt in flight fails with `ABORT_ERR` (reported in
   * attempt order), then the connect fails with an `ABORT_ERR` that carries every attempt's error.
   */
  abort(reason: unknown): void {
    if (this.phase === 'done') return;
    const inFlight = this.inFlight;
    const failed = this.failedAttempts.slice();
    this.settle();
    this.abortAttempts(reason, inFlight, failed);
  }

  /**
   * The signal was aborted while the winner's losers were being reported (after `connected` was decided, before
   * it was emitted): the winner fails with `ABORT_ERR` and its socket goes, then the connect fails. `connected`
   * is never emitted.
   */
  abortWinner(reason: unknown, winner: Attempt): void {
    this.abortAttempts(reason, [winner], this.failedAttempts);
  }

  /**
   * The winner's TLS handshake failed with `cause`: the winner fails (its socket goes), then the connect, with
   * the handshake's error leading and every attempt's own in `attempts`. Other addresses are not tried.
   */
  failWinner(winner: Attempt, cause: unknown): void {
    const { scheduler, host, tls } = this.plan;
    // The certificate was checked against the servername, which is the host unless one was given.
    winner.fail(handshakeFailure(winner.address, scheduler.now() - winner.startedAt, cause, tls?.servername ?? host, winner.local));
    const attemptErrors = [...this.failedAttempts, winner].sort((a, b) => a.index - b.index).map((a) => a.failure as ConnectError);
    this.report.attemptFailed(winner, winner.failure as ConnectError);
    this.report.failed(ConnectError.aggregate(attemptErrors, { code: winner.failure?.code ?? 'EPROTO' }));
  }

  private abortAttempts(reason: unknown, aborted: readonly Attempt[], failed: readonly Attempt[]): void {
    const now = this.plan.scheduler.now();
    for (const attempt of aborted) attempt.fail(ConnectError.forAttempt(attempt.address, now - attempt.startedAt, abortedError(reason), attempt.local));
    const attemptErrors = [...failed, ...aborted].sort((a, b) => a.index - b.index).map((a) => a.failure as ConnectError);
    const first = aborted[0]?.address;
    const error = abortFailure(reason, { attemptErrors, address: first?.address ?? attemptErrors.at(-1)?.address, port: this.plan.port });
    for (const attempt of aborted) this.report.attemptFailed(attempt, attempt.failure as ConnectError);
    this.report.failed(error);
  }

  /** @internal For {@link Attempt}: its socket connected. */
  attemptConnected(attempt: Attempt): void {
    if (attempt.outcome !== 'pending' || this.phase === 'done') {
      if (attempt.socket !== undefined) destroySocket(attempt.socket);
      return;
    }
    if (this.plan.myport === attempt.address.port && attempt.connectedToItself()) {
      this.attemptFailed(attempt, selfConnectError());
      return;
    }
    attempt.win();
    this.plan.history?.won(this.plan.host, this.plan.port, attempt.address);
    this.dropInFlight(attempt);
    // Once done, the list is no longer changed: it is the losers' list as it stands.
    const losers = this.inFlight;
    this.settle(false);
    for (const loser of losers) loser.cancel();
    // The failed attempts stay (the dialer goes once the run has what it needs): an abort from a loser's event,
    // or a TLS handshake's failure, names them.
    this.report.connected(attempt, losers);
  }

  /** @internal For {@link Attempt}: its dial failed (or timed out). */
  attemptFailed(attempt: Attempt, cause: unknown): void {
    if (attempt.outcome !== 'pending' || this.phase === 'done') return;
    const failure = ConnectError.forAttempt(attempt.address, this.plan.scheduler.now() - attempt.startedAt, cause, attempt.local);
    attempt.fail(failure);
    this.plan.history?.failed(this.plan.host, this.plan.port, attempt.address, failure.code);
    this.dropInFlight(attempt);
    this.failedAttempts.push(attempt);
    this.report.attemptFailed(attempt, failure);
    if (this.endedByReport()) return;
    if (this.plan.strategy === 'sequential' || attempt === this.newest || this.phase === 'atCapacity') this.startNextAttempt();
    else this.finishIfOver();
  }

  private localResolved(error: unknown, found: readonly SocketAddress[]): void {
    const { myaddr, myport } = this.plan;
    if (found.length === 0) {
      this.settle();
      this.report.failed(localAddressFailure(myaddr as string, error));
      return;
    }
    this.locals = resolvedLocals(found, myport);
    this.phase = 'resolving';
    this.resolveHost();
  }

  private resolveHost(): void {
    const { host, hostFamily, port, strategy, family, familyOrder } = this.plan;
    if (hostFamily !== 0) {
      // An IP literal: no lookup, so nothing to deduplicate against.
      const address: SocketAddress = { address: host, family: hostFamily, port };
      this.report.resolved(host, port, hostFamily, [address]);
      if (this.endedByReport()) return;
      this.enqueue([address]);
      this.startAttempting();
      return;
    }
    // One lookup in resolver order (sequential, verbatim, or one family), else both families at once, the
    // preferred one asked first.
    const preferred = this.preferredFamily;
    const families: readonly (0 | 4 | 6)[] =
      strategy === 'sequential' || family !== 0 ? [family] : familyOrder === 'verbatim' ? [0] : [preferred, preferred === 6 ? 4 : 6];
    this.lookupsPending = families.length;
    this.preferredLookupPending = families.length === 2;
    for (const f of families) {
      if (this.phase === 'done') return;
      this.lookup(host, f);
    }
  }

  /** Runs the lookup function safely (it may throw, call back twice, or answer junk). */
  private lookup(host: string, family: LookupFamily): void {
    const pending = new PendingLookup(this, family);
    this.lookups.push(pending);
    pending.cancel = safeLookup(this.plan.lookup, host, family === 'local' ? 0 : family, this.plan.port, (error, found) => pending.answer(error, found));
  }

  /** @internal For {@link PendingLookup}: a lookup answered (answers after `done` are dropped). */
  lookupAnswered(family: LookupFamily, error: unknown, found: readonly SocketAddress[]): void {
    if (this.phase === 'done') return;
    if (family === 'local') this.localResolved(error, found);
    else this.answered(family, error, found);
  }

  private answered(family: 0 | 4 | 6, error: unknown, found: readonly SocketAddress[]): void {
    this.lookupsPending--;
    if (family === this.preferredFamily) this.preferredLookupPending = false;
    if (error !== undefined) this.lookupErrors.push({ family, error });
    const fresh = this.queue.unseen(found);
    const { host, port } = this.plan;
    this.report.resolved(host, port, family, fresh);
    if (this.endedByReport()) return;
    this.enqueue(fresh);
    switch (this.phase) {
      case 'resolving': {
        const waiting = this.queue.size > 0;
        if (waiting && family !== 0 && this.plan.resolutionDelay > 0 && this.awaitsOtherFamily(family)) {
          this.phase = 'resolutionDelay';
          this.resolutionTimer = this.plan.scheduler.schedule(() => this.resolutionDelayElapsed(), this.plan.resolutionDelay);
        } else if (waiting || this.lookupsPending === 0) {
          this.startAttempting();
        }
        return;
      }
      case 'resolutionDelay':
        this.startAttempting();
        return;
      case 'attempting':
        // The last winner came late: it starts now, as the stagger would have started it next.
        if (this.plan.strategy === 'happy-eyeballs' && this.queue.learned?.(family) === 'now') this.startNextAttempt();
        else this.finishIfOver();
        return;
      case 'atCapacity':
        this.finishIfOver();
        return;
      case 'awaitingAddress':
        this.startNextAttempt();
        return;
    }
  }

  /**
   * Whether an answer of `answered`'s family (the other lookup still pending) waits `resolutionDelay` for the
   * other: RFC 8305 §3 waits for the preferred family; with a history, the last winner decides (no wait when it
   * is queued, a wait when it may come from the other lookup). No wait for a family no local address could carry:
   * its answer would only be skipped.
   */
  private awaitsOtherFamily(answered: 4 | 6): boolean {
    const learned = this.queue.learned?.(answered);
    if (learned === 'now' || this.lookupsPending === 0) return false;
    const awaited = learned === 'other' ? (answered === 6 ? 4 : 6) : this.preferredLookupPending ? this.preferredFamily : undefined;
    return awaited !== undefined && (this.locals === undefined || this.locals.has(awaited));
  }

  private resolutionDelayElapsed(): void {
    if (this.phase === 'resolutionDelay') this.startAttempting();
  }

  private staggerElapsed(): void {
    if (this.phase !== 'attempting') return;
    this.staggerTimer = undefined;
    this.startNextAttempt();
  }

  /** Whether the report just made ended the connect (its subscriber left, and cancel() ran). */
  private endedByReport(): boolean {
    return this.phase === 'done';
  }

  /** Queues addresses to try; those of a family with no local address are counted and skipped. */
  private enqueue(addresses: readonly SocketAddress[]): void {
    for (const address of addresses) {
      if (this.locals !== undefined && !this.locals.has(address.family)) this.skippedForNoLocal++;
      else this.queue.push(address);
    }
  }

  private startAttempting(): void {
    this.resolutionTimer?.unsubscribe();
    this.resolutionTimer = undefined;
    this.startNextAttempt();
  }

  private startNextAttempt(): void {
    this.staggerTimer?.unsubscribe();
    this.staggerTimer = undefined;
    if (this.queue.size > 0 && this.inFlight.length >= this.plan.maxConcurrentAttempts) {
      this.phase = 'atCapacity';
      return;
    }
    const address = this.queue.next();
    if (address === undefined) {
      this.phase = 'awaitingAddress';
      this.finishIfOver();
      return;
    }
    this.phase = 'attempting';
    const { scheduler, attemptTimeout, attemptDelay, strategy } = this.plan;
    const attempt = new Attempt(this, this.attemptCount++, address, this.locals?.get(address.family), scheduler.now());
    this.inFlight.push(attempt);
    this.newest = attempt;
    this.report.attemptStarted(attempt, this.queue.moved === true);
    if (this.endedByReport()) return;
    // With no address queued and no lookup pending, the stagger timer could only wake up to find nothing to
    // start (an IP literal, or the last address): none is armed.
    if (strategy === 'happy-eyeballs' && this.moreMayCome()) this.staggerTimer = scheduler.schedule(() => this.staggerElapsed(), attemptDelay);
    if (attemptTimeout !== undefined) attempt.timer = scheduler.schedule(() => this.attemptFailed(attempt, timedOutError()), attemptTimeout);
    dialInTurn(this.toDial, attempt, this.plan);
  }

  /** Removes `attempt` from the in-flight list, keeping attempt order. */
  private dropInFlight(attempt: Attempt): void {
    const inFlight = this.inFlight;
    for (let i = inFlight.indexOf(attempt); i < inFlight.length - 1; i++) inFlight[i] = inFlight[i + 1] as Attempt;
    inFlight.pop();
  }

  /** An address is queued, or a lookup may still add one. */
  private moreMayCome(): boolean {
    return this.lookupsPending > 0 || this.queue.size > 0;
  }

  /** Fails the connect when nothing is in flight and nothing more can come. */
  private finishIfOver(): void {
    if (this.inFlight.length > 0 || this.moreMayCome()) return;
    const { host, port } = this.plan;
    const attemptErrors = this.failedAttempts.sort((a, b) => a.index - b.index).map((a) => a.failure as ConnectError);
    const error = connectFailure({ host, port, attemptErrors, skippedForNoLocal: this.skippedForNoLocal, lookupErrors: this.lookupErrors });
    this.settle();
    this.report.failed(error);
  }

  /**
   * Enters `done`: timers stop, pending lookups are cancelled, and the untried addresses and errors are let go.
   * Attempts in flight are the caller's (a winner's losers, or cancel's).
   */
  private settle(forgetFailures = true): void {
    this.phase = 'done';
    this.newest = undefined;
    this.queue.clear();
    if (forgetFailures && this.failedAttempts.length > 0) this.failedAttempts.length = 0;
    if (this.lookupErrors.length > 0) this.lookupErrors.length = 0;
    this.staggerTimer?.unsubscribe();
    this.staggerTimer = undefined;
    this.resolutionTimer?.unsubscribe();
    this.resolutionTimer = undefined;
    const lookups = this.lookups;
    if (lookups.length === 0) return;
    for (const pending of lookups) pending.cutLoose();
    lookups.length = 0;
  }
}
