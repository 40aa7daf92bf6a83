import { inspect } from 'node:util';
import fc from 'fast-check';
import { defer } from 'rxjs';
import type { Observable } from 'rxjs';
import { connectAsync$, connectTimeout, reconnect } from '../../src/index.js';
import type { ConnectEvent, ReconnectEvent } from '../../src/index.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { connectOptions, hostOf, virtualHosts, virtualScheduler } from './support/harness.js';
import { model } from './support/model.js';
import { params, PORT, scenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

// reconnect over random connects (connectTimeout inside each round sometimes; peers that reset or send EOF end a
// connected round). The caller unsubscribes at `stopAt`, which bounds the run. Properties:
// - rounds never overlap, are numbered 0, 1, 2, ..., and each obeys the event grammar;
// - every round is the same connect afresh: its events are the reference model's for one connect;
// - the wait between rounds is min(maxDelay, initialDelay × factor^k), k counting retries since the last reset
//   (a connection that lived resetAfter ms resets it); after maxRetries retries the stream completes;
// - no round starts at or after the unsubscribe; every socket is closed, and a round's sockets are all closed
//   before the next round opens one.

type Policy = { readonly initialDelay: number; readonly maxDelay: number; readonly factor: number; readonly maxRetries: number; readonly resetAfter: number };

const policy: fc.Arbitrary<Policy> = fc
  .record({
    // At least 20 ms: a round that fails at once with no wait would never let virtual time reach the unsubscribe.
    initialDelay: fc.oneof(fc.constantFrom(20, 100, 250), fc.integer({ min: 20, max: 400 })),
    extra: fc.integer({ min: 0, max: 1500 }),
    factor: fc.constantFrom(1, 1.5, 2, 3),
    maxRetries: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(Infinity)),
    resetAfter: fc.oneof(fc.constantFrom(0, 50, 300), fc.integer({ min: 0, max: 800 }), fc.constant(Infinity)),
  })
  .map(({ extra, ...p }) => ({ ...p, maxDelay: p.initialDelay + extra }));

type Timed = { readonly at: number; readonly event: ReconnectEvent };

function reconnectProblems(s: Scenario, p: Policy, stopAt: number): string[] {
  const problems: string[] = [];
  const scheduler = virtualScheduler();
  const network = createVirtualNetwork(scheduler, virtualHosts(s, scheduler));
  const seen: Timed[] = [];
  let completedAt: number | undefined;
  let error: unknown;
  let connect$: Observable<ConnectEvent> = connectAsync$(hostOf(s), PORT, connectOptions(s, network, scheduler));
  if (s.connectTimeout !== undefined) connect$ = connect$.pipe(connectTimeout(s.connectTimeout, scheduler));
  // When each round subscribes to the source.
  const starts: number[] = [];
  const source$ = defer(() => {
    starts.push(scheduler.now());
    return connect$;
  });
  const sub = source$.pipe(reconnect({ ...p, scheduler })).subscribe({
    next: (event) => {
      seen.push({ at: scheduler.now(), event });
      if (event.type === 'connected' && s.read) event.channel.data$.subscribe({ error: () => undefined });
    },
    error: (e: unknown) => (error = e),
    complete: () => (completedAt = scheduler.now()),
  });
  scheduler.schedule(() => sub.unsubscribe(), stopAt);
  scheduler.flush();
  if (error !== undefined) problems.push(`error notification: ${inspect(error)}`);
  if (seen.some((t) => t.at > stopAt)) problems.push('an event after the unsubscribe');

  // Rounds: contiguous, numbered from 0.
  const rounds: Timed[][] = [];
  for (const t of seen) {
    const r = t.event.round;
    if (r === rounds.length) rounds.push([t]);
    else if (r === rounds.length - 1) (rounds[r] as Timed[]).push(t);
    else problems.push(`round ${r} after round ${rounds.length - 1}`);
  }

  // Each round is one connect, afresh: the model's events for one connect (cut short where the caller stopped).
  const alone = model({ ...s, unsubscribeAt: undefined, unsubscribeOn: undefined });
  if (rounds.length > starts.length) problems.push(`${rounds.length} rounds of events, ${starts.length} subscriptions`);
  let retries = 0;
  let expectedStart = 0;
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k] as number;
    if (start !== expectedStart) problems.push(`round ${k} started at ${start}, expected ${expectedStart}`);
    if (start >= stopAt) problems.push(`round ${k} started at ${start}, not before the unsubscribe at ${stopAt}`);
    const round = rounds[k] ?? [];
    if (round.some((t) => t.at - t.event.elapsed !== start)) problems.push(`round ${k}: elapsed is not counted from its subscription at ${start}`);
    const events = round.map((t) => t.event);
    const ended = events.some((e) => e.type === 'failed' || e.type === 'closed');
    const got = events.map((e) => `${e.elapsed} ${label(e)}`);
    // A round that ended is the whole connect; one the caller cut short is a prefix of it, with everything due
    // before the unsubscribe (an event at that very instant may or may not come first).
    const due = alone.timeline.filter((line) => start + Number(line.split(' ')[0]) < stopAt).length;
    const prefix = got.every((line, i) => line === alone.timeline[i]);
    if (ended ? got.join('\n') !== alone.timeline.join('\n') : !prefix || got.length < due) {
      problems.push(`round ${k} differs from one connect:\n    ${got.join('\n    ')}\n  model:\n    ${alone.timeline.join('\n    ')}`);
    }
    problems.push(...grammarProblems(events, ended).map((x) => `round ${k}: ${x}`));
    if (!ended) {
      if (k !== starts.length - 1) problems.push(`round ${k} did not end, yet round ${k + 1} started`);
      expectedStart = Infinity;
      break;
    }
    const endAt = (round.at(-1) as Timed).at;
    const connectedAt = round.find((t) => t.event.type === 'connected')?.at;
    if (connectedAt !== undefined && endAt - connectedAt >= p.resetAfter) retries = 0;
    if (retries >= p.maxRetries) {
      if (completedAt !== endAt) problems.push(`retries used up after round ${k}, but completed at ${completedAt}`);
      if (k !== starts.length - 1) problems.push(`round ${k + 1} after the retries were used up`);
      expectedStart = Infinity;
      break;
    }
    expectedStart = endAt + Math.min(p.maxDelay, p.initialDelay * p.factor ** retries++);
  }
  // The next round was not due before the caller stopped (at that very instant, the unsubscribe comes first).
  if (expectedStart < stopAt) problems.push(`round ${starts.length} was due at ${expectedStart}, before the unsubscribe at ${stopAt}`);

  // Sockets: all closed; a round's sockets before the next round's first one opens.
  if (network.openSockets().length > 0) problems.push(`${network.openSockets().length} sockets left open`);
  starts.forEach((start, k) => {
    const nextStart = starts[k + 1] ?? Infinity;
    for (const socket of network.sockets.filter((x) => x.openedAt >= start && x.openedAt < nextStart)) {
      if ((socket.closedAt ?? Infinity) > nextStart) problems.push(`socket ${socket.id} of round ${k} still open when round ${k + 1} started`);
    }
  });
  if (network.lookups.some((l) => l.at >= stopAt)) problems.push('a lookup after the unsubscribe');
  if (problems.length > 0) problems.push(`events:\n  ${seen.map((t) => `@${t.at} r${t.event.round} ${t.event.elapsed} ${label(t.event)}`).join('\n  ')}`);
  return problems;
}

describe('reconnect properties (virtual network, virtual time)', () => {
  it('runs one round at a time, each the same connect afresh, with the backoff the policy says, and leaks nothing', () => {
    fc.assert(
      fc.property(
        scenario().map((s) => ({ ...s, unsubscribeAt: undefined, unsubscribeOn: undefined })),
        policy,
        fc.integer({ min: 500, max: 5000 }),
        (s, p, stopAt) => {
          const problems = reconnectProblems(s, p, stopAt);
          if (problems.length > 0) throw new Error(problems.join('\n'));
        },
      ),
      params(),
    );
  });
});
