import { catchError, filter, map, of, reduce, share, shareReplay, switchMap, take, toArray } from 'rxjs';
import type { Observable } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel, ConnectEvent, ConnectOptions } from '../../src/index.js';
import { ChannelClosedError } from '../../src/errors/ChannelClosedError.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import type { PeerScript, VirtualNetwork } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

const SERVER = '192.0.2.1';

/** A virtual network where SERVER accepts after 10 ms and runs `peer`. */
function serverNetwork(scheduler: ReturnType<typeof newScheduler>, peer?: PeerScript): VirtualNetwork {
  return createVirtualNetwork(scheduler, { 'srv.test': { addresses: { [SERVER]: connectAfter(10, peer) } } });
}

function channel$(network: VirtualNetwork, options: ConnectOptions = {}): Observable<Channel> {
  return connectAsync$(SERVER, 80, { transport: network.transport, ...options }).pipe(connected());
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const latin1 = (chunk: Uint8Array): string => Buffer.from(chunk).toString('latin1');
/** Errors as marble values: `code message`. */
const asValue = (e: { code?: string; message: string }): Observable<string> => of(`${e.code ?? ''} ${e.message}`);

describe('Channel in virtual time', () => {
  describe('lines$', () => {
    it('should split auto line ends (\\n, \\r\\n, \\r), with \\r\\n split across chunks, and emit the last line at EOF', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a---b---c-------d---|', { a: 'one\r', b: '\ntwo\rthr', c: 'ee\n\n', d: 'four' });
        const network = serverNetwork(scheduler, () => peer);
        const lines$ = channel$(network).pipe(switchMap((c) => c.lines$));
        // A \r ends its line at once (no wait for the next chunk); the \n that follows it is swallowed.
        expectObservable(lines$).toBe('11ms a---b---(cd) 8ms (e|)', { a: 'one', b: 'two', c: 'three', d: '', e: 'four' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 20ms !');
      });
    });

    it.each([
      ['lf', ['a\r\nb', '\rc\n', 'd'], ['a\r', 'b\rc', 'd']],
      ['binary', ['a\r\nb', '\rc\n', 'd'], ['a\r', 'b\rc', 'd']],
      ['crlf', ['x\ny\r', '\nz\r', '\r\n\r'], ['x\ny', 'z\r', '\r']],
      ['crlf', ['lone\r', 'cr\r\n'], ['lone\rcr']],
      ['auto', ['a\r', '\r\n', '\n', 'b\r\n\r', '\n'], ['a', '', '', 'b', '']],
    ] as const)('should split per translation %s across chunks %j', (translation, chunks, lines) => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const values = Object.fromEntries(chunks.map((c, i) => [String.fromCharCode(97 + i), c]));
        const peerMarbles = `-${Object.keys(values).join('-')}|`;
        const peer = cold(peerMarbles, values);
        const network = serverNetwork(scheduler, () => peer);
        const lines$ = channel$(network, { translation }).pipe(switchMap((c) => c.lines$.pipe(toArray())));
        const end = 10 + peerMarbles.length - 1;
        expectObservable(lines$).toBe(`${end}ms (a|)`, { a: lines });
        expectSubscriptions(peer.subscriptions).toBe(`10ms ^ ${end - 11}ms !`);
      });
    });

    it('should decode a UTF-8 character split across chunks', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        // "hé😀\n" with é (c3 a9) and 😀 (f0 9f 98 80) cut in the middle; then a truncated é at EOF.
        const peer = cold('-a-b-c-d|', { a: bytes(0x68, 0xc3), b: bytes(0xa9, 0xf0, 0x9f), c: bytes(0x98, 0x80, 0x0a), d: bytes(0x78, 0xc3) });
        const network = serverNetwork(scheduler, () => peer);
        expectObservable(channel$(network).pipe(switchMap((c) => c.lines$))).toBe('15ms a--(b|)', { a: 'hé😀', b: 'x\ufffd' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 7ms !');
      });
    });

    it.each(['latin1', 'iso8859-1', 'binary', 'ascii'] as const)('should decode %s byte by byte, and encode writes with it', (encoding) => {
      const scheduler = newScheduler();
      let network!: VirtualNetwork;
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a|', { a: bytes(0x63, 0x61, 0x66, 0xe9, 0x80, 0xff, 0x0d, 0x0a) });
        network = serverNetwork(scheduler, () => peer);
        const lines$ = channel$(network, { encoding }).pipe(
          switchMap((c) => {
            c.writeLine('café');
            return c.lines$;
          }),
        );
        expectObservable(lines$).toBe('11ms a|', { a: 'café\u0080ÿ' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 1ms !');
      });
      // Tcl's ascii sends ? for what it cannot encode.
      const sent = encoding === 'ascii' ? [0x63, 0x61, 0x66, 0x3f, 0x0d, 0x0a] : [0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a];
      expect([...Buffer.concat(network.sockets[0]!.sent)]).toEqual(sent);
    });

    it('should keep lines not taken for the next lines$ subscriber', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a|', { a: 'l1\nl2\nl3' });
        const network = serverNetwork(scheduler, () => peer);
        const ch$ = channel$(network).pipe(shareReplay(1));
        expectObservable(ch$.pipe(take(1), switchMap((c) => c.lines$.pipe(take(1))))).toBe('11ms (a|)', { a: 'l1' });
        expectObservable(ch$.pipe(take(1), switchMap((c) => c.lines$)), '20ms ^').toBe('20ms (bc|)', { b: 'l2', c: 'l3' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 1ms !');
      });
    });
  });

  describe('data$', () => {
    it('should keep the socket paused until the first subscriber, and lose nothing', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a-b|', { a: 'early ', b: 'bird' });
        const network = serverNetwork(scheduler, () => peer);
        const ch$ = channel$(network).pipe(shareReplay(1));
        ch$.subscribe();
        // The peer sent everything and closed by 14; the client reads it all when it subscribes at 30.
        expectObservable(ch$.pipe(take(1), switchMap((c) => c.data$.pipe(map(latin1)))), '30ms ^').toBe('30ms (ab|)', { a: 'early ', b: 'bird' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 3ms !');
      });
    });

    it('should share chunks: a late subscriber gets what comes after it subscribed', () => {
      const scheduler = newScheduler();
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a---b---|', { a: 'first', b: 'second' });
        const network = serverNetwork(scheduler, () => peer);
        const ch$ = channel$(network).pipe(shareReplay(1));
        const data$ = ch$.pipe(take(1), switchMap((c) => c.data$.pipe(map(latin1))));
        expectObservable(data$).toBe('11ms a---b---|', { a: 'first', b: 'second' });
        expectObservable(data$, '13ms ^').toBe('15ms b---|', { b: 'second' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 8ms !');
      });
    });

    it('should report a peer reset on data$, closed$, the snapshot and the connect stream', () => {
      const scheduler = newScheduler();
      let channel!: Channel;
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a--#', { a: 'partial' });
        const network = serverNetwork(scheduler, () => peer);
        const events$ = connectAsync$(SERVER, 80, { transport: network.transport }).pipe(share());
        const isConnected = (e: ConnectEvent): e is Extract<ConnectEvent, { type: 'connected' }> => e.type === 'connected';
        const data$ = events$.pipe(
          filter(isConnected),
          switchMap((e) => {
            channel = e.channel;
            return e.channel.data$;
          }),
          map(latin1),
          catchError(asValue),
        );
        const closedEvent$ = events$.pipe(
          filter((e) => e.type === 'closed'),
          map((e) => (e.type === 'closed' ? (e.error as { code?: string } | undefined)?.code : '')),
        );
        const channelClosed$ = events$.pipe(
          filter(isConnected),
          switchMap((e) => e.channel.closed$),
          map((c) => (c.error as { code?: string } | undefined)?.code),
        );
        expectObservable(data$).toBe('11ms a--(e|)', { a: 'partial', e: 'ECONNRESET connection reset by peer' });
        expectObservable(closedEvent$).toBe('14ms (c|)', { c: 'ECONNRESET' });
        expectObservable(channelClosed$).toBe('14ms (c|)', { c: 'ECONNRESET' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 3ms !');
      });
      expect(channel.snapshot.value.error).toBe('connection reset by peer');
      expect(channel.closed).toBe(true);
      expect(() => channel.write('late')).toThrow(ChannelClosedError);
    });
  });

  describe('writing and ending', () => {
    it('should record writes; writeLine ends lines per translation', () => {
      const scheduler = newScheduler();
      let network!: VirtualNetwork;
      scheduler.run(({ expectObservable }) => {
        network = serverNetwork(scheduler, (fromClient) => fromClient);
        const echoed$ = channel$(network, { translation: 'lf' }).pipe(
          switchMap((c) => {
            c.write('raw ');
            c.write(bytes(0x62, 0x79, 0x74, 0x65, 0x73, 0x20));
            c.writeLine('line');
            return c.lines$.pipe(take(1));
          }),
        );
        // The connect stream stays open while the channel lives.
        expectObservable(echoed$).toBe('10ms a', { a: 'raw bytes line' });
      });
      expect(network.sockets[0]!.sentText()).toBe('raw bytes line\n');
    });

    it('should half-close with end(): the peer sees EOF and its answer is still read', () => {
      const scheduler = newScheduler();
      let channel!: Channel;
      let network!: VirtualNetwork;
      scheduler.run(({ expectObservable }) => {
        // A server that answers only after EOF: it counts the bytes it got.
        network = serverNetwork(scheduler, (fromClient) => fromClient.pipe(reduce((n, c) => n + c.length, 0), map((n) => `got ${n}\n`)));
        const answer$ = channel$(network).pipe(
          switchMap((c) => {
            channel = c;
            c.write('abc');
            c.writeLine('de');
            c.end();
            return c.lines$;
          }),
        );
        expectObservable(answer$).toBe('10ms (a|)', { a: 'got 7' });
      });
      expect(() => channel.write('more')).toThrow(ChannelClosedError);
      expect(() => channel.writeLine('more')).toThrow(/ended with end\(\)|closed/);
      expect(channel.closed).toBe(true);
      expect(network.openSockets()).toEqual([]);
    });

    it('should refuse writes after the peer EOF (not half-open) with ChannelClosedError', () => {
      const scheduler = newScheduler();
      let error: unknown;
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const peer = cold('-a|', { a: 'bye\n' });
        const network = serverNetwork(scheduler, () => peer);
        const lines$ = channel$(network).pipe(
          switchMap((c) =>
            c.lines$.pipe(
              toArray(),
              map((lines) => {
                try {
                  c.writeLine('too late');
                } catch (e) {
                  error = e;
                }
                return lines.join();
              }),
            ),
          ),
        );
        expectObservable(lines$).toBe('12ms (a|)', { a: 'bye' });
        expectSubscriptions(peer.subscriptions).toBe('10ms ^ 1ms !');
      });
      expect(error).toBeInstanceOf(ChannelClosedError);
      expect((error as ChannelClosedError).code).toBe('ERR_CHANNEL_CLOSED');
      expect((error as Error).message).toBe('the peer closed the connection');
    });

    it('should flush on close(), then close; closed$ emits once; writes after close throw', async () => {
      const scheduler = newScheduler();
      let channel!: Channel;
      let closing!: Promise<void>;
      let network!: VirtualNetwork;
      const closes: unknown[] = [];
      scheduler.run(() => {
        network = serverNetwork(scheduler);
        channel$(network).subscribe((c) => {
          channel = c;
          c.closed$.subscribe((v) => closes.push(v));
          c.writeLine('bye');
          closing = c.close();
        });
      });
      await expect(closing).resolves.toBeUndefined();
      expect(channel.close()).toBe(closing);
      expect(closes).toEqual([{}]);
      expect(network.sockets[0]!.sentText()).toBe('bye\r\n');
      expect(network.sockets[0]!.closedAt).toBe(10);
      expect(() => channel.write('x')).toThrow(new ChannelClosedError('channel was closed with close()'));
      // Late subscribers of closed$ still get it.
      const late: unknown[] = [];
      channel.closed$.subscribe((v) => late.push(v));
      expect(late).toEqual([{}]);
    });
  });
});
