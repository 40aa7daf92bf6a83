import { connectAsync$, createConnectHistory } from '../../src/index.js';
import type { ConnectEvent } from '../../src/index.js';
import { settle } from '../helpers/events.js';
import { DUAL, fixedLookup, loopbackFixtures } from '../helpers/loopback.js';

const summary = (events: readonly ConnectEvent[]): string[] =>
  events.filter((e) => e.type === 'attempt' || e.type === 'connected').map((e) => `${e.type} ${e.attempt} ${e.address.address}${e.type === 'attempt' && e.history ? ' history' : ''}`);

describe('connectAsync$ with a history, on loopback with a black-holed ::1', () => {
  const net = loopbackFixtures();

  it('should start the second connect with 127.0.0.1, the first one\'s winner, and win with it alone', async () => {
    const server = await net.server('127.0.0.1');
    await net.blackhole(6, server.port);
    const history = createConnectHistory();
    const options = { lookup: fixedLookup(DUAL), attemptDelay: 50, history };
    expect(summary(await settle(connectAsync$('dual.test', server.port, options)))).toEqual(['attempt 0 ::1', 'attempt 1 127.0.0.1', 'connected 1 127.0.0.1']);
    expect(history.entries().map((e) => [e.host, e.port, e.winner?.address, e.winner?.family, e.failed])).toEqual([['dual.test', server.port, '127.0.0.1', 4, []]]);
    // A long attemptDelay: had the second connect started with ::1 again, it would have had to wait for it.
    const second = await settle(connectAsync$('dual.test', server.port, { ...options, attemptDelay: 2000 }));
    expect(summary(second)).toEqual(['attempt 0 127.0.0.1 history', 'connected 0 127.0.0.1']);
  });
});
