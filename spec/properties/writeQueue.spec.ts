import { inspect } from 'node:util';
import fc from 'fast-check';
import { Observable, Subject, tap } from 'rxjs';
import type { Subscription } from 'rxjs';
import { connectAsync$, connectTimeout, flushOnConnect, WriteQueueOverflowError } from '../../src/index.js';
import type { ConnectEvent, OutgoingValue } from '../../src/index.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { connectOptions, hostOf, virtualHosts, virtualScheduler } from './support/harness.js';
import { params, PORT, scenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

// The write queue of flushOnConnect, over random connects (the same generated hosts as connect.spec.ts, with
// silent peers) and random outgoing streams: hot (a Subject, with a value before subscription that must not
// count), cold with timed values, or cold and synchronous (everything queued before the connect starts). The
// stream may complete or error at some moment, and `maxBytes` may be small enough to overflow.
//
// Property: the bytes the far side receives, over every socket, are the written values concatenated, in order,
// exactly once; everything queued is written before `connected` is passed on; on `failed`, `unsent` is exactly
// what was not written; on overflow, the error's `unsent` is; and no byte goes out unless it connected.

type Value = { readonly text: string } | { readonly bytes: readonly number[] };
type Outgoing = {
  readonly kind: 'hot' | 'cold' | 'sync';
  /** Values and the virtual time each comes (ignored for `sync`). */
  readonly values: readonly { readonly at: number; readonly value: Value }[];
  readonly completeAt?: number | undefined;
  readonly errorAt?: number | undefined;
  readonly maxBytes?: number | undefined;
  readonly encoding: 'utf-8' | 'latin1';
};

const value: fc.Arbitrary<Value> = fc.oneof(
  fc.record({ text: fc.string({ unit: 'binary', maxLength: 6 }) }),
  fc.record({ text: fc.string({ unit: 'grapheme-ascii', maxLength: 6 }) }),
  fc.record({ bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }) }),
);

const sometimes = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });

const outgoing: fc.Arbitrary<Outgoing> = fc.record({
  kind: fc.constantFrom<Outgoing['kind']>('hot', 'cold', 'sync'),
  values: fc.array(fc.record({ at: fc.oneof(fc.constantFrom(0, 1, 50, 250), fc.integer({ min: 0, max: 1200 })), value }), { maxLength: 10 }),
  completeAt: sometimes(fc.integer({ min: 0, max: 1200 })),
  errorAt: sometimes(fc.integer({ min: 0, max: 1200 })),
  maxBytes: sometimes(fc.integer({ min: 0, max: 40 })),
  encoding: fc.constantFrom<Outgoing['encoding']>('utf-8', 'latin1'),
});

const toValue = (v: Value): OutgoingValue => ('text' in v ? v.text : Uint8Array.from(v.bytes));
const encode = (v: OutgoingValue, encoding: Outgoing['encoding']): Buffer => (typeof v === 'string' ? Buffer.from(v, encoding === 'utf-8' ? 'utf8' : 'latin1') : Buffer.from(v));
const same = (a: readonly OutgoingValue[], b: readonly OutgoingValue[]): boolean =>
  a.length === b.length && a.every((x, i) => (typeof x === 'string' ? x === b[i] : b[i] instanceof Uint8Array && Buffer.from(x).equals(Buffer.from(b[i]))));
const show = (vs: readonly OutgoingValue[]): string => vs.map((v) => (typeof v === 'string' ? JSON.stringify(v) : `<${Buffer.from(v).toString('hex')}>`)).join(',');

class OutgoingFailure extends Error {}

function writeQueueProblems(s: Scenario, out: Outgoing): string[] {
  const problems: string[] = [];
  const scheduler = virtualScheduler();
  const network = createVirtualNetwork(scheduler, virtualHosts(s, scheduler));
  const values = out.values.map((v) => ({ at: v.at, value: toValue(v.value) }));
  const offered: OutgoingValue[] = [];
  const events: ConnectEvent[] = [];
  const sentBytes = (): Buffer => Buffer.concat(network.sockets.flatMap((k) => k.sent.map((c) => Buffer.from(c))));
  const expectedBytes = (vs: readonly OutgoingValue[]): Buffer => Buffer.concat(vs.map((v) => encode(v, out.encoding)));
  let error: unknown;
  let completed = false;

  let source$: Observable<OutgoingValue>;
  const hot = new Subject<OutgoingValue>();
  if (out.kind === 'hot') {
    source$ = hot;
  } else if (out.kind === 'sync') {
    source$ = new Observable<OutgoingValue>((sub) => {
      for (const v of values) sub.next(v.value);
      if (out.errorAt !== undefined) sub.error(new OutgoingFailure('outgoing failed'));
      else if (out.completeAt !== undefined) sub.complete();
    });
  } else {
    source$ = new Observable<OutgoingValue>((sub) => {
      const timers: Subscription[] = values.map((v) => scheduler.schedule(() => sub.next(v.value), v.at));
      if (out.errorAt !== undefined) timers.push(scheduler.schedule(() => sub.error(new OutgoingFailure('outgoing failed')), out.errorAt));
      if (out.completeAt !== undefined) timers.push(scheduler.schedule(() => sub.complete(), out.completeAt));
      return () => timers.forEach((t) => t.unsubscribe());
    });
  }
  let connect$ = connectAsync$(hostOf(s), PORT, { ...connectOptions(s, network, scheduler), encoding: out.encoding });
  if (s.connectTimeout !== undefined) connect$ = connect$.pipe(connectTimeout(s.connectTimeout, scheduler));
  // A value before subscription: hot, so nobody hears it.
  hot.next('before subscription');
  // What the stream was offered while it lived (a synchronous source may go on calling next after an error).
  const record = tap((v: OutgoingValue) => {
    if (error === undefined && !completed) offered.push(v);
  });
  const result$ = connect$.pipe(flushOnConnect(source$.pipe(record), out.maxBytes === undefined ? undefined : { maxBytes: out.maxBytes }));
  const subscription = result$.subscribe({
    next: (e) => {
      events.push(e);
      if (e.type === 'connected' && !sentBytes().equals(expectedBytes(offered))) {
        problems.push(`at connected, sent ${sentBytes().toString('hex')}, queued so far ${show(offered)}`);
      }
    },
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  if (out.kind === 'hot') {
    for (const v of values) scheduler.schedule(() => hot.next(v.value), v.at);
    if (out.errorAt !== undefined) scheduler.schedule(() => hot.error(new OutgoingFailure('outgoing failed')), out.errorAt);
    if (out.completeAt !== undefined) scheduler.schedule(() => hot.complete(), out.completeAt);
  }
  if (s.unsubscribeAt !== undefined) scheduler.schedule(() => subscription.unsubscribe(), s.unsubscribeAt);
  scheduler.flush();
  subscription.unsubscribe();
  scheduler.flush();

  problems.push(...grammarProblems(events, completed));
  const connected = events.some((e) => e.type === 'connected');
  const failed = events.find((e) => e.type === 'failed');
  if (offered.includes('before subscription')) problems.push('a hot value from before subscription was taken');
  if (connected) {
    // Every value offered while the stream lived went out, once, in order; unless the stream errored, in which
    // case what came before the error did.
    if (!sentBytes().equals(expectedBytes(offered))) problems.push(`sent ${sentBytes().toString('hex')}, offered ${show(offered)} = ${expectedBytes(offered).toString('hex')}`);
    if (error !== undefined && !(error instanceof OutgoingFailure)) problems.push(`errored after connected: ${inspect(error)}`);
  } else {
    if (sentBytes().length > 0) problems.push(`sent ${sentBytes().toString('hex')} without a connection`);
    if (failed?.type === 'failed') {
      if (failed.unsent === undefined || !same(failed.unsent, offered)) problems.push(`failed with unsent [${show(failed.unsent ?? [])}], offered [${show(offered)}]`);
    }
    if (error instanceof WriteQueueOverflowError) {
      if (!same(error.unsent, offered)) problems.push(`overflow unsent [${show(error.unsent)}], offered [${show(offered)}]`);
      const size = (vs: readonly OutgoingValue[]): number => vs.reduce((n, v) => n + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.byteLength), 0);
      const max = out.maxBytes ?? 16 * 1024 * 1024;
      if (!(size(offered) > max && size(offered.slice(0, -1)) <= max)) problems.push(`overflow at ${size(offered)} bytes with maxBytes ${max}`);
    } else if (error !== undefined && !(error instanceof OutgoingFailure)) {
      problems.push(`unexpected error ${inspect(error)}`);
    }
    if (error === undefined && failed === undefined && out.maxBytes !== undefined) {
      // No overflow reported: then the queue never went past maxBytes.
      const size = offered.reduce((n, v) => n + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.byteLength), 0);
      if (size > out.maxBytes) problems.push(`${size} bytes queued past maxBytes ${out.maxBytes} without an overflow error`);
    }
  }
  if (network.openSockets().length > 0) problems.push(`${network.openSockets().length} sockets left open`);
  if (problems.length > 0) problems.push(`events: ${events.map((e) => `${e.elapsed} ${label(e)}`).join('; ')}`, `error: ${String(error)}`);
  return problems;
}

describe('flushOnConnect properties (virtual network, virtual time)', () => {
  it('delivers the written values, in order, exactly once, or hands back exactly what was not written', () => {
    fc.assert(
      fc.property(scenario(false), outgoing, (s, out) => {
        const problems = writeQueueProblems(s, out);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      params(),
    );
  });
});
