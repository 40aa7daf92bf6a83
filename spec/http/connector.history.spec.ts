import { connectAsync$, createConnectHistory } from '../../src/index.js';
import type { ConnectHistory } from '../../src/index.js';
import { connector, httpAgent, httpsAgent } from '../../src/http/index.js';
import type { HttpConnectOptions } from '../../src/http/index.js';
import { connectAfter, createVirtualNetwork, hang } from '../../src/testing/index.js';
import type { VirtualNetwork } from '../../src/testing/index.js';
import { label, newScheduler } from '../helpers/events.js';

const HOSTS = { 'h.test': { addresses: { '::1': hang(), '127.0.0.1': connectAfter(1) } } };
const REQUEST = { hostname: 'h.test', host: 'h.test:80', protocol: 'http:', port: '80' } as const;

/**
 * Calls connectors as undici does, one at 0 and one at 2000 ms of virtual time, and returns the address each call
 * dialed first with when. The virtual network cannot hand sockets over, so each call ends in an error after its
 * connect: what is checked is the order of the dials, which the history decides.
 */
async function firstDials(makeConnectors: (options: HttpConnectOptions) => [ReturnType<typeof connector>, ReturnType<typeof connector>]): Promise<string[]> {
  const scheduler = newScheduler();
  let network!: VirtualNetwork;
  const answers: Promise<Error | null>[] = [];
  const call = (connect: ReturnType<typeof connector>): void => {
    answers.push(new Promise((resolve) => connect(REQUEST, (error, _socket) => resolve(error))));
  };
  scheduler.run(() => {
    network = createVirtualNetwork(scheduler, HOSTS);
    const [first, second] = makeConnectors({ transport: network.transport, scheduler });
    call(first);
    scheduler.schedule(() => call(second), 2000);
  });
  // Each call answers once the Promise of its socket settles: the virtual socket could not be handed over.
  expect((await Promise.all(answers)).map((e) => e?.name)).toEqual(['ChannelClosedError', 'ChannelClosedError']);
  scheduler.flush();
  expect(network.openSockets()).toEqual([]);
  return network.sockets.map((s) => `${s.openedAt} ${s.remote.address}`);
}

describe('connector and Agents with a history', () => {
  it('should keep one history per connector: its second connect starts with the last winner', async () => {
    const dials = await firstDials((o) => {
      const connect = connector(o);
      return [connect, connect];
    });
    expect(dials).toEqual(['0 ::1', '250 127.0.0.1', '2000 127.0.0.1']);
  });

  it('should keep none with history: false, and none shared between connectors', async () => {
    expect(await firstDials((o) => {
      const connect = connector({ ...o, history: false });
      return [connect, connect];
    })).toEqual(['0 ::1', '250 127.0.0.1', '2000 ::1', '2250 127.0.0.1']);
    expect(await firstDials((o) => [connector(o), connector(o)])).toEqual(['0 ::1', '250 127.0.0.1', '2000 ::1', '2250 127.0.0.1']);
  });

  it('should share a history given to several connectors, and with connectAsync$', async () => {
    let shared: ConnectHistory | undefined;
    const dials = await firstDials((o) => {
      shared = createConnectHistory({ scheduler: o.scheduler });
      return [connector({ ...o, history: shared }), connector({ ...o, history: shared })];
    });
    expect(dials).toEqual(['0 ::1', '250 127.0.0.1', '2000 127.0.0.1']);
    expect(shared?.entries().map((e) => `${e.host}:${e.port} ${e.winner?.address ?? ''}`)).toEqual(['h.test:80 127.0.0.1']);
    const scheduler = newScheduler();
    const timeline: string[] = [];
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, HOSTS);
      const history = createConnectHistory({ scheduler });
      connector({ transport: network.transport, scheduler, history })(REQUEST, () => undefined);
      scheduler.schedule(() => {
        const sub = connectAsync$('h.test', 80, { transport: network.transport, scheduler, history }).subscribe((e) => timeline.push(`${e.elapsed} ${label(e)}`));
        scheduler.schedule(() => sub.unsubscribe(), 10);
      }, 2000);
    });
    expect(timeline).toEqual(['0 resolved 6 ::1', '0 resolved 4 127.0.0.1', '0 attempt 0 127.0.0.1 history', '1 connected 0 127.0.0.1']);
  });

  it('should validate history in the connector\'s and the Agents\' options, naming it', () => {
    expect(() => connector({ history: 'yes' as unknown as false })).toThrow(/history: must be a ConnectHistory/);
    expect(() => httpAgent({ connect: { history: {} as ConnectHistory } })).toThrow(/history: must be a ConnectHistory/);
    expect(() => httpsAgent({ connect: { history: true as unknown as false } })).toThrow(/history: must be a ConnectHistory/);
    expect(() => httpAgent({ connect: { history: false } })).not.toThrow();
  });
});
