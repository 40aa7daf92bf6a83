import { getEventListeners } from 'node:events';
import type { ConnectError, LookupFunction } from '../../src/index.js';
import { listen$ } from '../../src/listen/listen.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

describe('listen$ with an AbortSignal', () => {
  it('should error with the AbortError and close its listeners when aborted', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, {});
    const controller = new AbortController();
    const seen: string[] = [];
    listen$(7, { transport: network.transport, signal: controller.signal }).subscribe({
      next: (e) => seen.push(e.type),
      error: (e: ConnectError) => seen.push(`error ${e.code} ${e.name}`),
    });
    scheduler.flush();
    expect(network.listeners()).toHaveLength(2);
    controller.abort();
    expect(seen).toEqual(['listening', 'error ABORT_ERR AbortError']);
    expect(network.listeners()).toEqual([]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('should error with the AbortError and cancel the lookup when aborted during the myaddr lookup', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, {});
    const controller = new AbortController();
    const asked: string[] = [];
    let cancelled = 0;
    let answer: ((error: unknown, addresses: { address: string; family: number }[]) => void) | undefined;
    const lookup = ((host: string, _options: unknown, callback: typeof answer) => {
      asked.push(host);
      answer = callback;
      return { cancel: () => cancelled++ };
    }) as unknown as LookupFunction;
    const seen: string[] = [];
    const reason = new Error('shutting down');
    listen$(7, { transport: network.transport, myaddr: 'me.test', lookup, signal: controller.signal }).subscribe({
      next: (e) => seen.push(e.type),
      error: (e: ConnectError) => seen.push(`error ${e.code} ${e.name} ${e.cause === reason}`),
    });
    scheduler.flush();
    expect(asked).toEqual(['me.test']);
    controller.abort(reason);
    expect(seen).toEqual(['error ABORT_ERR AbortError true']);
    expect(cancelled).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // A late answer opens nothing.
    answer?.(null, [{ address: '127.0.0.1', family: 4 }]);
    scheduler.flush();
    expect(seen).toHaveLength(1);
    expect(network.listeners()).toEqual([]);
  });

  it('should error at once, listening on nothing, when the signal is already aborted', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, {});
    const seen: string[] = [];
    listen$(7, { transport: network.transport, signal: AbortSignal.abort() }).subscribe({ error: (e: ConnectError) => seen.push(e.code) });
    scheduler.flush();
    expect(seen).toEqual(['ABORT_ERR']);
    expect(network.listeners()).toEqual([]);
  });
});
