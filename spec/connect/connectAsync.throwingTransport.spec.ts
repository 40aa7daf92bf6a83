import { config } from 'rxjs';
import type { ConnectEvent, Transport } from '../../src/index.js';
import { connectAsync$ } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label, newScheduler } from '../helpers/events.js';

/** The virtual network's transport, but every socket's destroy() throws after destroying it. */
function throwingDestroy(network: VirtualNetwork): Transport {
  return {
    ...network.transport,
    dial(request, events) {
      const socket = network.transport.dial(request, events);
      const destroy = socket.destroy.bind(socket);
      return Object.assign(socket, {
        destroy: (): void => {
          destroy();
          throw new Error(`destroy of ${request.remote.address} failed`);
        },
      });
    },
  };
}

function runWithThrowingDestroy(hosts: VirtualHosts): { timeline: string[]; network: VirtualNetwork; unhandled: string[]; completed: boolean } {
  const scheduler = newScheduler();
  const events: ConnectEvent[] = [];
  const unhandled: string[] = [];
  let completed = false;
  let network!: VirtualNetwork;
  const previous = config.onUnhandledError;
  config.onUnhandledError = (error: unknown) => unhandled.push((error as Error).message);
  try {
    scheduler.run(() => {
      network = createVirtualNetwork(scheduler, hosts);
      connectAsync$('h.test', 80, { transport: throwingDestroy(network), attemptDelay: 10 }).subscribe({
        next: (e) => events.push(e),
        complete: () => (completed = true),
      });
    });
  } finally {
    config.onUnhandledError = previous;
  }
  expect(grammarProblems(events, completed)).toEqual([]);
  return { timeline: events.map((e) => `${e.elapsed} ${label(e)}`), network, unhandled, completed };
}

describe('connectAsync$ over a transport whose socket destroy() throws', () => {
  it('should destroy every loser and still connect, keeping each destroy error', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang(), '2001:db8::2': connectAfter(5) } } };
    const run = runWithThrowingDestroy(hosts);
    expect(run.timeline.slice(-3)).toEqual(['25 attemptCancelled 0 2001:db8::1 lost', '25 attemptCancelled 1 192.0.2.1 lost', '25 connected 2 2001:db8::2']);
    expect(run.network.openSockets().map((s) => s.remote.address)).toEqual(['2001:db8::2']);
    expect(run.unhandled).toEqual(['destroy of 2001:db8::1 failed', 'destroy of 192.0.2.1 failed']);
  });

  it('should emit failed when every attempt fails, keeping each destroy error', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': refuseAfter(1), '192.0.2.1': refuseAfter(1) } } };
    const run = runWithThrowingDestroy(hosts);
    expect(run.timeline.filter((t) => !t.includes('resolved'))).toEqual([
      '0 attempt 0 2001:db8::1',
      '1 attemptFailed 0 2001:db8::1 ECONNREFUSED',
      '1 attempt 1 192.0.2.1',
      '2 attemptFailed 1 192.0.2.1 ECONNREFUSED',
      '2 failed ECONNREFUSED',
    ]);
    expect(run.completed).toBe(true);
    expect(run.network.openSockets()).toEqual([]);
    expect(run.unhandled).toEqual(['destroy of 2001:db8::1 failed', 'destroy of 192.0.2.1 failed']);
  });
});

describe('connectAsync$ with a transport whose dial() throws for every address', () => {
  // Each failure inside dial() starts the next attempt before dial() has returned: 3000 of them must not grow
  // the stack, nor an overflow be taken for the resolver's error.
  function run(maxConcurrentAttempts: number): { events: ConnectEvent[]; completed: boolean; unhandled: unknown[] } {
    const scheduler = newScheduler();
    const answer = Array.from({ length: 3000 }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, family: 4 as const }));
    const network = createVirtualNetwork(scheduler, {});
    const transport: Transport = {
      ...network.transport,
      dial() {
        throw Object.assign(new Error('no route'), { code: 'ENETUNREACH' });
      },
    };
    const events: ConnectEvent[] = [];
    const unhandled: unknown[] = [];
    let completed = false;
    config.onUnhandledError = (e) => unhandled.push(e);
    try {
      scheduler.run(() => {
        connectAsync$('h.test', 80, {
          transport,
          scheduler,
          family: 4,
          maxConcurrentAttempts,
          lookup: (_host, _options, callback) => callback(null, answer),
        }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
      });
    } finally {
      config.onUnhandledError = null;
    }
    return { events, completed, unhandled };
  }

  it.each([6, 3000])('should try all 3000 and fail with each one\'s error (maxConcurrentAttempts %d)', (max) => {
    const { events, completed, unhandled } = run(max);
    expect(unhandled).toEqual([]);
    expect(grammarProblems(events, completed)).toEqual([]);
    expect(events.filter((e) => e.type === 'attempt')).toHaveLength(3000);
    expect(events.filter((e) => e.type === 'attemptFailed')).toHaveLength(3000);
    const last = events.at(-1);
    if (last?.type !== 'failed') throw new Error(`not failed: ${last?.type ?? 'nothing'}`);
    expect(last.error.code).toBe('ENETUNREACH');
    expect(last.error.attempts).toHaveLength(3000);
    expect(last.error.attempts.at(-1)?.address).toBe('10.0.11.183');
  });
});
