import { EMPTY, catchError, ignoreElements, map, mergeMap, of, reduce, switchMap, take, tap } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel } from '../../src/index.js';
import { ArgumentOutOfRangeError } from '../../src/errors/ArgumentOutOfRangeError.js';
import { ChannelClosedError } from '../../src/errors/ChannelClosedError.js';
import { ConnectError } from '../../src/errors/ConnectError.js';
import { InvalidArgumentError } from '../../src/errors/InvalidArgumentError.js';
import { LineTooLongError } from '../../src/errors/LineTooLongError.js';
import { listen$ } from '../../src/listen/listen.js';
import type { ServerEvent } from '../../src/index.js';
import { createVirtualNetwork, hang } from '../../src/testing/index.js';
import type { VirtualNetwork } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/Transport.js';
import { newScheduler } from '../helpers/events.js';

/** The first port the virtual network hands out. */
const P = 49152;

function label(e: ServerEvent): string {
  if (e.type === 'listening') return `listening ${e.socknames.map((s) => `${s.address} ${s.port}`).join(', ')}`;
  return `connection ${e.clientAddress} ${e.clientPort}`;
}

/** Errors as marble values: `code message`. */
const asValue = (e: { code?: string; message: string }): Observable<string> => of(`${e.code ?? ''} ${e.message}`);

/** A client that connects to `address`:`port` and gives its channel (the connect stays subscribed). */
function client$(transport: Transport, address: string, port: number): Observable<Channel> {
  return connectAsync$(address, port, { transport }).pipe(connected());
}

describe('listen$ in virtual time', () => {
  it('should emit listening with one sockname per family (IPv4 first, one port), then a connection per client', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      const server$ = listen$(0, { transport: network.transport }).pipe(map(label));
      scheduler.schedule(() => client$(network.transport, '127.0.0.1', P).subscribe(), 5);
      scheduler.schedule(() => client$(network.transport, '::1', P).subscribe(), 8);
      expectObservable(server$, '^ 20ms !').toBe('l 4ms a 2ms b', {
        l: `listening 0.0.0.0 ${P}, :: ${P}`,
        a: `connection 127.0.0.1 ${P + 1}`,
        b: `connection ::1 ${P + 2}`,
      });
    });
  });

  it('should hand out channels that talk both ways (an echo server)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      const echo$ = listen$(7, { transport: network.transport }).pipe(
        mergeMap((e) => (e.type !== 'connection' ? EMPTY : e.channel.data$.pipe(tap((b) => e.channel.write(b)), ignoreElements()))),
      );
      const reply$ = client$(network.transport, '127.0.0.1', 7).pipe(
        switchMap((c) => {
          c.writeLine('ping');
          return c.lines$.pipe(take(1));
        }),
      );
      expectObservable(echo$).toBe('');
      expectObservable(reply$, '5ms ^').toBe('5ms a', { a: 'ping' });
    });
  });

  it('should close the listeners on unsubscribe, while accepted channels live on', () => {
    const scheduler = newScheduler();
    const listeners: string[][] = [];
    let subscription!: Subscription;
    let network!: VirtualNetwork;
    scheduler.run(({ expectObservable }) => {
      network = createVirtualNetwork(scheduler, {});
      let serverChannel!: Channel;
      subscription = listen$(0, { transport: network.transport }).subscribe((e) => {
        if (e.type === 'connection') serverChannel = e.channel;
      });
      const snap = (): number => listeners.push(network.listeners().map((a) => `${a.address} ${a.port}`));
      scheduler.schedule(snap, 1);
      scheduler.schedule(() => subscription.unsubscribe(), 10);
      scheduler.schedule(snap, 11);
      scheduler.schedule(() => serverChannel.writeLine('still here'), 20);
      scheduler.schedule(() => void serverChannel.close(), 30);
      const lines$ = client$(network.transport, '127.0.0.1', P).pipe(switchMap((c) => c.lines$));
      expectObservable(lines$, '5ms ^').toBe('20ms a 9ms |', { a: 'still here' });
      // After the listener closed, nobody accepts.
      const refused$ = connectAsync$('127.0.0.1', P, { transport: network.transport }).pipe(
        map((e) => e.type),
        take(3),
      );
      expectObservable(refused$, '12ms ^').toBe('12ms (abc|)', { a: 'resolved', b: 'attempt', c: 'attemptFailed' });
    });
    expect(listeners).toEqual([[`0.0.0.0 ${P}`, `:: ${P}`], []]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should error with EADDRINUSE when the port is taken, and close what it had opened', () => {
    const scheduler = newScheduler();
    let network!: VirtualNetwork;
    scheduler.run(({ expectObservable }) => {
      network = createVirtualNetwork(scheduler, {});
      // Someone has port 8080 on IPv6 only: IPv4 binds, IPv6 fails, so IPv4 is closed again.
      listen$(8080, { transport: network.transport, family: 6 }).subscribe();
      expectObservable(listen$(8080, { transport: network.transport }).pipe(map(label), catchError(asValue)), '5ms ^').toBe('5ms (e|)', {
        e: 'EADDRINUSE address already in use (listen on :: port 8080)',
      });
      expectObservable(listen$(8080, { transport: network.transport, family: 6 }).pipe(catchError(asValue)), '6ms ^').toBe('6ms (e|)', {
        e: 'EADDRINUSE address already in use (listen on :: port 8080)',
      });
    });
    expect(network.listeners()).toEqual([{ address: '::', family: 6, port: 8080 }]);
  });

  it('should error with a ConnectError (code, address, port, Tcl text)', () => {
    const scheduler = newScheduler();
    let error: unknown;
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, {});
      listen$(8080, { transport: network.transport }).subscribe();
      listen$('8080', { transport: network.transport, family: 4 }).subscribe({ error: (e: unknown) => (error = e) });
    });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'EADDRINUSE', address: '0.0.0.0', port: 8080, message: 'address already in use (listen on 0.0.0.0 port 8080)' });
  });

  it('should listen on every local address of a myaddr name, IPv4 first', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, { 'me.test': { addresses: { '::1': hang(), '127.0.0.1': hang() } } });
      expectObservable(listen$(0, { transport: network.transport, myaddr: 'me.test' }).pipe(map(label))).toBe('l', {
        l: `listening 127.0.0.1 ${P}, ::1 ${P}`,
      });
    });
  });

  it('should skip the addresses of a myaddr name that are not local, and fail when none is', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {
        'mixed.test': { addresses: { '192.0.2.7': hang(), '127.0.0.1': hang() } },
        'far.test': { addresses: { '192.0.2.7': hang(), '2001:db8::7': hang() } },
      });
      const { transport } = network;
      expectObservable(listen$(9000, { transport, myaddr: 'mixed.test' }).pipe(map(label))).toBe('l', { l: 'listening 127.0.0.1 9000' });
      expectObservable(listen$(9001, { transport, myaddr: 'far.test' }).pipe(catchError(asValue))).toBe('(e|)', {
        e: 'EADDRNOTAVAIL cannot assign requested address (listen on 192.0.2.7 port 9001)',
      });
      expectObservable(listen$(9002, { transport, myaddr: '192.0.2.7' }).pipe(catchError(asValue))).toBe('(e|)', {
        e: 'EADDRNOTAVAIL cannot assign requested address (listen on 192.0.2.7 port 9002)',
      });
      expectObservable(listen$(9003, { transport, myaddr: 'nowhere.test' }).pipe(catchError(asValue))).toBe('(e|)', {
        e: 'ENOTFOUND Name or service not known (lookup of local address nowhere.test failed)',
      });
    });
  });

  it('should listen on IPv4 alone where the host has no IPv6', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {}, { families: [4] });
      expectObservable(listen$(0, { transport: network.transport }).pipe(map(label))).toBe('l', { l: `listening 0.0.0.0 ${P}` });
      expectObservable(listen$(0, { transport: network.transport, family: 6 }).pipe(catchError(asValue))).toBe('(e|)', {
        e: `EAFNOSUPPORT address family not supported by protocol (listen on :: port 0)`,
      });
    });
  });

  it('should retry port 0 when the port the first family got is taken on the second', () => {
    const scheduler = newScheduler();
    let network!: VirtualNetwork;
    scheduler.run(({ expectObservable }) => {
      network = createVirtualNetwork(scheduler, {});
      // IPv6 port P is taken, IPv4's is free: the first round picks P for IPv4, fails on IPv6, and tries again.
      listen$(P, { transport: network.transport, family: 6 }).subscribe();
      expectObservable(listen$(0, { transport: network.transport }).pipe(map(label)), '1ms ^').toBe('1ms l', {
        l: `listening 0.0.0.0 ${P + 1}, :: ${P + 1}`,
      });
    });
    expect(network.listeners().map((a) => `${a.address} ${a.port}`)).toEqual([`:: ${P}`, `0.0.0.0 ${P + 1}`, `:: ${P + 1}`]);
  });

  it('should give each family its own port 0 after 10 rounds in which the shared port was taken', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      for (let i = 0; i < 10; i++) listen$(P + i, { transport: network.transport, family: 6 }).subscribe();
      expectObservable(listen$(0, { transport: network.transport }).pipe(map(label)), '1ms ^').toBe('1ms l', {
        l: `listening 0.0.0.0 ${P + 10}, :: ${P + 11}`,
      });
    });
  });

  it('should hold connections accepted before every address is bound until after listening', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      // IPv6 takes 5 ms to bind; a client reaches the IPv4 listener at 2 ms.
      const slowSix: Transport = {
        ...network.transport,
        listen: (request, events, done) =>
          network.transport.listen(request, events, (error, server) =>
            request.local.family === 6 ? void scheduler.schedule(() => done(error, server), 5) : done(error, server),
          ),
      };
      scheduler.schedule(() => client$(network.transport, '127.0.0.1', 7000).subscribe(), 2);
      expectObservable(listen$(7000, { transport: slowSix }).pipe(map(label))).toBe('5ms (lc)', {
        l: 'listening 0.0.0.0 7000, :: 7000',
        c: `connection 127.0.0.1 ${P}`,
      });
    });
  });

  it('should take service names as ports', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      expectObservable(listen$('echo', { transport: network.transport, family: 4 }).pipe(map(label))).toBe('l', { l: 'listening 0.0.0.0 7' });
    });
  });

  it('should close listeners still binding when unsubscribed at once', () => {
    const scheduler = newScheduler();
    let network!: VirtualNetwork;
    scheduler.run(() => {
      network = createVirtualNetwork(scheduler, {});
      listen$(0, { transport: network.transport }).subscribe().unsubscribe();
      listen$(0, { transport: network.transport }).pipe(take(1)).subscribe();
    });
    expect(network.listeners()).toEqual([]);
  });

  it('should limit line length on accepted channels (maxLineLength)', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      const lines$ = listen$(0, { transport: network.transport, maxLineLength: 5 }).pipe(
        mergeMap((e) => (e.type === 'connection' ? e.channel.lines$ : EMPTY)),
        catchError((e: LineTooLongError) => of(`${e instanceof LineTooLongError} ${e.code} ${e.maxLineLength}`)),
      );
      scheduler.schedule(
        () =>
          client$(network.transport, '127.0.0.1', P).subscribe((c) => {
            c.writeLine('12345');
            c.write('123456');
          }),
        5,
      );
      expectObservable(lines$).toBe('5ms (ab|)', { a: '12345', b: 'true ERR_LINE_TOO_LONG 5' });
    });
  });

  it('should let a half-open server answer after the client EOF (allowHalfOpen)', () => {
    const scheduler = newScheduler();
    const lateWrites: unknown[] = [];
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      const count = (c: Channel): Observable<number> => c.data$.pipe(reduce((n, b) => n + b.length, 0));
      // Half-open: the server reads to EOF, then answers and closes.
      listen$(1000, { transport: network.transport, allowHalfOpen: true })
        .pipe(mergeMap((e) => (e.type === 'connection' ? count(e.channel).pipe(tap((n) => e.channel.writeLine(`got ${n}`)), tap(() => void e.channel.close())) : EMPTY)))
        .subscribe();
      // Not half-open: the client's EOF ended the server's side too, so the answer cannot be written.
      listen$(1001, { transport: network.transport })
        .pipe(
          mergeMap((e) => (e.type === 'connection' ? count(e.channel).pipe(tap(() => {
            try {
              e.channel.writeLine('too late');
            } catch (error) {
              lateWrites.push(error);
            }
          })) : EMPTY)),
        )
        .subscribe();
      const ask = (port: number): Observable<string> =>
        client$(network.transport, '127.0.0.1', port).pipe(
          switchMap((c) => {
            c.write('hello');
            c.end();
            return c.lines$;
          }),
        );
      expectObservable(ask(1000), '5ms ^').toBe('5ms (a|)', { a: 'got 5' });
      expectObservable(ask(1001), '5ms ^').toBe('5ms |');
    });
    expect(lateWrites).toEqual([new ChannelClosedError('the peer closed the connection')]);
  });

  it('should serve the Tcl man page time server and client in one pipeline', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const network = createVirtualNetwork(scheduler, {});
      const { transport } = network;
      const startTime = scheduler.now();
      const server$ = listen$(9900, { transport }).pipe(
        mergeMap((event) => {
          if (event.type !== 'connection') return EMPTY;
          const now = scheduler.now();
          event.channel.writeLine(new Date(now).toISOString());
          event.channel.writeLine(`${Math.round((now - startTime) / 1000)} since start`);
          return event.channel.close();
        }),
        ignoreElements(),
      );
      const client = connectAsync$('127.0.0.1', 9900, { transport }).pipe(
        connected(),
        switchMap((channel) => channel.lines$),
        take(2),
      );
      expectObservable(server$, '^ 5s !').toBe('');
      expectObservable(client, '3s ^').toBe('3s (ab|)', { a: '1970-01-01T00:00:03.000Z', b: '3 since start' });
    });
  });

  it('should throw at call time for bad input, naming the argument', () => {
    const cases: [() => unknown, new (...args: never[]) => Error, string][] = [
      [() => listen$(-1), ArgumentOutOfRangeError, 'port'],
      [() => listen$(65536), ArgumentOutOfRangeError, 'port'],
      [() => listen$('no-such-service'), InvalidArgumentError, 'port'],
      [() => listen$(null as unknown as number), InvalidArgumentError, 'port'],
      [() => listen$(0, 'x' as never), InvalidArgumentError, 'options'],
      [() => listen$(0, { myaddr: '' }), InvalidArgumentError, 'myaddr'],
      [() => listen$(0, { myaddr: 'bad host!' }), InvalidArgumentError, 'myaddr'],
      [() => listen$(0, { family: 5 as never }), InvalidArgumentError, 'family'],
      [() => listen$(0, { myaddr: '::1', family: 4 }), InvalidArgumentError, 'family'],
      [() => listen$(0, { backlog: -1 }), ArgumentOutOfRangeError, 'backlog'],
      [() => listen$(0, { transport: {} as never }), InvalidArgumentError, 'transport'],
      [() => listen$(0, { lookup: 'dns' as never }), InvalidArgumentError, 'lookup'],
      [() => listen$(0, { encoding: 'utf-16' as never }), InvalidArgumentError, 'encoding'],
      [() => listen$(0, { translation: 'cr' as never }), InvalidArgumentError, 'translation'],
      [() => listen$(0, { maxLineLength: 0 }), ArgumentOutOfRangeError, 'maxLineLength'],
      [() => listen$(0, { allowHalfOpen: 'yes' as never }), InvalidArgumentError, 'allowHalfOpen'],
      [() => listen$(0, { noDelay: 1 as never }), InvalidArgumentError, 'noDelay'],
    ];
    for (const [call, type, argument] of cases) {
      let thrown: unknown;
      try {
        call();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(type);
      expect(thrown).toMatchObject({ argument });
      expect((thrown as Error).message.startsWith(`${argument}: `)).toBe(true);
    }
  });
});
