import { Channel, ConnectError, connected } from '../../src/index.js';
import type { ConnectEvent } from '../../src/index.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { TransportSocket } from '../../src/index.js';
import { newScheduler } from '../helpers/events.js';

const socket: TransportSocket = {
  events: NO_EVENTS, localAddress: undefined, remoteAddress: undefined, writableLength: 0, writableHighWaterMark: 1,
  write: () => true, end: () => undefined, destroy: () => undefined, pause: () => undefined, resume: () => undefined,
};

describe('connected operator', () => {
  it('should emit the channel on connected and complete with the source', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const channel = new Channel(socket);
      const address = { address: '::1', family: 6 as const, port: 1 };
      const e1 = cold<ConnectEvent>('-a-c---d|', {
        a: { type: 'attempt', elapsed: 1, attempt: 0, address },
        c: { type: 'connected', elapsed: 3, attempt: 0, address, channel },
        d: { type: 'closed', elapsed: 7 },
      });
      const e1subs = '               ^-------!';
      const expected = '             ---C----|';
      expectObservable(e1.pipe(connected())).toBe(expected, { C: channel });
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('should error with the ConnectError on failed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ConnectError({ code: 'ECONNREFUSED' });
      const e1 = cold<ConnectEvent>('--f|', { f: { type: 'failed', elapsed: 2, error } });
      const e1subs = '               ^-!';
      expectObservable(e1.pipe(connected())).toBe('--#', undefined, error);
      expectSubscriptions(e1.subscriptions).toBe(e1subs);
    });
  });

  it('should unsubscribe from the source when unsubscribed', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const e1 = cold<ConnectEvent>('------');
      expectObservable(e1.pipe(connected()), '^--!').toBe('----');
      expectSubscriptions(e1.subscriptions).toBe('^--!');
    });
  });
});
