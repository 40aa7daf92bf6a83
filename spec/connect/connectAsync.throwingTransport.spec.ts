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
