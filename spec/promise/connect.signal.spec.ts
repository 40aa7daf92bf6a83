import { connect } from '../../src/index.js';
import { createVirtualNetwork, hang } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

const HANGING = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() } } };

describe('connect() with an AbortSignal', () => {
  it('should reject with the AbortError when aborted', async () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, HANGING);
    const controller = new AbortController();
    const promise = connect('h.test', 80, { transport: network.transport, scheduler, signal: controller.signal });
    scheduler.schedule(() => controller.abort('enough'), 10);
    scheduler.flush();
    await expect(promise).rejects.toMatchObject({ code: 'ABORT_ERR', name: 'AbortError', cause: 'enough' });
    expect(network.openSockets()).toEqual([]);
  });
});
