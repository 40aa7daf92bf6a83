import { EMPTY, map, mergeMap, of, switchMap, tap } from 'rxjs';
import { connectAsync$, connected, listen$ } from '../../src/index.js';
import type { Channel, ConnectEvent } from '../../src/index.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import { label, newScheduler } from '../helpers/events.js';

describe('createVirtualNetwork', () => {
  it('should deliver what the peer sends after write() returns, in the same virtual instant', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const log: string[] = [];
      const network = createVirtualNetwork(scheduler, { 'echo.test': { addresses: { '192.0.2.1': connectAfter(5, (fromClient) => fromClient) } } });
      const echo$ = connectAsync$('echo.test', 7, { transport: network.transport }).pipe(
        connected(),
        switchMap((channel) => {
          const data$ = channel.data$.pipe(map((b) => (log.push(`data ${new TextDecoder().decode(b)}`), 'd')));
          scheduler.schedule(() => {
            log.push('write: before');
            channel.write('ping');
            log.push('write: returned');
          }, 1);
          return data$;
        }),
      );
      expectObservable(echo$, '^ 20ms !').toBe('------d');
      scheduler.flush();
      expect(log).toEqual(['write: before', 'write: returned', 'data ping']);
    });
  });

  it('should let a client answer every echo without recursing', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, { 'echo.test': { addresses: { '192.0.2.1': connectAfter(0, (fromClient) => fromClient) } } });
      let rounds = 0;
      connectAsync$('echo.test', 7, { transport: network.transport })
        .pipe(
          connected(),
          switchMap((channel: Channel) => {
            channel.write('x');
            return channel.data$.pipe(map(() => (++rounds < 5000 ? channel.write('x') : false)));
          }),
        )
        .subscribe();
      scheduler.flush();
      expect(rounds).toBe(5000);
    });
  });

  it.each([
    ['read before close()', 'read', 'silent', '192.0.2.1'],
    ['not read, owner closes', 'unread', 'silent', ''],
    ['not read, owner closes at the peer\'s EOF', 'unread', 'ends', '192.0.2.1'],
  ] as const)('should report client names after a close as rxconnect\'s Node sockets do: %s', (_, read, peer, expected) => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const script = connectAfter(5, peer === 'ends' ? () => of('bye') : undefined);
      const network = createVirtualNetwork(scheduler, { 'a.test': { addresses: { '192.0.2.9': script } } }, { localAddresses: { 4: '192.0.2.1' } });
      let channel: Channel | undefined;
      connectAsync$('a.test', 7, { transport: network.transport })
        .pipe(connected())
        .subscribe((c) => {
          channel = c;
          if (read === 'read') expect(c.sockname.address).toBe('192.0.2.1');
          if (peer === 'ends') c.data$.subscribe({ complete: () => void c.close() });
          else void c.close();
        });
      scheduler.flush();
      expect(channel?.closed).toBe(true);
      expect(channel?.sockname.address).toBe(expected);
      // The peer is the address dialed, whatever closed the channel.
      expect(channel?.peername).toEqual({ address: '192.0.2.9', host: '192.0.2.9', port: 7 });
    });
  });

  it('should send a FIN, not a reset, when a socket is destroyed with nothing unread', () => {
    const scheduler = newScheduler();
    scheduler.run(() => {
      const { transport } = createVirtualNetwork(scheduler, {});
      const serverSide: string[] = [];
      const server = listen$(9, { transport })
        .pipe(
          mergeMap((e) =>
            e.type === 'connection'
              ? e.channel.data$.pipe(tap({ complete: () => serverSide.push(`data$ complete at ${scheduler.now()}`) }))
              : EMPTY,
          ),
        )
        .subscribe({ error: (e: { code?: string }) => serverSide.push(`error ${e.code}`) });
      const client = connectAsync$('127.0.0.1', 9, { transport }).subscribe();
      scheduler.schedule(() => client.unsubscribe(), 10);
      scheduler.schedule(() => server.unsubscribe(), 20);
      scheduler.flush();
      // The server saw EOF at the client's FIN, not ECONNRESET.
      expect(serverSide).toEqual(['data$ complete at 10']);
    });
  });

  it('should follow Linux for clients bound to one port: shared unless the remote end is the same too', () => {
    const scheduler = newScheduler();
    const events: ConnectEvent[] = [];
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, {
        'two.test': { addresses: { '192.0.2.1': connectAfter(5), '192.0.2.2': connectAfter(5) } },
      });
      const { transport } = network;
      connectAsync$('192.0.2.1', 80, { transport, myport: 4000 }).subscribe((e) => events.push(e));
      connectAsync$('192.0.2.2', 80, { transport, myport: 4000 }).subscribe((e) => events.push(e));
      scheduler.schedule(() => connectAsync$('192.0.2.1', 80, { transport, myport: 4000 }).subscribe((e) => events.push(e)), 10);
      listen$(5000, { transport }).subscribe();
      scheduler.schedule(() => connectAsync$('192.0.2.2', 81, { transport, myport: 5000 }).subscribe((e) => events.push(e)), 20);
    });
    const outcomes = events.filter((e) => e.type === 'connected' || e.type === 'attemptFailed').map((e) => `${e.elapsed} ${label(e)}`);
    expect(outcomes).toEqual([
      '5 connected 0 192.0.2.1',
      '5 connected 0 192.0.2.2',
      '0 attemptFailed 0 192.0.2.1 EADDRNOTAVAIL',
      '0 attemptFailed 0 192.0.2.2 EADDRINUSE',
    ]);
  });

  it('should refuse a client bind on a listener\'s port, wildcard or not, and compare the address actually used', () => {
    const scheduler = newScheduler();
    const events: ConnectEvent[] = [];
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(5) } } });
      const { transport } = network;
      listen$(5000, { transport, myaddr: '127.0.0.1' }).subscribe();
      scheduler.schedule(() => connectAsync$('192.0.2.1', 80, { transport, myport: 5000 }).subscribe((e) => events.push(e)), 1);
      // The wildcard and 127.0.0.1 are the same local address for an IPv4 client here: same four-tuple.
      scheduler.schedule(() => connectAsync$('192.0.2.1', 80, { transport, myaddr: '127.0.0.1', myport: 6000 }).subscribe((e) => events.push(e)), 2);
      scheduler.schedule(() => connectAsync$('192.0.2.1', 80, { transport, myport: 6000 }).subscribe((e) => events.push(e)), 3);
    });
    const outcomes = events.filter((e) => e.type === 'connected' || e.type === 'attemptFailed').map(label);
    expect(outcomes).toEqual(['attemptFailed 0 192.0.2.1 EADDRINUSE', 'attemptFailed 0 192.0.2.1 EADDRNOTAVAIL', 'connected 0 192.0.2.1']);
  });

  it('should answer a write to a peer that has gone with EPIPE, as Linux does', () => {
    const scheduler = newScheduler();
    const serverSide: string[] = [];
    scheduler.run(() => {
      const { transport } = createVirtualNetwork(scheduler, {});
      listen$(9, { transport, allowHalfOpen: true }).subscribe((e) => {
        if (e.type !== 'connection') return;
        const { channel } = e;
        channel.data$.subscribe({ complete: () => serverSide.push(`eof at ${scheduler.now()}`) });
        channel.closed$.subscribe(({ error }) => serverSide.push(`closed ${(error as { code?: string } | undefined)?.code} at ${scheduler.now()}`));
        // Half-open: the server keeps writing after the client has gone.
        scheduler.schedule(() => channel.write('late'), 20);
      });
      const client = connectAsync$('127.0.0.1', 9, { transport }).subscribe();
      scheduler.schedule(() => client.unsubscribe(), 10);
    });
    expect(serverSide).toEqual(['eof at 10', 'closed EPIPE at 20']);
  });
});

