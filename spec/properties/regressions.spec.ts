import { first, of, take } from 'rxjs';
import type { Observable } from 'rxjs';
import { connectAsync$, connectTimeout, createSnapshot, flushOnConnect, reconnect, snapshot } from '../../src/index.js';
import type { ConnectEvent, SocketSnapshot } from '../../src/index.js';
import { createVirtualNetwork, hang } from '../../src/testing/index.js';
import { label } from '../helpers/events.js';
import { observe, virtualScheduler } from './support/harness.js';
import { model } from './support/model.js';
import type { Scenario } from './support/scenario.js';

// Counterexamples the properties found, kept as plain specs.

describe('regressions found by the properties', () => {
  // Found by "keeps the snapshot in step with the events" (and "closes every socket it opens"): an IP literal
  // resolves synchronously, inside subscribe(); the subscriber unsubscribed on that `resolved`, but the operators
  // only passed the unsubscribe up once subscribe() returned. Meanwhile the connect went on: it dialed, and the
  // snapshot showed an attempt in flight that no subscriber ever saw. The operators now link their upstream
  // subscription to their subscriber before subscribing.
  const counterexample: Scenario = {
    addresses: [{ address: '192.0.2.1', family: 4, outcome: { kind: 'hang' } }],
    lookup: { ipv6: { after: 0, error: 'ENOTFOUND' }, ipv4: { after: 0 } },
    strategy: 'happy-eyeballs',
    family: 0,
    attemptDelay: undefined,
    resolutionDelay: undefined,
    firstFamilyCount: undefined,
    attemptTimeout: undefined,
    resolver: 'literal',
    connectTimeout: 50,
    unsubscribeAt: undefined,
    unsubscribeOn: { type: 'resolved', nth: 0 },
    myport: undefined,
    read: false,
  };

  it('should stop the connect at once when a handler unsubscribes during subscribe(), through connectTimeout and snapshot', () => {
    const o = observe(counterexample);
    expect(o.events.map(label)).toEqual(['resolved 4 192.0.2.1']);
    expect(o.network.sockets).toEqual([]);
    const connecting = { connecting: true, error: '', sockname: null, peername: null, inFlight: [] };
    const idle = { ...connecting, connecting: false };
    expect(o.snapshotPushed).toEqual<SocketSnapshot[]>([idle, connecting, idle]);
    expect(model(counterexample).timeline).toEqual(['0 resolved 4 192.0.2.1']);
  });

  const viaEach: [string, (events: Observable<ConnectEvent>) => Observable<unknown>][] = [
    ['snapshot', (e) => e.pipe(snapshot(createSnapshot()), take(1))],
    ['connectTimeout', (e) => e.pipe(connectTimeout(100, virtualScheduler()), first())],
    ['flushOnConnect', (e) => e.pipe(flushOnConnect(of('hello')), take(1))],
    ['reconnect', (e) => e.pipe(reconnect({ maxRetries: 0 }), take(1))],
  ];

  it.each(viaEach)('should not dial when take(1) ends the stream on a synchronous resolved, through %s', (_name, pipeline) => {
    const scheduler = virtualScheduler();
    const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': hang() } } });
    const seen: unknown[] = [];
    pipeline(connectAsync$('192.0.2.1', 80, { transport: network.transport, scheduler })).subscribe((e) => seen.push(e));
    scheduler.flush();
    expect(seen).toHaveLength(1);
    expect(network.sockets).toEqual([]);
  });
});
