import fc from 'fast-check';
import { map, Observable, Subscriber } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel, ConnectEvent } from '../../src/index.js';
import { fusedConnected } from '../../src/connect/ConnectObservable.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import { connectOptions, hostOf, virtualHosts, virtualScheduler } from './support/harness.js';
import { params, PORT, scenario } from './support/scenario.js';
import type { Scenario } from './support/scenario.js';

// `connectAsync$(...).pipe(connected())` runs as one piece (no events, no subscriber in between: see
// ConnectObservable.ts). It must be indistinguishable from the operator over the event stream, which it gets
// with anything between the two (here `map(e => e)`). Same scenarios as connect.spec.ts, both ways, compared.

type Trace = {
  /** Each notification with its virtual time; a channel as its names, an error as its code and message. */
  readonly notifications: string[];
  /** Each socket's story: opened, closed, how it ended. */
  readonly sockets: string[];
  readonly openAtEnd: number;
};

function trace(s: Scenario, fused: boolean, leaveOnChannel: boolean): Trace {
  const scheduler = virtualScheduler();
  const network = createVirtualNetwork(scheduler, virtualHosts(s, scheduler));
  const events$: Observable<ConnectEvent> = connectAsync$(hostOf(s), PORT, connectOptions(s, network, scheduler));
  const channel$: Observable<Channel> = fused ? events$.pipe(connected()) : events$.pipe(map((e) => e), connected());
  const notifications: string[] = [];
  const subscriber: Subscriber<Channel> = new Subscriber<Channel>({
    next: (channel: Channel) => {
      notifications.push(`${scheduler.now()} channel ${channel.sockname.address} ${channel.peername.address}:${channel.peername.port}`);
      if (s.read) channel.data$.subscribe({ error: () => undefined });
      if (leaveOnChannel) subscriber.unsubscribe();
    },
    error: (e: unknown) => {
      const { code, message } = e as { code: string; message: string };
      notifications.push(`${scheduler.now()} error ${code} ${message}`);
    },
    complete: () => notifications.push(`${scheduler.now()} complete`),
  });
  channel$.subscribe(subscriber);
  if (s.unsubscribeAt !== undefined) scheduler.schedule(() => subscriber.unsubscribe(), s.unsubscribeAt);
  scheduler.flush();
  notifications.push(`${scheduler.now()} quiet`);
  subscriber.unsubscribe();
  scheduler.flush();
  const sockets = network.sockets.map((k) => `${k.side} ${k.remote.address} ${k.openedAt}-${k.closedAt ?? 'open'} ${k.state}`);
  return { notifications, sockets, openAtEnd: network.openSockets().length };
}

describe('connected() straight after connectAsync$ (fused)', () => {
  it('notifies, dials and closes exactly as connected() over the event stream', () => {
    fc.assert(
      fc.property(scenario(), fc.boolean(), (s, leaveOnChannel) => {
        const fused = trace(s, true, leaveOnChannel);
        const operator = trace(s, false, leaveOnChannel);
        expect(fused).toStrictEqual(operator);
        expect(fused.openAtEnd).toBe(0);
      }),
      params(),
    );
  });

  it('notifies, dials and closes exactly as connected() over the event stream for an IP literal dialed as one attempt', () => {
    // An IP literal with nothing to bind or time (the cheapest connect) is about 3 % of the scenarios above: here all.
    const oneAddress = scenario().map((s): Scenario => ({ ...s, resolver: 'literal', family: 0, attemptTimeout: undefined, myport: undefined }));
    fc.assert(
      fc.property(oneAddress, fc.boolean(), (s, leaveOnChannel) => {
        const fused = trace(s, true, leaveOnChannel);
        expect(fused).toStrictEqual(trace(s, false, leaveOnChannel));
        expect(fused.openAtEnd).toBe(0);
      }),
      params(),
    );
  });

  it('dials an IP literal with nothing to bind or time as one attempt, with no lookup and no timer, when only the channel is wanted', () => {
    for (const host of ['127.0.0.1', '::1']) {
      const scheduler = virtualScheduler();
      const network = createVirtualNetwork(scheduler, {});
      const subscription = connectAsync$(host, 1, { transport: network.transport, scheduler }).pipe(connected()).subscribe({ error: () => undefined });
      expect(network.lookups).toEqual([]);
      expect(network.sockets.map((k) => k.remote.address)).toEqual([host]);
      // The virtual network schedules the socket's own answer; the connect itself arms nothing.
      expect(scheduler.actions).toHaveLength(1);
      subscription.unsubscribe();
      expect(network.openSockets()).toEqual([]);
    }
  });

  it('is taken straight after connectAsync$, and only there', () => {
    const source = connectAsync$('127.0.0.1', 1);
    expect(fusedConnected(source)).toBeInstanceOf(Observable);
    expect(fusedConnected(source.pipe(map((e) => e)))).toBeUndefined();
  });
});
