import { getEventListeners } from 'node:events';
import { connect, ConnectError } from '../../src/index.js';
import type { Channel } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import type { VirtualHosts } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

const HANGING: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() } } };
const SLOW_LOOKUP: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) }, lookup: { ipv4: 100, ipv6: 100 } } };
const CONNECTING: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) } } };

/** connect() in virtual time, its signal aborted at `abortAt` with `reason`. */
function connectAborted(hosts: VirtualHosts, abortAt: number, reason: unknown) {
  const scheduler = newScheduler();
  const network = createVirtualNetwork(scheduler, hosts);
  const controller = new AbortController();
  const promise = connect('h.test', 80, { transport: network.transport, scheduler, signal: controller.signal });
  scheduler.schedule(() => controller.abort(reason), abortAt);
  scheduler.flush();
  return { promise, network, signal: controller.signal };
}

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

  it('should reject at once, with no lookup and no socket, when the signal is already aborted', async () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, CONNECTING);
    const reason = new Error('too late');
    const promise = connect('h.test', 80, { transport: network.transport, scheduler, signal: AbortSignal.abort(reason) });
    await expect(promise).rejects.toMatchObject({ code: 'ABORT_ERR', name: 'AbortError', cause: reason });
    expect(network.lookups).toEqual([]);
    expect(network.sockets).toEqual([]);
  });

  it('should reject with the AbortError, dialing nothing, when aborted during the lookup', async () => {
    const reason = new Error('user gave up');
    const { promise, network, signal } = connectAborted(SLOW_LOOKUP, 50, reason);
    const error = (await promise.catch((e: unknown) => e)) as ConnectError;
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'ABORT_ERR', name: 'AbortError', cause: reason, port: 80, attempts: [] });
    expect(network.sockets).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('should reject with every attempt\'s error, and close every socket, when aborted during attempts', async () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': refuseAfter(5), '192.0.2.1': hang() } } };
    const { promise, network, signal } = connectAborted(hosts, 300, 'stop');
    const error = (await promise.catch((e: unknown) => e)) as ConnectError;
    expect(error).toMatchObject({ code: 'ABORT_ERR', name: 'AbortError', cause: 'stop', address: '192.0.2.1', port: 80 });
    expect(error.attempts.map((a) => [a.address, a.code])).toEqual([
      ['2001:db8::1', 'ECONNREFUSED'],
      ['192.0.2.1', 'ABORT_ERR'],
    ]);
    expect(network.sockets).toHaveLength(2);
    expect(network.openSockets()).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('should close the channel it resolved with when aborted after connect', async () => {
    const { promise, network, signal } = connectAborted(CONNECTING, 20, undefined);
    const channel: Channel = await promise;
    expect(channel.closed).toBe(true);
    expect(network.openSockets()).toEqual([]);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('should keep the channel open until the signal is aborted', async () => {
    const scheduler = newScheduler();
    const open = createVirtualNetwork(scheduler, CONNECTING);
    const controller = new AbortController();
    const live = connect('h.test', 80, { transport: open.transport, scheduler, signal: controller.signal });
    scheduler.flush();
    const liveChannel = await live;
    expect(liveChannel.closed).toBe(false);
    expect(open.openSockets()).toHaveLength(1);
    controller.abort();
    // The channel closes as on unsubscribe: its written bytes flushed first, on the scheduler.
    scheduler.flush();
    expect(liveChannel.closed).toBe(true);
    expect(open.openSockets()).toEqual([]);
  });
});
