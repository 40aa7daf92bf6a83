import { getEventListeners } from 'node:events';
import { connectAsync$, connected, ConnectError, InvalidArgumentError } from '../../src/index.js';
import type { ConnectEvent } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label, newScheduler } from '../helpers/events.js';

type SignalRun = { timeline: string[]; events: ConnectEvent[]; network: VirtualNetwork; completed: boolean; listeners: number };

/** One connect in virtual time whose signal is aborted at `abortAt` with `reason`. */
function runAborted(hosts: VirtualHosts, host: string, abortAt: number, reason: unknown, fused = false): SignalRun & { channelEnd: string[] } {
  const scheduler = newScheduler();
  const controller = new AbortController();
  const events: ConnectEvent[] = [];
  const channelEnd: string[] = [];
  let completed = false;
  let network!: VirtualNetwork;
  scheduler.run(() => {
    network = createVirtualNetwork(scheduler, hosts);
    const source = connectAsync$(host, 80, { transport: network.transport, signal: controller.signal });
    if (fused) {
      source.pipe(connected()).subscribe({
        next: () => channelEnd.push(`${scheduler.now()} channel`),
        error: (e: ConnectError) => channelEnd.push(`${scheduler.now()} error ${e.code}`),
        complete: () => channelEnd.push(`${scheduler.now()} complete`),
      });
    } else {
      source.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    }
    scheduler.schedule(() => controller.abort(reason), abortAt);
  });
  expect(grammarProblems(events, completed)).toEqual([]);
  const listeners = getEventListeners(controller.signal, 'abort').length;
  return { timeline: events.map((e) => `${e.elapsed} ${label(e)}`), events, network, completed, listeners, channelEnd };
}

function failedError(events: readonly ConnectEvent[]): ConnectError {
  const last = events.at(-1);
  if (last?.type !== 'failed') throw new Error(`not failed: ${last?.type ?? 'nothing'}`);
  return last.error;
}

const SLOW_LOOKUP: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) }, lookup: { ipv4: 100, ipv6: 100 } } };
const HANGING: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() } } };
const CONNECTING: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) } } };

describe('connectAsync$ with an AbortSignal', () => {
  it('should fail with ABORT_ERR, the reason as cause, when aborted during the lookup', () => {
    const reason = new Error('user gave up');
    const run = runAborted(SLOW_LOOKUP, 'h.test', 50, reason);
    expect(run.timeline).toEqual(['50 failed ABORT_ERR']);
    const error = failedError(run.events);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.name).toBe('AbortError');
    expect(error.cause).toBe(reason);
    expect(error.message).toBe('operation aborted (user gave up)');
    expect(run.completed).toBe(true);
    expect(run.network.sockets).toEqual([]);
    expect(run.listeners).toBe(0);
  });

  it('should end each attempt in flight with ABORT_ERR, then fail, when aborted during attempts', () => {
    const run = runAborted(HANGING, 'h.test', 300, 'stop');
    expect(run.timeline.filter((t) => !t.includes('resolved'))).toEqual([
      '0 attempt 0 2001:db8::1',
      '250 attempt 1 192.0.2.1',
      '300 attemptFailed 0 2001:db8::1 ABORT_ERR',
      '300 attemptFailed 1 192.0.2.1 ABORT_ERR',
      '300 failed ABORT_ERR',
    ]);
    expect(failedError(run.events).cause).toBe('stop');
    expect(run.network.openSockets()).toEqual([]);
    expect(run.listeners).toBe(0);
  });

  it('should close the channel when aborted after connect, and say why on closed', () => {
    const run = runAborted(CONNECTING, 'h.test', 20, undefined);
    expect(run.timeline).toEqual(['0 resolved 6', '0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1', '5 connected 0 192.0.2.1', '20 closed ABORT_ERR']);
    expect(run.completed).toBe(true);
    expect(run.network.openSockets()).toEqual([]);
    expect(run.listeners).toBe(0);
  });

  it('should close the channel of connected() when aborted after connect, and error it when aborted before', () => {
    const after = runAborted(CONNECTING, '192.0.2.1', 20, undefined, true);
    expect(after.channelEnd).toEqual(['5 channel', '20 complete']);
    expect(after.network.openSockets()).toEqual([]);
    const before = runAborted(HANGING, '192.0.2.1', 20, undefined, true);
    expect(before.channelEnd).toEqual(['20 error ABORT_ERR']);
    expect(before.network.openSockets()).toEqual([]);
    expect(before.listeners).toBe(0);
  });

  it('should fail at once, without a lookup, when the signal is already aborted', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, CONNECTING);
    const events: ConnectEvent[] = [];
    const reason = new Error('too late');
    const signal = AbortSignal.abort(reason);
    connectAsync$('h.test', 80, { transport: network.transport, scheduler, signal }).subscribe((e) => events.push(e));
    expect(events.map(label)).toEqual(['failed ABORT_ERR']);
    expect(failedError(events).cause).toBe(reason);
    expect(network.lookups).toEqual([]);
    expect(network.sockets).toEqual([]);
  });

  it('should remove its abort listener on unsubscribe and on failure', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, HANGING);
    const controller = new AbortController();
    const subscription = connectAsync$('h.test', 80, { transport: network.transport, scheduler, signal: controller.signal }).subscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    subscription.unsubscribe();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    connectAsync$('nowhere.test', 80, { transport: network.transport, scheduler, signal: controller.signal }).subscribe();
    scheduler.flush();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('should carry every attempt\'s error, the address and the port when aborted during attempts', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang() } } };
    const run = runAborted(hosts, 'h.test', 300, new Error('shutting down'));
    const error = failedError(run.events);
    expect(error.name).toBe('AbortError');
    expect(error.code).toBe('ABORT_ERR');
    expect(error.attempts.map((a) => [a.address, a.code])).toEqual([
      ['2001:db8::1', 'ECONNREFUSED'],
      ['192.0.2.1', 'ABORT_ERR'],
    ]);
    expect(error.address).toBe('192.0.2.1');
    expect(error.port).toBe(80);
    expect(error.message).toBe(
      'operation aborted (2001:db8::1 port 80: connection refused after 5 ms; 192.0.2.1 port 80: operation aborted after 295 ms)',
    );
    expect(run.network.openSockets()).toEqual([]);
  });

  it('should fail the winner, not emit connected, when aborted from an attemptCancelled handler', () => {
    const scheduler = newScheduler();
    const controller = new AbortController();
    const events: ConnectEvent[] = [];
    let completed = false;
    let network!: VirtualNetwork;
    scheduler.run(() => {
      network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(5) } } });
      connectAsync$('h.test', 80, { transport: network.transport, signal: controller.signal }).subscribe({
        next: (e) => {
          events.push(e);
          if (e.type === 'attemptCancelled') controller.abort('user gave up');
        },
        complete: () => (completed = true),
      });
    });
    expect(grammarProblems(events, completed)).toEqual([]);
    expect(events.map((e) => `${e.elapsed} ${label(e)}`).filter((t) => !t.includes('resolved'))).toEqual([
      '0 attempt 0 2001:db8::1',
      '250 attempt 1 192.0.2.1',
      '255 attemptCancelled 0 2001:db8::1 lost',
      '255 attemptFailed 1 192.0.2.1 ABORT_ERR',
      '255 failed ABORT_ERR',
    ]);
    const error = failedError(events);
    expect(error.cause).toBe('user gave up');
    expect(error.attempts.map((a) => a.code)).toEqual(['ABORT_ERR']);
    expect(completed).toBe(true);
    expect(network.openSockets()).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('should keep the attempts that failed before the win when aborted from an attemptCancelled handler', () => {
    const scheduler = newScheduler();
    const controller = new AbortController();
    const events: ConnectEvent[] = [];
    scheduler.run(() => {
      const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang(), '2001:db8::2': connectAfter(5) } } };
      const network = createVirtualNetwork(scheduler, hosts);
      connectAsync$('h.test', 80, { transport: network.transport, signal: controller.signal }).subscribe((e) => {
        events.push(e);
        if (e.type === 'attemptCancelled') controller.abort('user gave up');
      });
    });
    const error = failedError(events);
    expect(error.attempts.map((a) => [a.address, a.code])).toEqual([
      ['2001:db8::1', 'ECONNREFUSED'],
      ['2001:db8::2', 'ABORT_ERR'],
    ]);
    expect(events.some((e) => e.type === 'connected')).toBe(false);
  });

  it('should reject a signal that is not an AbortSignal, naming it', () => {
    expect(() => connectAsync$('h.test', 80, { signal: {} as AbortSignal })).toThrow(InvalidArgumentError);
    expect(() => connectAsync$('h.test', 80, { signal: {} as AbortSignal })).toThrow(/signal/);
  });
});
