import { connectAsync$, createSnapshot, reconnect, snapshot } from '../../src/index.js';
import { createVirtualNetwork, refuseAfter } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

describe('operators whose handlers throw', () => {
  it('snapshot: a subject the user unsubscribed errors the stream, not the process', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': refuseAfter(10) } } });
      const state = createSnapshot();
      const errors: string[] = [];
      connectAsync$('h.test', 80, { transport: network.transport })
        .pipe(snapshot(state))
        .subscribe({ error: (e: Error) => errors.push(e.name) });
      scheduler.schedule(() => state.unsubscribe(), 5);
      scheduler.flush();
      expect(errors).toEqual(['ObjectUnsubscribedError']);
      expect(network.openSockets()).toEqual([]);
    });
  });

  it('reconnect: a random() that throws errors the stream, and no round is left running', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': refuseAfter(10) } } });
      const errors: string[] = [];
      connectAsync$('h.test', 80, { transport: network.transport })
        .pipe(reconnect({ initialDelay: 100, jitter: 0.5, random: () => { throw new Error('random() failed'); }, scheduler }))
        .subscribe({ error: (e: Error) => errors.push(e.message) });
      scheduler.flush();
      expect(errors).toEqual(['random() failed']);
      expect(network.sockets).toHaveLength(1);
      expect(network.openSockets()).toEqual([]);
    });
  });
});
