import fc from 'fast-check';
import type { ConnectStrategy } from '../../../src/index.js';

// Generated connect scenarios: a virtual host (1–6 addresses of mixed families, in documentation ranges, so no
// traffic could ever leave), how its lookups answer, what each address does, the connect's options, and what the
// caller does (unsubscribe at some moment, read the channel). Plain data, so a shrunk counterexample prints
// readably and can be pasted into a regression spec.

/** What the server side of a connected address does: stays silent, sends EOF, or resets, `after` ms after accepting. */
export type PeerBehaviour = { readonly kind: 'silent' } | { readonly kind: 'end'; readonly after: number } | { readonly kind: 'reset'; readonly after: number };

/** What one address does when dialed, after `after` ms of virtual time. */
export type AddressOutcome =
  | { readonly kind: 'connect'; readonly after: number; readonly peer: PeerBehaviour }
  | { readonly kind: 'refuse'; readonly after: number }
  | { readonly kind: 'timeout'; readonly after: number }
  | { readonly kind: 'fail'; readonly after: number; readonly code: string }
  | { readonly kind: 'hang' };

/** When one family's lookup answers, and whether it fails. */
export type LookupAnswer = { readonly after: number; readonly error?: string | undefined };

export type ScenarioAddress = { readonly address: string; readonly family: 4 | 6; readonly outcome: AddressOutcome };

export type Scenario = {
  /** The host's addresses, in resolver order. */
  readonly addresses: readonly ScenarioAddress[];
  readonly lookup: { readonly ipv6: LookupAnswer; readonly ipv4: LookupAnswer };
  readonly strategy: ConnectStrategy;
  readonly family: 0 | 4 | 6;
  readonly attemptDelay?: number | undefined;
  readonly resolutionDelay?: number | undefined;
  readonly firstFamilyCount?: number | undefined;
  readonly attemptTimeout?: number | undefined;
  /** `connectTimeout(ms)` right after the source, when set. */
  readonly connectTimeout?: number | undefined;
  /** Unsubscribe at this virtual time, when set. */
  readonly unsubscribeAt?: number | undefined;
  /** Unsubscribe synchronously, from the subscriber's own handler, on the `nth` event of this type. */
  readonly unsubscribeOn?: { readonly type: UnsubscribeOn; readonly nth: number } | undefined;
  /**
   * How names resolve: `network` is the virtual network's resolver (answers later, even after 0 ms); `sync` is a
   * resolver of the same answers that calls back synchronously when its delay is 0 (as a cache would), and calls
   * back a second time with junk (to be ignored); `literal` connects to the first address as an IP literal.
   */
  readonly resolver: 'network' | 'sync' | 'literal';
  /** `myport`: every attempt binds its family's wildcard address to this port (two racing attempts of one family clash). */
  readonly myport?: number | undefined;
  /** Subscribe to the channel's `data$` on `connected` (so the peer's EOF is seen). */
  readonly read: boolean;
};

export type UnsubscribeOn = 'resolved' | 'attempt' | 'attemptFailed' | 'attemptCancelled' | 'connected';

export const HOST = 'h.test';
export const PORT = 80;

/** Errno codes an address may fail with: the ranked ones, and some the ranking only knows as "other". */
export const ATTEMPT_CODES = ['EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'EADDRNOTAVAIL', 'ECONNRESET', 'EPROTO'] as const;
/** Resolver codes a lookup may fail with. */
export const LOOKUP_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA'] as const;

/** Small delays with many ties (the interesting cases), and some spread-out ones. */
const delay = (max: number): fc.Arbitrary<number> => fc.oneof(fc.constantFrom(0, 1, 10, 50, 100, 250), fc.integer({ min: 0, max }));

const peer: fc.Arbitrary<PeerBehaviour> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'silent' } as const) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), after: delay(400) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reset' as const), after: delay(400) }) },
);

export const outcome = (withPeers: boolean): fc.Arbitrary<AddressOutcome> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('connect' as const), after: delay(800), peer: withPeers ? peer : fc.constant({ kind: 'silent' } as const) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('refuse' as const), after: delay(800) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('timeout' as const), after: delay(800) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('fail' as const), after: delay(800), code: fc.constantFrom(...ATTEMPT_CODES) }) },
    { weight: 2, arbitrary: fc.constant({ kind: 'hang' } as const) },
  );

const lookupAnswer: fc.Arbitrary<LookupAnswer> = fc.oneof(
  { weight: 7, arbitrary: fc.record({ after: delay(300) }) },
  { weight: 1, arbitrary: fc.record({ after: delay(300), error: fc.constantFrom(...LOOKUP_CODES) }) },
);

/** 1–6 addresses; families mixed at random, numbered per family in documentation ranges. */
export const addresses = (withPeers: boolean): fc.Arbitrary<ScenarioAddress[]> =>
  fc
    .integer({ min: 1, max: 6 })
    .chain((n) => fc.array(fc.record({ family: fc.constantFrom(4 as const, 6 as const), outcome: outcome(withPeers) }), { minLength: n, maxLength: n }))
    .map((list) => {
    const next = { 4: 1, 6: 1 };
    return list.map(({ family, outcome }) => {
      const n = next[family]++;
      return { address: family === 6 ? `2001:db8::${n}` : `192.0.2.${n}`, family, outcome };
    });
  });

/** Undefined two times in three. */
const sometimes = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

/** Undefined five times in six. */
const rarely = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: value });

/** Options of the connect. `undefined` means "not given": the default applies. */
const options = fc.record({
  strategy: fc.constantFrom<ConnectStrategy>('happy-eyeballs', 'happy-eyeballs', 'sequential'),
  family: fc.constantFrom<0 | 4 | 6>(0, 0, 0, 0, 0, 0, 4, 6),
  // Below 10 and above 2000 too: the clamping is part of the rule.
  attemptDelay: fc.option(fc.oneof(fc.constantFrom(0, 5, 10, 50, 250), fc.integer({ min: 0, max: 500 }), fc.constantFrom(2000, 2400)), { nil: undefined }),
  resolutionDelay: fc.option(fc.oneof(fc.constantFrom(0, 10, 50), fc.integer({ min: 0, max: 300 })), { nil: undefined }),
  firstFamilyCount: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  attemptTimeout: fc.option(fc.oneof(fc.constantFrom(1, 10, 100, 250), fc.integer({ min: 1, max: 700 })), { nil: undefined }),
});

export const scenario = (withPeers = true): fc.Arbitrary<Scenario> =>
  fc
    .record({
      addresses: addresses(withPeers),
      lookup: fc.record({ ipv6: lookupAnswer, ipv4: lookupAnswer }),
      options,
      connectTimeout: sometimes(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(0, 250, 500) }, { weight: 3, arbitrary: fc.integer({ min: 50, max: 1500 }) })),
      unsubscribeAt: sometimes(fc.oneof({ weight: 1, arbitrary: fc.constantFrom(0, 250, 1000) }, { weight: 3, arbitrary: fc.integer({ min: 50, max: 2000 }) })),
      unsubscribeOn: rarely(
        fc.record({ type: fc.constantFrom<UnsubscribeOn>('resolved', 'attempt', 'attemptFailed', 'attemptCancelled', 'connected'), nth: fc.integer({ min: 0, max: 2 }) }),
      ),
      resolver: fc.constantFrom<Scenario['resolver']>('network', 'network', 'network', 'sync', 'literal'),
      myport: rarely(fc.constant(4000)),
      read: fc.boolean(),
    })
    .map(({ addresses, lookup, options, resolver, ...rest }) => ({
      addresses,
      lookup,
      ...options,
      // An IP literal with a family option of the other family is bad input: keep literals to family 0.
      family: resolver === 'literal' ? 0 : options.family,
      resolver,
      ...rest,
    }));

/**
 * The number of runs of each property: 1000 by default (each run is a fraction of a millisecond of virtual time);
 * FC_RUNS changes it for a longer hunt (`FC_RUNS=100000 npx jest spec/properties`), never below 500.
 */
export const RUNS: number = Math.max(500, Number(process.env['FC_RUNS'] ?? 1000) || 1000);

/** fast-check parameters: the run count, and FC_SEED to replay a failure. */
export function params<T>(runs: number = RUNS): fc.Parameters<T> {
  const seed = process.env['FC_SEED'];
  return seed === undefined ? { numRuns: runs } : { numRuns: runs, seed: Number(seed) };
}

/** The effective stagger: `attemptDelay` clamped to 10..2000, default 250 (ConnectOptions). */
export function staggerOf(s: Scenario): number {
  return Math.min(2000, Math.max(10, s.attemptDelay ?? 250));
}
