import { getEventListeners } from 'node:events';
import type { ConnectError } from '../../src/index.js';
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
