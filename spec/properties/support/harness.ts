import type { Observable} from 'rxjs';
import { ignoreElements, map, Subscriber, timer, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { connectAsync$, connectTimeout, createSnapshot, snapshot } from '../../../src/index.js';
import type { ConnectEvent, ConnectOptions, LookupFunction, SocketSnapshot } from '../../../src/index.js';
import { connectAfter, createVirtualNetwork, failAfter, hang, refuseAfter, timeoutAfter } from '../../../src/testing/index.js';
import type { AddressScript, LookupScript, PeerScript, VirtualHosts, VirtualNetwork } from '../../../src/testing/index.js';
import type { AddressOutcome, LookupAnswer, PeerBehaviour, Scenario } from './scenario.js';
import { HOST, PORT } from './scenario.js';

/** A virtual-time scheduler with no frame limit: `flush()` runs everything scheduled, FIFO within an instant. */
export function virtualScheduler(): VirtualTimeScheduler {
  return new VirtualTimeScheduler(VirtualAction, Infinity);
}

function peerScript(peer: PeerBehaviour, scheduler: VirtualTimeScheduler): PeerScript | undefined {
  switch (peer.kind) {
    case 'silent':
      return undefined;
    case 'end':
      return () => timer(peer.after, scheduler).pipe(ignoreElements());
    case 'reset':
      return () =>
        timer(peer.after, scheduler).pipe(
          map(() => {
            throw new Error('peer reset');
          }),
        );
  }
}

export function addressScript(o: AddressOutcome, scheduler: VirtualTimeScheduler): AddressScript {
  switch (o.kind) {
    case 'connect':
      return connectAfter(o.after, peerScript(o.peer, scheduler));
    case 'refuse':
      return refuseAfter(o.after);
    case 'timeout':
      return timeoutAfter(o.after);
    case 'fail':
      return failAfter(o.after, o.code);
    case 'hang':
      return hang();
  }
}

const lookupScript = (l: LookupAnswer): LookupScript => (l.error === undefined ? l.after : { after: l.after, error: l.error });

export function virtualHosts(s: Scenario, scheduler: VirtualTimeScheduler): VirtualHosts {
  const addresses: Record<string, AddressScript> = {};
  for (const a of s.addresses) addresses[a.address] = addressScript(a.outcome, scheduler);
  return { [HOST]: { addresses, lookup: { ipv6: lookupScript(s.lookup.ipv6), ipv4: lookupScript(s.lookup.ipv4) } } };
}

/** One call of the scenario's resolver. */
export type LookupCall = { readonly family: 0 | 4 | 6; readonly at: number };

/**
 * The `sync` resolver: the virtual network's answers, but a 0 ms answer comes synchronously (as from a cache), the
 * list has a junk entry to skip, and a second callback follows with an address that must be ignored.
 */
export function syncLookup(s: Scenario, scheduler: VirtualTimeScheduler, calls: LookupCall[]): LookupFunction {
  return (_host, options, callback) => {
    calls.push({ family: options.family, at: scheduler.now() });
    const of = (f: 4 | 6): { after: number; error: string | undefined; found: string[] } => {
      const script = f === 6 ? s.lookup.ipv6 : s.lookup.ipv4;
      const found = s.addresses.filter((a) => a.family === f).map((a) => a.address);
      return { after: script.after, error: script.error ?? (found.length === 0 ? 'ENOTFOUND' : undefined), found };
    };
    let answer: { after: number; error: string | undefined; found: string[] };
    if (options.family !== 0) {
      answer = of(options.family);
    } else {
      const six = of(6);
      const four = of(4);
      const ok = new Set([...(six.error === undefined ? six.found : []), ...(four.error === undefined ? four.found : [])]);
      const found = s.addresses.map((a) => a.address).filter((a) => ok.has(a));
      answer = { after: Math.max(six.after, four.after), error: found.length > 0 ? undefined : four.error ?? six.error, found };
    }
    const reply = (): void => {
      if (answer.error !== undefined) callback(Object.assign(new Error(`getaddrinfo ${answer.error} ${HOST}`), { code: answer.error }));
      else callback(null, [{ address: 'not-an-address', family: 4 }, ...answer.found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))]);
      callback(null, [{ address: '192.0.2.250', family: 4 }]);
    };
    if (answer.after === 0) {
      reply();
      return undefined;
    }
    const action = scheduler.schedule(reply, answer.after);
    return { cancel: () => action.unsubscribe() };
  };
}

export function connectOptions(s: Scenario, network: VirtualNetwork, scheduler: VirtualTimeScheduler, calls: LookupCall[] = []): ConnectOptions {
  return {
    lookup: s.resolver === 'sync' ? syncLookup(s, scheduler, calls) : undefined,
    myport: s.myport,
    transport: network.transport,
    scheduler,
    strategy: s.strategy,
    family: s.family,
    attemptDelay: s.attemptDelay,
    resolutionDelay: s.resolutionDelay,
    firstFamilyCount: s.firstFamilyCount,
    attemptTimeout: s.attemptTimeout,
  };
}

/** What one scenario did, observed from the outside. */
export type Observed = {
  readonly events: readonly ConnectEvent[];
  /** `subject.value` right after each event reached the subscriber. */
  readonly snapshotAfter: readonly SocketSnapshot[];
  /** Every value the snapshot subject took, from subscription on (the first is the one before subscription). */
  readonly snapshotPushed: readonly SocketSnapshot[];
  readonly snapshotAtSubscribe: SocketSnapshot;
  /** Events delivered while `subscribe()` ran (a synchronous resolver, an IP literal). */
  readonly eventsDuringSubscribe: number;
  readonly snapshotAtEnd: SocketSnapshot;
  /** Events delivered after an unsubscribe: must be none. */
  readonly lateEvents: readonly ConnectEvent[];
  readonly completedAt: number | undefined;
  readonly error: unknown;
  /** When the scenario's unsubscribe (timed, or from a handler) happened while the stream was live. */
  readonly unsubscribedAt: number | undefined;
  /** The unsubscribe came from the subscriber's handler of an `attempt` event: that attempt never dialed. */
  readonly unsubscribedOnAttempt: boolean;
  /** The unsubscribe came from a handler while `subscribe()` was still running. */
  readonly unsubscribedDuringSubscribe: boolean;
  /** How many sockets had been opened when the unsubscribe happened. */
  readonly socketsAtUnsubscribe: number | undefined;
  /** Virtual time once everything scheduled had run (before the final clean-up unsubscribe). */
  readonly quietAt: number;
  readonly network: VirtualNetwork;
  /** The lookups made: the virtual network's, or the `sync` resolver's. */
  readonly lookups: readonly LookupCall[];
  /** Sockets still open after the final unsubscribe and flush. */
  readonly openAtEnd: number;
};

/** The host argument: the name, or the first address as an IP literal (IPv6 in brackets). */
export function hostOf(s: Scenario): string {
  if (s.resolver !== 'literal') return HOST;
  const a = s.addresses[0] as Scenario['addresses'][number];
  return a.family === 6 ? `[${a.address}]` : a.address;
}

/**
 * Runs a scenario: `connectAsync$` on the virtual network, with `connectTimeout` when asked, then `snapshot`.
 * Unsubscribes at `unsubscribeAt`, or from the handler of the event `unsubscribeOn` names; once nothing is left
 * to run, unsubscribes anyway (that closes a connected channel) and runs what that scheduled.
 */
export function observe(s: Scenario): Observed {
  const scheduler = virtualScheduler();
  const network = createVirtualNetwork(scheduler, virtualHosts(s, scheduler));
  const calls: LookupCall[] = [];
  const subject = createSnapshot();
  const snapshotPushed: SocketSnapshot[] = [];
  const watch = subject.subscribe((v) => snapshotPushed.push(v));
  const events: ConnectEvent[] = [];
  const snapshotAfter: SocketSnapshot[] = [];
  const lateEvents: ConnectEvent[] = [];
  const seen = new Map<string, number>();
  let completedAt: number | undefined;
  let error: unknown;
  let unsubscribedAt: number | undefined;
  let unsubscribedOnAttempt = false;
  let unsubscribedDuringSubscribe = false;
  let subscribing = true;
  let socketsAtUnsubscribe: number | undefined;
  let gone = false;

  let source: Observable<ConnectEvent> = connectAsync$(hostOf(s), PORT, connectOptions(s, network, scheduler, calls));
  if (s.connectTimeout !== undefined) source = source.pipe(connectTimeout(s.connectTimeout, scheduler));
  source = source.pipe(snapshot(subject));
  // A Subscriber of our own, so a handler can unsubscribe even while subscribe() is still running.
  const subscriber: Subscriber<ConnectEvent> = new Subscriber<ConnectEvent>({
    next: (event: ConnectEvent) => {
      if (gone) {
        lateEvents.push(event);
        return;
      }
      events.push(event);
      snapshotAfter.push(subject.value);
      if (event.type === 'connected' && s.read) event.channel.data$.subscribe({ error: () => undefined });
      const nth = seen.get(event.type) ?? 0;
      seen.set(event.type, nth + 1);
      const on = s.unsubscribeOn;
      if (on !== undefined && on.type === event.type && on.nth === nth) {
        unsubscribedAt = scheduler.now();
        unsubscribedOnAttempt = event.type === 'attempt';
        unsubscribedDuringSubscribe = subscribing;
        socketsAtUnsubscribe = network.sockets.length;
        gone = true;
        subscriber.unsubscribe();
      }
    },
    error: (e: unknown) => (error = e),
    complete: () => (completedAt = scheduler.now()),
  });
  source.subscribe(subscriber);
  subscribing = false;
  const snapshotAtSubscribe = subject.value;
  const eventsDuringSubscribe = events.length;
  if (s.unsubscribeAt !== undefined) {
    scheduler.schedule(() => {
      if (completedAt === undefined && error === undefined && !gone) {
        unsubscribedAt = scheduler.now();
        socketsAtUnsubscribe = network.sockets.length;
      }
      gone = true;
      subscriber.unsubscribe();
    }, s.unsubscribeAt);
  }
  scheduler.flush();
  const quietAt = scheduler.now();
  gone = true;
  subscriber.unsubscribe();
  scheduler.flush();
  watch.unsubscribe();
  const lookups = s.resolver === 'sync' ? calls : network.lookups.map((l) => ({ family: l.family, at: l.at }));
  return {
    events, snapshotAfter, snapshotPushed, snapshotAtSubscribe, eventsDuringSubscribe, snapshotAtEnd: subject.value, lateEvents, completedAt, error,
    unsubscribedAt, unsubscribedOnAttempt, unsubscribedDuringSubscribe, socketsAtUnsubscribe, quietAt, network, lookups, openAtEnd: network.openSockets().length,
  };
}
