import { inspect } from 'node:util';
import fc from 'fast-check';
import type { ConnectEvent, SocketSnapshot } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { observe } from './support/harness.js';
import type { Observed } from './support/harness.js';
import { model, mostRelevant } from './support/model.js';
import { endOfStream, scheduleProblems } from './support/rules.js';
import { params, PORT, scenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

// Properties of connectAsync$ (with connectTimeout sometimes, and snapshot) over random virtual hosts, in virtual
// time. Each property runs RUNS (1000 by default, FC_RUNS to change) generated scenarios; a failure prints the shrunk scenario. Scenario
// fields are described in support/scenario.ts; the reference model in support/model.ts; the schedule rules in
// support/rules.ts.

const timeline = (events: readonly ConnectEvent[]): string[] => events.map((e) => `${e.elapsed} ${label(e)}`);

/** Runs the scenario and checks a group of invariants, throwing a readable report on the first problem. */
function check(s: Scenario, invariants: (o: Observed) => string[]): void {
  const o = observe(s);
  const problems = invariants(o);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\nevents:\n  ${timeline(o.events).join('\n  ')}`);
}

describe('connectAsync$ properties (virtual network, virtual time)', () => {
  it('obeys the event grammar, gives every attempt one outcome, and emits nothing after unsubscribe', () => {
    fc.assert(
      fc.property(scenario(), (s) =>
        check(s, (o) => {
          const problems = grammarProblems(o.events, o.completedAt !== undefined);
          if (o.lateEvents.length > 0) problems.push(`events after unsubscribe: ${timeline(o.lateEvents).join('; ')}`);
          if (o.error !== undefined) problems.push(`error notification: ${inspect(o.error)}`);
          const terminal = o.events.find((e) => e.type === 'connected' || e.type === 'failed');
          const attempts = o.events.filter((e) => e.type === 'attempt').length;
          const outcomes = o.events.filter((e) => e.type === 'attemptFailed' || e.type === 'attemptCancelled' || e.type === 'connected').length;
          if (terminal !== undefined && outcomes !== attempts) problems.push(`${attempts} attempts but ${outcomes} outcomes`);
          if (outcomes > attempts) problems.push(`more outcomes (${outcomes}) than attempts (${attempts})`);
          const last = o.events.at(-1);
          if (terminal?.type === 'failed' && o.completedAt !== terminal.elapsed) problems.push(`failed at ${terminal.elapsed}, completed at ${o.completedAt}`);
          if (last?.type === 'closed' && o.completedAt !== last.elapsed) problems.push(`closed at ${last.elapsed}, completed at ${o.completedAt}`);
          if (o.completedAt !== undefined && o.unsubscribedAt !== undefined) problems.push('both completed and unsubscribed');
          if (o.unsubscribedAt !== undefined && o.events.some((e) => e.elapsed > (o.unsubscribedAt as number))) problems.push('an event later than the unsubscribe');
          return problems;
        }),
      ),
      params(),
    );
  });

  it('closes every socket it opens: a loser at its outcome, the rest at unsubscribe or when the channel closes', () => {
    fc.assert(
      fc.property(scenario(), (s) =>
        check(s, (o) => {
          const problems: string[] = [];
          const clients = o.network.sockets.filter((k) => k.side === 'client');
          const attempts = o.events.filter((e): e is Extract<ConnectEvent, { type: 'attempt' }> => e.type === 'attempt');
          if (o.network.sockets.length !== clients.length) problems.push('a server-side socket appeared');
          // Nothing is dialed after an unsubscribe, even one from a handler while subscribe() is still running
          // (regressions.spec.ts).
          if (o.socketsAtUnsubscribe !== undefined && clients.length > o.socketsAtUnsubscribe) {
            problems.push(`${clients.length - o.socketsAtUnsubscribe} socket(s) dialed after the unsubscribe`);
          }
          // An unsubscribe from the handler of an `attempt` event comes before that attempt dials.
          const dialed = o.unsubscribedOnAttempt ? attempts.length - 1 : attempts.length;
          if (clients.length !== dialed) problems.push(`${clients.length} sockets for ${dialed} attempts that dialed`);
          const closedEvent = o.events.find((e) => e.type === 'closed');
          const endAt = closedEvent?.elapsed ?? o.unsubscribedAt ?? o.completedAt ?? o.quietAt;
          attempts.forEach((a, i) => {
            const socket = clients[i];
            if (socket === undefined) return;
            if (socket.remote.address !== a.address.address || socket.remote.port !== PORT) problems.push(`socket ${i} dialed ${socket.remote.address}, attempt ${i} is ${a.address.address}`);
            if (socket.openedAt !== a.elapsed) problems.push(`socket ${i} opened at ${socket.openedAt}, attempt at ${a.elapsed}`);
            const outcome = o.events.find((e) => (e.type === 'attemptFailed' || e.type === 'attemptCancelled' || e.type === 'connected') && e.attempt === a.attempt);
            const expected = outcome === undefined || outcome.type === 'connected' ? endAt : outcome.elapsed;
            if (socket.closedAt !== expected) problems.push(`socket ${i} (${outcome?.type ?? 'no outcome'}) closed at ${socket.closedAt}, expected ${expected}`);
          });
          if (o.openAtEnd !== 0) problems.push(`${o.openAtEnd} sockets left open`);
          return problems;
        }),
      ),
      params(),
    );
  });

  it('connects exactly when the reference model has an address connect before every deadline, with the same events', () => {
    fc.assert(
      fc.property(scenario(), (s) =>
        check(s, (o) => {
          const expected = model(s);
          const connectedTo = o.events.find((e) => e.type === 'connected');
          const actual = connectedTo?.type === 'connected' ? connectedTo.address.address : undefined;
          const problems: string[] = [];
          if (actual !== expected.connected) problems.push(`connected to ${actual ?? 'nothing'}, the model says ${expected.connected ?? 'nothing'}`);
          const got = timeline(o.events);
          if (got.join('\n') !== expected.timeline.join('\n')) problems.push(`the model's events differ:\n  ${expected.timeline.join('\n  ')}`);
          return problems;
        }),
      ),
      params(),
    );
  });

  it("starts attempts by the strategy's rules (stagger, early start, resolution delay, interleaving, one at a time)", () => {
    fc.assert(
      fc.property(scenario(), (s) => check(s, (o) => scheduleProblems(s, o.events, o.lookups, endOfStream(s, o.events, o.unsubscribedAt)))),
      params(),
    );
  });

  it('reports the most relevant code and every attempt, in attempt order, when it fails', () => {
    fc.assert(
      fc.property(scenario(), (s) =>
        check(s, (o) => {
          const failed = o.events.find((e) => e.type === 'failed');
          if (failed?.type !== 'failed') return [];
          const problems: string[] = [];
          const end = endOfStream(s, o.events, o.unsubscribedAt);
          const failures = o.events.flatMap((e) => (e.type === 'attemptFailed' ? [e] : [])).sort((a, b) => a.attempt - b.attempt);
          const attempts = o.events.filter((e) => e.type === 'attempt').length;
          const codes = failed.error.attempts.map((a) => a.code);
          if (failed.error.message === '') problems.push('empty message');
          if (end.failedByLibrary) {
            if (codes.join() !== failures.map((f) => f.error.code).join()) problems.push(`attempts ${codes.join()}, attemptFailed ${failures.map((f) => f.error.code).join()}`);
            if (failures.length > 0) {
              const best = mostRelevant(failures.map((f) => f.error.code));
              if (failed.error.code !== best) problems.push(`code ${failed.error.code}, most relevant is ${best}`);
            } else if (failed.error.code !== lookupCode(s, o.events)) {
              problems.push(`code ${failed.error.code}, the resolver said ${lookupCode(s, o.events)}`);
            }
          } else {
            if (failed.error.code !== 'ETIMEDOUT') problems.push(`deadline code ${failed.error.code}`);
            if (codes.length !== attempts) problems.push(`deadline error lists ${codes.length} attempts of ${attempts}`);
            const cut = o.events.filter((e) => e.type === 'attemptCancelled' && e.reason === 'timeout').length;
            if (codes.filter((c) => c === 'ETIMEDOUT').length < cut) problems.push('an attempt cut by the deadline is not ETIMEDOUT');
          }
          if (failed.error.attempts.some((a, i) => a.port !== PORT || a.address !== failedAddress(o.events, i))) problems.push('attempt errors name the wrong address');
          return problems;
        }),
      ),
      params(),
    );
  });

  it('keeps the snapshot in step with the events at every step', () => {
    fc.assert(
      fc.property(scenario(), (s) => check(s, snapshotProblems)),
      params(),
    );
  });
});

/** The address of the i-th attempt, by attempt number. */
function failedAddress(events: readonly ConnectEvent[], i: number): string | undefined {
  const a = events.find((e) => e.type === 'attempt' && e.attempt === i);
  return a?.type === 'attempt' ? a.address.address : undefined;
}

/** The resolver's code for a connect that found nothing: the lookups' codes, the latest winning a tie. */
function lookupCode(s: Scenario, events: readonly ConnectEvent[]): string | undefined {
  // Which lookups failed is scenario data: a family with an error, or with no addresses (ENOTFOUND).
  const answered = events.flatMap((e) => (e.type === 'resolved' ? [e.family] : []));
  const codeOf = (f: 4 | 6): string | undefined => {
    const l = f === 6 ? s.lookup.ipv6 : s.lookup.ipv4;
    return l.error ?? (s.addresses.some((a) => a.family === f) ? undefined : 'ENOTFOUND');
  };
  const codes = answered.flatMap((f) => {
    if (f !== 0) return [codeOf(f)].filter((c): c is string => c !== undefined);
    return [codeOf(4) ?? codeOf(6)].filter((c): c is string => c !== undefined);
  });
  return mostRelevant(codes);
}

const IDLE: SocketSnapshot = { connecting: false, error: '', sockname: null, peername: null, inFlight: [] };

/** The snapshot each event should leave, derived from the events (the README's snapshot table), compared at every step. */
function snapshotProblems(o: Observed): string[] {
  const problems: string[] = [];
  const show = (v: SocketSnapshot): string => JSON.stringify(v);
  let state: SocketSnapshot = { ...IDLE, connecting: true };
  const expectedSeq: SocketSnapshot[] = [IDLE, state];
  const inFlight = new Map<number, SocketSnapshot['inFlight'][number]>();
  if (o.eventsDuringSubscribe === 0 && show(o.snapshotAtSubscribe) !== show(state)) problems.push(`at subscribe: ${show(o.snapshotAtSubscribe)}`);
  if (o.eventsDuringSubscribe > 0 && show(o.snapshotAtSubscribe) !== show(o.snapshotAfter[o.eventsDuringSubscribe - 1] as SocketSnapshot) && o.unsubscribedAt === undefined) {
    problems.push(`at subscribe, after ${o.eventsDuringSubscribe} events: ${show(o.snapshotAtSubscribe)}`);
  }
  o.events.forEach((e, i) => {
    switch (e.type) {
      case 'resolved':
        break;
      case 'attempt':
        inFlight.set(e.attempt, e.address);
        state = { ...state, inFlight: [...inFlight.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a) };
        break;
      case 'attemptFailed':
      case 'attemptCancelled':
        inFlight.delete(e.attempt);
        state = { ...state, inFlight: [...inFlight.entries()].sort((a, b) => a[0] - b[0]).map(([, a]) => a) };
        break;
      case 'connected': {
        inFlight.clear();
        const peername = { address: e.address.address, host: e.address.address, port: e.address.port };
        const sn = e.channel.sockname;
        if (sn.address !== (e.address.family === 6 ? '::1' : '127.0.0.1')) problems.push(`sockname ${JSON.stringify(sn)}`);
        state = { connecting: false, error: '', sockname: { address: sn.address, host: sn.host, port: sn.port }, peername, inFlight: [] };
        break;
      }
      case 'failed': {
        inFlight.clear();
        const got = o.snapshotAfter[i]?.error ?? '';
        // Tcl's text for the code: the first words of the ConnectError's message.
        if (got === '' || !e.error.message.startsWith(got)) problems.push(`failed: error "${got}" is not the start of "${e.error.message}"`);
        state = { connecting: false, error: got, sockname: null, peername: null, inFlight: [] };
        break;
      }
      case 'closed':
        inFlight.clear();
        state = { ...state, connecting: false, inFlight: [], error: e.error === undefined ? state.error : 'connection reset by peer' };
        break;
    }
    if (show(expectedSeq.at(-1) as SocketSnapshot) !== show(state)) expectedSeq.push(state);
    const got = o.snapshotAfter[i] as SocketSnapshot;
    if (show(got) !== show(state)) problems.push(`after event ${i} (${label(e)}): ${show(got)}, expected ${show(state)}`);
  });
  const final = state.connecting ? { ...state, connecting: false, inFlight: [] } : state;
  if (show(final) !== show(expectedSeq.at(-1) as SocketSnapshot)) expectedSeq.push(final);
  if (show(o.snapshotAtEnd) !== show(final)) problems.push(`at the end: ${show(o.snapshotAtEnd)}, expected ${show(final)}`);
  const pushed = o.snapshotPushed.map(show);
  if (pushed.join('\n') !== expectedSeq.map(show).join('\n')) problems.push(`subject took:\n  ${pushed.join('\n  ')}\nexpected:\n  ${expectedSeq.map(show).join('\n  ')}`);
  for (const v of o.snapshotPushed.slice(1)) if (!Object.isFrozen(v)) problems.push('a pushed snapshot is not frozen');
  return problems;
}
