import type { AddressOutcome, LookupAnswer, Scenario, ScenarioAddress } from './scenario.js';
import { HOST, staggerOf } from './scenario.js';

// An independent reference model of one connect, written from docs/design.md and the README (not from the library's
// code, and calling none of it). It is a small discrete-event simulation of what the schedule must be:
//
// - Virtual time is FIFO at one instant: work set up earlier runs first. That is the RxJS virtual scheduler's
//   rule, so it decides the ties. Set-up order: connectTimeout's deadline (it is armed before the source is
//   subscribed), then the lookups (IPv6 before IPv4), then the caller's unsubscribe; each attempt arms its
//   stagger, then its attemptTimeout, then dials (the network decides the dial's outcome then).
// - Happy Eyeballs: both lookups at once. IPv6 first, or IPv4 with no IPv6 pending: start at once. IPv4 first
//   with IPv6 pending: wait resolutionDelay for IPv6. An answer that comes later joins the untried tail, and
//   starts at once if no stagger is pending. First family: IPv6 if it has addresses when the first attempt starts.
//   `firstFamilyCount` of it, then the families alternate. A new attempt every attemptDelay (clamped to
//   10..2000), or at once when the newest attempt fails; older attempts keep running. First success wins; the
//   others are cancelled (lost), in attempt order, just before `connected`.
// - Sequential: one lookup (both families, resolver order), one attempt at a time, the next when one fails.
// - attemptTimeout fails an attempt with ETIMEDOUT (counts as that attempt failing). connectTimeout ends the
//   whole connect at its deadline (exclusive): attemptCancelled (timeout) for those in flight, then failed
//   ETIMEDOUT. Unsubscribing ends everything silently.
// - A failed connect reports the most relevant attempt code (ties to the latest attempt), else the resolver's.
// - After connected, the stream ends with `closed` when the peer resets (always seen), or sends EOF while the
//   caller reads.

/** The result: the events as `"<elapsed> <label>"` (the labels of spec/helpers/events.ts), and the verdict. */
export type ModelResult = {
  readonly timeline: readonly string[];
  /** The address that connects, if any. */
  readonly connected: string | undefined;
  /** Virtual time the stream ends: completion, unsubscribe, or the end of the simulation. */
  readonly endedAt: number;
};

type Timer = { readonly at: number; readonly seq: number; readonly run: () => void; cancelled: boolean };

class Clock {
  now = 0;
  private seq = 0;
  private readonly timers: Timer[] = [];

  schedule(run: () => void, after: number): Timer {
    const timer: Timer = { at: this.now + after, seq: this.seq++, run, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  runAll(): void {
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i] as Timer;
        const b = this.timers[best];
        if (b === undefined || t.at < b.at || (t.at === b.at && t.seq < b.seq)) best = i;
      }
      if (best < 0) return;
      const [timer] = this.timers.splice(best, 1) as [Timer];
      if (timer.cancelled) continue;
      this.now = timer.at;
      timer.run();
    }
  }
}

const cancel = (t: Timer | undefined): void => {
  if (t !== undefined) t.cancelled = true;
};

/** The relevance order (docs/design.md): bind and permission errors, refused, timed out, host unreachable, network unreachable, other, resolution. */
export function rank(code: string): number {
  if (['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'EPERM'].includes(code)) return 6;
  if (code === 'ECONNREFUSED') return 5;
  if (code === 'ETIMEDOUT') return 4;
  if (code === 'EHOSTUNREACH') return 3;
  if (code === 'ENETUNREACH') return 2;
  if (['ENOTFOUND', 'ENODATA', 'EAI_AGAIN', 'EAI_FAIL', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ERR_LOOKUP'].includes(code)) return 0;
  return 1;
}

/** The code that got furthest; a tie goes to the later entry. */
export function mostRelevant(codes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const c of codes) if (best === undefined || rank(c) >= rank(best)) best = c;
  return best;
}

/** The code of an address's own failure, or undefined if it connects or hangs. */
function failureCode(o: AddressOutcome): string | undefined {
  switch (o.kind) {
    case 'refuse':
      return 'ECONNREFUSED';
    case 'timeout':
      return 'ETIMEDOUT';
    case 'fail':
      return o.code;
    default:
      return undefined;
  }
}

/** What the virtual network's lookup of one family answers. */
function familyAnswer(s: Scenario, family: 4 | 6): { after: number; error: string | undefined; found: ScenarioAddress[] } {
  const script: LookupAnswer = family === 6 ? s.lookup.ipv6 : s.lookup.ipv4;
  const found = s.addresses.filter((a) => a.family === family);
  return { after: script.after, error: script.error ?? (found.length === 0 ? 'ENOTFOUND' : undefined), found };
}

/** The virtual network's family-0 lookup: both families, answered when the slower one is, in resolver order. */
function anyAnswer(s: Scenario): { after: number; error: string | undefined; found: ScenarioAddress[] } {
  const six = familyAnswer(s, 6);
  const four = familyAnswer(s, 4);
  const ok = new Set([...(six.error === undefined ? six.found : []), ...(four.error === undefined ? four.found : [])]);
  const found = s.addresses.filter((a) => ok.has(a));
  return { after: Math.max(six.after, four.after), error: found.length > 0 ? undefined : four.error ?? six.error, found };
}

type Attempt = { readonly n: number; readonly a: ScenarioAddress; timer: Timer | undefined; outcome: Timer | undefined; over: boolean };

export function model(s: Scenario): ModelResult {
  const clock = new Clock();
  const timeline: string[] = [];
  const sequential = s.strategy === 'sequential';
  const stagger = staggerOf(s);
  const resolutionDelay = s.resolutionDelay ?? 50;
  const headSize = s.firstFamilyCount ?? 1;

  let ended = false; // the stream is over (completed or unsubscribed): nothing more is emitted or done
  let endedAt: number | undefined;
  let decided = false; // connected or failed
  let connectedTo: string | undefined;
  let started = false;
  const pending = new Set<0 | 4 | 6>();
  const lookupTimers: Timer[] = [];
  const untried: ScenarioAddress[] = []; // in the order they became known
  const inFlight: Attempt[] = [];
  const failures: { n: number; code: string }[] = [];
  const lookupErrors: string[] = [];
  let count = 0;
  let newest: Attempt | undefined;
  let staggerTimer: Timer | undefined;
  let resolutionTimer: Timer | undefined;
  let deadline: Timer | undefined;
  let channelEnd: Timer | undefined;
  // Happy Eyeballs' interleaving.
  let firstFamily: 4 | 6 | undefined;
  let headTaken = 0;
  let headOpen = true;
  let previous: 4 | 6 | undefined;

  const seen = new Map<string, number>();
  const emit = (line: string): void => {
    if (ended) return;
    timeline.push(`${clock.now} ${line}`);
    // The caller's synchronous unsubscribe, from its own handler of this event.
    const type = line.split(' ')[0] as string;
    const nth = seen.get(type) ?? 0;
    seen.set(type, nth + 1);
    if (s.unsubscribeOn !== undefined && s.unsubscribeOn.type === type && s.unsubscribeOn.nth === nth) end();
  };
  const end = (): void => {
    if (ended) return;
    ended = true;
    endedAt = clock.now;
    stopAll();
  };
  const stopSchedule = (): void => {
    cancel(staggerTimer);
    cancel(resolutionTimer);
    for (const t of lookupTimers) cancel(t);
  };
  const stopAll = (): void => {
    stopSchedule();
    cancel(deadline);
    cancel(channelEnd);
    for (const a of inFlight) {
      cancel(a.timer);
      cancel(a.outcome);
    }
  };

  const pick = (): ScenarioAddress | undefined => {
    if (untried.length === 0) return undefined;
    if (sequential) return untried.shift();
    const has = (f: 4 | 6): boolean => untried.some((a) => a.family === f);
    let family: 4 | 6;
    if (firstFamily === undefined) {
      family = has(6) ? 6 : 4;
      firstFamily = family;
      headTaken = 1;
      headOpen = headTaken < headSize;
    } else if (headOpen && has(firstFamily)) {
      family = firstFamily;
      headTaken++;
      headOpen = headTaken < headSize;
    } else {
      headOpen = false;
      const other = previous === 6 ? 4 : 6;
      family = has(other) ? other : (previous as 4 | 6);
    }
    previous = family;
    const i = untried.findIndex((a) => a.family === family);
    return untried.splice(i, 1)[0];
  };

  const finishIfDone = (): void => {
    if (decided || ended || !started) return;
    if (inFlight.length > 0 || pending.size > 0 || untried.length > 0) return;
    decided = true;
    stopSchedule();
    cancel(deadline);
    const byAttempt = [...failures].sort((x, y) => x.n - y.n).map((f) => f.code);
    emit(`failed ${mostRelevant(byAttempt) ?? mostRelevant(lookupErrors) ?? 'ENOTFOUND'}`);
    end();
  };

  const next = (): void => {
    if (decided || ended) return;
    cancel(staggerTimer);
    staggerTimer = undefined;
    const a = pick();
    if (a === undefined) {
      finishIfDone();
      return;
    }
    const attempt: Attempt = { n: count++, a, timer: undefined, outcome: undefined, over: false };
    inFlight.push(attempt);
    newest = attempt;
    emit(s.myport === undefined ? `attempt ${attempt.n} ${a.address}` : `attempt ${attempt.n} ${a.address} from ${a.family === 6 ? '::' : '0.0.0.0'}:${s.myport}`);
    if (!sequential) {
      staggerTimer = clock.schedule(() => {
        staggerTimer = undefined;
        next();
      }, stagger);
    }
    if (s.attemptTimeout !== undefined) attempt.timer = clock.schedule(() => failed(attempt, 'ETIMEDOUT'), s.attemptTimeout);
    const o = a.outcome;
    // With myport, every attempt of a family binds its wildcard to that port. As on Linux (SO_REUSEADDR), they may
    // share it: only the same remote end as well would clash, and the addresses are distinct.
    if (o.kind === 'connect') attempt.outcome = clock.schedule(() => connected(attempt), o.after);
    else if (o.kind !== 'hang') attempt.outcome = clock.schedule(() => failed(attempt, failureCode(o) as string), o.after);
  };

  const failed = (attempt: Attempt, code: string): void => {
    if (attempt.over || decided || ended) return;
    attempt.over = true;
    cancel(attempt.timer);
    cancel(attempt.outcome);
    inFlight.splice(inFlight.indexOf(attempt), 1);
    failures.push({ n: attempt.n, code });
    emit(`attemptFailed ${attempt.n} ${attempt.a.address} ${code}`);
    if (sequential || attempt === newest) next();
    else finishIfDone();
  };

  const connected = (attempt: Attempt): void => {
    if (attempt.over || decided || ended) return;
    attempt.over = true;
    decided = true;
    cancel(attempt.timer);
    inFlight.splice(inFlight.indexOf(attempt), 1);
    stopSchedule();
    cancel(deadline);
    const losers = inFlight.splice(0).sort((x, y) => x.n - y.n);
    for (const l of losers) {
      l.over = true;
      cancel(l.timer);
      cancel(l.outcome);
      emit(`attemptCancelled ${l.n} ${l.a.address} lost`);
    }
    if (!ended) connectedTo = attempt.a.address;
    emit(`connected ${attempt.n} ${attempt.a.address}`);
    const peer = (attempt.a.outcome as Extract<AddressOutcome, { kind: 'connect' }>).peer;
    // A reset reaches the channel whether or not it is read; an EOF only when it is.
    if (peer.kind === 'reset' || (peer.kind === 'end' && s.read)) {
      channelEnd = clock.schedule(() => {
        emit(peer.kind === 'reset' ? 'closed ECONNRESET' : 'closed');
        end();
      }, peer.after);
    }
  };

  const answered = (family: 0 | 4 | 6, error: string | undefined, found: readonly ScenarioAddress[]): void => {
    if (decided || ended) return;
    pending.delete(family);
    if (error !== undefined) lookupErrors.push(error);
    const fresh = error === undefined ? found : [];
    emit(`resolved ${family} ${fresh.map((a) => a.address).join(',')}`.trimEnd());
    untried.push(...fresh);
    const begin = (): void => {
      if (started || decided || ended) return;
      started = true;
      cancel(resolutionTimer);
      next();
    };
    if (!started) {
      if (untried.length > 0 && family === 4 && pending.has(6)) {
        if (resolutionDelay === 0) begin();
        else if (resolutionTimer === undefined) resolutionTimer = clock.schedule(begin, resolutionDelay);
      } else if (untried.length > 0 || pending.size === 0) {
        begin();
      }
      return;
    }
    if (staggerTimer === undefined || staggerTimer.cancelled) next();
    else finishIfDone();
  };

  // Set-up, in the order the pipeline does it.
  if (s.connectTimeout !== undefined) {
    deadline = clock.schedule(() => {
      if (decided || ended) return;
      for (const a of [...inFlight].sort((x, y) => x.n - y.n)) emit(`attemptCancelled ${a.n} ${a.a.address} timeout`);
      emit('failed ETIMEDOUT');
      decided = true;
      end();
    }, s.connectTimeout);
  }
  // A resolver that answers after 0 ms calls back at once, in the `sync` scenarios.
  const lookupAfter = (after: number, work: () => void): void => {
    if (s.resolver === 'sync' && after === 0) work();
    else lookupTimers.push(clock.schedule(work, after));
  };
  if (s.resolver === 'literal') {
    // No lookup: one `resolved` at once, and the attempt.
    const a = s.addresses[0] as ScenarioAddress;
    emit(`resolved ${a.family} ${a.address}`);
    untried.push(a);
    started = true;
    next();
  } else if (sequential) {
    const family = s.family;
    pending.add(family);
    const answer = family === 0 ? anyAnswer(s) : familyAnswer(s, family);
    lookupAfter(answer.after, () => answered(family, answer.error, answer.found));
  } else {
    const families: (4 | 6)[] = s.family === 0 ? [6, 4] : [s.family];
    for (const f of families) pending.add(f);
    for (const f of families) {
      const answer = familyAnswer(s, f);
      if (decided || ended) break;
      lookupAfter(answer.after, () => answered(f, answer.error, answer.found));
    }
  }
  if (s.unsubscribeAt !== undefined) clock.schedule(end, s.unsubscribeAt);
  clock.runAll();
  return { timeline, connected: connectedTo, endedAt: endedAt ?? clock.now };
}

export { HOST };
