import type { ConnectEvent } from '../../../src/index.js';
import type { LookupCall } from './harness.js';
import type { Scenario } from './scenario.js';
import { staggerOf } from './scenario.js';

// The attempt schedule's rules, checked on the events alone (no simulation): the connect engine of docs/design.md
// and the README's "Connecting". Availability is judged by event order: an address can be tried once a
// `resolved` event carrying it has been emitted.
//
// Happy Eyeballs
//   H1  Lookups: IPv6 and IPv4 in parallel at subscription (only the `family` asked for, if any; none for an IP
//       literal, which resolves at once).
//   H2  The first attempt starts when the first answer with addresses comes, if it is IPv6, or IPv4 with IPv6
//       already answered (or not asked); if IPv4 comes first with IPv6 pending, at the earlier of IPv4's answer +
//       resolutionDelay and IPv6's answer.
//   H3  Attempt k starts at due(k) = min(start(k-1) + attemptDelay, the failure of attempt k-1), if an untried
//       address is known by then; otherwise when the next answer brings one. Never earlier.
//   H4  No attempt is missing: none was due before the stream ended; a `failed` (not the deadline's) comes only
//       after every known address was tried.
//   H5  Order: IPv6 first if known at the first attempt; `firstFamilyCount` addresses of the first family while it
//       has some; then each attempt takes the other family than the previous one when it has an untried address,
//       else the same; resolver order within a family.
// Sequential
//   S1  One lookup (of `family`), at subscription, and one `resolved`.
//   S2  Attempt 0 starts with the answer; attempt k starts right when attempt k-1 fails, never while one is in
//       flight; resolver order.
//   S3  A `failed` (not the deadline's) comes only after every address was tried; none missing before the end.

type Attempt = { readonly n: number; readonly at: number; readonly index: number; readonly address: string; readonly family: 4 | 6 };
type Answer = { readonly at: number; readonly index: number; readonly family: 0 | 4 | 6; readonly addresses: readonly { address: string; family: 4 | 6 }[] };

export type EndOfStream = {
  /** When nothing more could start: connected, failed, the deadline, the unsubscribe; Infinity if never. */
  readonly at: number;
  /** A `failed` of the library itself: then every known address must have been tried. */
  readonly failedByLibrary: boolean;
};

/** When the schedule ended, as observed. */
export function endOfStream(s: Scenario, events: readonly ConnectEvent[], unsubscribedAt: number | undefined): EndOfStream {
  const terminal = events.find((e) => e.type === 'connected' || e.type === 'failed');
  if (terminal?.type === 'connected') return { at: terminal.elapsed, failedByLibrary: false };
  if (terminal?.type === 'failed') {
    const byDeadline = s.connectTimeout !== undefined && terminal.elapsed === s.connectTimeout && terminal.error.code === 'ETIMEDOUT';
    return { at: terminal.elapsed, failedByLibrary: !byDeadline };
  }
  return { at: unsubscribedAt ?? Infinity, failedByLibrary: false };
}

export function scheduleProblems(s: Scenario, events: readonly ConnectEvent[], calls: readonly LookupCall[], end: EndOfStream): string[] {
  const problems: string[] = [];
  const answers: Answer[] = [];
  const attempts: Attempt[] = [];
  const failedAt = new Map<number, { at: number; index: number }>();
  events.forEach((e, index) => {
    if (e.type === 'resolved') answers.push({ at: e.elapsed, index, family: e.family, addresses: e.addresses });
    if (e.type === 'attempt') attempts.push({ n: e.attempt, at: e.elapsed, index, address: e.address.address, family: e.address.family });
    if (e.type === 'attemptFailed') failedAt.set(e.attempt, { at: e.elapsed, index });
  });
  /** Addresses known before event `index`, in the order they became known. */
  const knownBefore = (index: number): { address: string; family: 4 | 6 }[] => answers.filter((a) => a.index < index).flatMap((a) => a.addresses);
  const knownAll = answers.flatMap((a) => a.addresses);
  const triedBefore = (k: number): Set<string> => new Set(attempts.slice(0, k).map((a) => a.address));

  for (const a of attempts) {
    if (!knownBefore(a.index).some((k) => k.address === a.address)) problems.push(`attempt ${a.n} to ${a.address} before it was resolved`);
  }
  if (new Set(attempts.map((a) => a.address)).size !== attempts.length) problems.push('an address was tried twice');

  // The lookups made, against those expected. A stream that ended at subscription may have made fewer.
  const lookups = calls.map((l) => `${l.family}@${l.at}`);
  const lookupsOk = (expected: string[]): boolean =>
    lookups.join() === expected.join() || (end.at === 0 && lookups.length < expected.length && lookups.every((l, i) => l === expected[i]));
  if (s.resolver === 'literal') {
    if (lookups.length > 0) problems.push(`lookups ${lookups.join()} for an IP literal`);
    if (answers.length !== 1 || answers[0]?.at !== 0) problems.push('an IP literal resolves once, at once');
  }
  if (s.strategy === 'sequential') {
    if (s.resolver !== 'literal' && !lookupsOk([`${s.family}@0`])) problems.push(`S1: lookups ${lookups.join()}, expected one of family ${s.family} at 0`);
    if (answers.length > 1) problems.push(`S1: ${answers.length} resolved events`);
    const order = (answers[0]?.addresses ?? []).map((a) => a.address);
    attempts.forEach((a, k) => {
      if (a.address !== order[k]) problems.push(`S2: attempt ${k} is ${a.address}, resolver order says ${order[k]}`);
      if (k === 0) {
        if (a.at !== answers[0]?.at) problems.push(`S2: attempt 0 at ${a.at}, the answer came at ${answers[0]?.at}`);
        return;
      }
      const before = failedAt.get(k - 1);
      if (before === undefined || before.index > a.index) problems.push(`S2: attempt ${k} started while attempt ${k - 1} was in flight`);
      else if (before.at !== a.at) problems.push(`S2: attempt ${k} at ${a.at}, attempt ${k - 1} failed at ${before.at}`);
    });
    const untried = order.slice(attempts.length);
    if (untried.length > 0) {
      const last = attempts.at(-1);
      const dueAt = last === undefined ? answers[0]?.at : failedAt.get(last.n)?.at;
      if (end.failedByLibrary) problems.push(`S3: failed with ${untried.join(',')} untried`);
      else if (dueAt !== undefined && dueAt < end.at) problems.push(`S3: attempt ${attempts.length} (${untried[0]}) was due at ${dueAt}, the stream ended at ${end.at}`);
    }
    return problems;
  }

  const families: (4 | 6)[] = s.family === 0 ? [6, 4] : [s.family];
  if (s.resolver !== 'literal' && !lookupsOk(families.map((f) => `${f}@0`))) problems.push(`H1: lookups ${lookups.join()}, expected ${families.map((f) => `${f}@0`).join()}`);
  const D = staggerOf(s);
  const R = s.resolutionDelay ?? 50;

  // H2: when the first attempt is due.
  const first = answers.find((a) => a.addresses.length > 0);
  let firstDue: number | undefined;
  if (first !== undefined) {
    const six = answers.find((a) => a.family === 6);
    if (first.family === 6 || s.family !== 0 || s.resolver === 'literal' || (six !== undefined && six.index < first.index)) firstDue = first.at;
    else firstDue = Math.min(first.at + R, six?.at ?? Infinity);
  }

  /** When attempt k is due, from the events before it; undefined when nothing would ever start it. */
  const dueOf = (k: number): number | undefined => {
    if (k === 0) return firstDue;
    const prev = attempts[k - 1] as Attempt;
    const due = Math.min(prev.at + D, failedAt.get(prev.n)?.at ?? Infinity);
    const tried = triedBefore(k);
    const untriedBy = (t: number): boolean => answers.some((a) => a.at <= t && a.addresses.some((x) => !tried.has(x.address)));
    if (untriedBy(due)) return due;
    return answers.find((a) => a.at > due && a.addresses.some((x) => !tried.has(x.address)))?.at;
  };

  attempts.forEach((a, k) => {
    const due = dueOf(k);
    if (a.at !== due) problems.push(`H${k === 0 ? 2 : 3}: attempt ${k} at ${a.at}, due at ${due}`);
  });
  const tried = triedBefore(attempts.length);
  const untried = knownAll.filter((x) => !tried.has(x.address));
  if (untried.length > 0) {
    const due = dueOf(attempts.length);
    if (end.failedByLibrary) problems.push(`H4: failed with ${untried.map((x) => x.address).join(',')} untried`);
    else if (due !== undefined && due < end.at) problems.push(`H4: attempt ${attempts.length} was due at ${due}, the stream ended at ${end.at}`);
  }

  // H5: which address each attempt takes.
  const head = s.firstFamilyCount ?? 1;
  let firstFamily: 4 | 6 | undefined;
  let headTaken = 0;
  let headOpen = true;
  attempts.forEach((a, k) => {
    const triedNow = triedBefore(k);
    const avail = knownBefore(a.index).filter((x) => !triedNow.has(x.address));
    const has = (f: 4 | 6): boolean => avail.some((x) => x.family === f);
    let family: 4 | 6;
    if (firstFamily === undefined) {
      family = has(6) ? 6 : 4;
      firstFamily = family;
      headTaken = 1;
      headOpen = headTaken < head;
    } else if (headOpen && has(firstFamily)) {
      family = firstFamily;
      headTaken++;
      headOpen = headTaken < head;
    } else {
      headOpen = false;
      const previous = (attempts[k - 1] as Attempt).family;
      const other = previous === 6 ? 4 : 6;
      family = has(other) ? other : previous;
    }
    const expected = avail.find((x) => x.family === family)?.address;
    if (a.address !== expected) problems.push(`H5: attempt ${k} is ${a.address}, expected ${expected} (IPv${family})`);
  });
  return problems;
}
