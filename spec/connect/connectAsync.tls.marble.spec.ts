import { map, takeWhile, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { connectAsync$, connectTimeout, createSnapshot, flushOnConnect, reconnect, snapshot } from '../../src/index.js';
import type { ConnectEvent, ConnectOptions, FailedEvent, SocketSnapshot } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, hang, refuseAfter } from '../../src/testing/index.js';
import type { PeerScript, VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { grammarProblems, label, newScheduler } from '../helpers/events.js';

const H2 = { tls: { ALPNProtocols: ['h2', 'http/1.1'] } } as const;

/** A secure server at 192.0.2.1: TCP accepts at 120 ms, the handshake takes 60 ms. */
function secureHost(peer?: PeerScript): VirtualHosts {
  return { 'tls.test': { addresses: { '192.0.2.1': connectAfter(120, { tls: { handshake: 60, alpn: 'h2' }, peer }) } } };
}

/**
 * Connects in virtual time; `events` collects what came (for the grammar check), `pending` the scheduler's actions
 * still planned at `checkAt` (a timer left behind shows there).
 */
function connectOn(scheduler: TestScheduler, hosts: VirtualHosts, options: ConnectOptions, checkAt?: number) {
  const network = createVirtualNetwork(scheduler, hosts);
  const events: ConnectEvent[] = [];
  const pending: number[] = [];
  if (checkAt !== undefined) scheduler.schedule(() => pending.push(scheduler.actions.length), checkAt);
  const host = Object.keys(hosts)[0] as string;
  const events$ = connectAsync$(host, 443, { transport: network.transport, ...options }).pipe(tap((e) => events.push(e)));
  return { network, events, pending, events$ };
}

function labels(events$: Observable<ConnectEvent>): Observable<string> {
  return events$.pipe(map(label));
}

describe('connectAsync$ with tls, in virtual time', () => {
  let scheduler: TestScheduler;
  let events: ConnectEvent[];
  let network: VirtualNetwork;
  /** The scheduler's actions still planned just after the moment under test, filled during flush. */
  let pending: number[];
  beforeEach(() => {
    scheduler = newScheduler();
    events = [];
  });
  afterEach(() => {
    expect(grammarProblems(events, false)).toEqual([]);
  });

  it('should mark the handshake when TCP wins (120 ms), and connect when it is over (180 ms), with the session', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('10ms a', { a: 'hello' });
      const run = connectOn(scheduler, secureHost(() => server), H2);
      ({ events, network } = run);
      expectObservable(labels(run.events$), '^ 299ms !').toBe('(abx) 115ms c 59ms d', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'connected 0 192.0.2.1 TLSv1.3 h2',
      });
      // The server's side runs once the handshake is over, until the channel goes.
      expectSubscriptions(server.subscriptions).toBe('180ms ^ 119ms !');
    });
    const connected = events.at(-1);
    expect(connected?.type === 'connected' ? connected.tls : undefined).toEqual({
      protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: true,
      cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
    });
    expect(events.map((e) => e.elapsed)).toEqual([0, 0, 0, 120, 180]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should race TCP (a hanging ::1 loses to 127.0.0.1), cancel the loser, then handshake on the winner', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('-');
      const hosts = { 'dual.test': { addresses: { '::1': hang(), '127.0.0.1': connectAfter(20, { tls: { handshake: 40 }, peer: () => server }) } } };
      const run = connectOn(scheduler, hosts, { tls: true });
      ({ events, network } = run);
      expectObservable(labels(run.events$), '^ 399ms !').toBe('(abc) 245ms d 19ms (ef) 36ms g', {
        a: 'resolved 6 ::1', b: 'attempt 0 ::1', c: 'resolved 4 127.0.0.1', d: 'attempt 1 127.0.0.1',
        e: 'attemptCancelled 0 ::1 lost', f: 'handshake 1 127.0.0.1', g: 'connected 1 127.0.0.1 TLSv1.3',
      });
      expectSubscriptions(server.subscriptions).toBe('310ms ^ 89ms !');
    });
    expect(network.sockets.map((s) => [s.remote.address, s.state, s.tls, s.closedAt])).toEqual([
      ['::1', 'cancelled', undefined, 270],
      ['127.0.0.1', 'closed', 'secured', 400],
    ]);
  });

  it('should fail the winner (attemptFailed) then the connect on a failed handshake, trying no other address', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('a', { a: 'never sent' });
      const hosts = {
        'dual.test': {
          addresses: { '::1': refuseAfter(10), '127.0.0.1': connectAfter(20, { tls: { handshake: 40, fail: 'CERT_HAS_EXPIRED' }, peer: () => server }), '127.0.0.2': connectAfter(5) },
        },
      };
      const run = connectOn(scheduler, hosts, { tls: true }, 71);
      ({ events, network } = run);
      expectObservable(labels(run.events$)).toBe('(abc) 5ms (de) 16ms f 39ms (gh|)', {
        a: 'resolved 6 ::1', b: 'attempt 0 ::1', c: 'resolved 4 127.0.0.1,127.0.0.2', d: 'attemptFailed 0 ::1 ECONNREFUSED', e: 'attempt 1 127.0.0.1',
        f: 'handshake 1 127.0.0.1', g: 'attemptFailed 1 127.0.0.1 CERT_HAS_EXPIRED', h: 'failed CERT_HAS_EXPIRED',
      });
      expectSubscriptions(server.subscriptions).toBe([]);
      pending = run.pending;
    });
    expect(pending).toEqual([0]);
    const { error } = events.at(-1) as FailedEvent;
    expect(error.message).toBe('certificate for dual.test has expired (::1 port 443: connection refused after 10 ms; 127.0.0.1 port 443: TLS handshake failed after 60 ms)');
    expect(error.attempts.map((a) => a.code)).toEqual(['ECONNREFUSED', 'CERT_HAS_EXPIRED']);
    expect((error.cause as { code?: string }).code).toBe('CERT_HAS_EXPIRED');
    expect(network.sockets.map((s) => [s.remote.address, s.tls])).toEqual([['::1', undefined], ['127.0.0.1', 'failed']]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should fail a handshake with a plain-TCP server at once, saying the peer does not speak TLS', () => {
    scheduler.run(({ expectObservable }) => {
      const run = connectOn(scheduler, { 'plain.test': { addresses: { '192.0.2.1': connectAfter(30) } } }, { tls: true });
      ({ events, network } = run);
      expectObservable(labels(run.events$)).toBe('(abx) 25ms (cde|)', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'attemptFailed 0 192.0.2.1 ERR_SSL_WRONG_VERSION_NUMBER', e: 'failed ERR_SSL_WRONG_VERSION_NUMBER',
      });
    });
    expect((events.at(-1) as FailedEvent).error.message).toBe('TLS handshake failed: the peer does not speak TLS (192.0.2.1 port 443: TLS handshake failed after 30 ms)');
  });

  it('should destroy the socket when unsubscribed during the handshake, emit nothing after, and leave no timer', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('a', { a: 'never sent' });
      const run = connectOn(scheduler, secureHost(() => server), H2, 151);
      ({ events, network } = run);
      expectObservable(labels(run.events$), '^ 149ms !').toBe('(abx) 115ms c', { a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1' });
      expectSubscriptions(server.subscriptions).toBe([]);
      pending = run.pending;
    });
    expect(pending).toEqual([0]);
    expect(network.sockets.map((s) => [s.state, s.tls, s.closedAt])).toEqual([['closed', 'cancelled', 150]]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should time out in the handshake with connectTimeout: the winner cancelled (timeout), then failed ETIMEDOUT', () => {
    let failed: FailedEvent | undefined;
    scheduler.run(({ expectObservable }) => {
      const hosts = { 'stall.test': { addresses: { '192.0.2.1': connectAfter(120, { tls: { hang: true } }) } } };
      const run = connectOn(scheduler, hosts, { tls: true }, 151);
      ({ events, network } = run);
      const timed$ = run.events$.pipe(connectTimeout(150), tap((e) => e.type === 'failed' && (failed = e)));
      expectObservable(labels(timed$)).toBe('(abx) 115ms c 29ms (de|)', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'attemptCancelled 0 192.0.2.1 timeout', e: 'failed ETIMEDOUT',
      });
      pending = run.pending;
    });
    expect(pending).toEqual([0]);
    // The operator's own events follow the source's (collected before it).
    expect((events.at(-1) as ConnectEvent).type).toBe('handshake');
    // TCP had connected: the error says the handshake stalled, as a handshake's failure.
    expect(failed?.error.handshake).toBe(true);
    expect(failed?.error.message).toBe('connection timed out during the TLS handshake (192.0.2.1 port 443: TLS handshake failed after 150 ms)');
    expect(failed?.error.attempts.map((a) => [a.code, a.handshake])).toEqual([['ETIMEDOUT', true]]);
    expect(network.sockets.map((s) => [s.state, s.closedAt])).toEqual([['closed', 150]]);
  });

  it('should fail with ABORT_ERR when the signal is aborted during the handshake: attemptFailed for the winner, then failed', () => {
    const controller = new AbortController();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('a', { a: 'never sent' });
      const run = connectOn(scheduler, secureHost(() => server), { ...H2, signal: controller.signal }, 151);
      ({ events, network } = run);
      scheduler.schedule(() => controller.abort(), 150);
      expectObservable(labels(run.events$)).toBe('(abx) 115ms c 29ms (de|)', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'attemptFailed 0 192.0.2.1 ABORT_ERR', e: 'failed ABORT_ERR',
      });
      expectSubscriptions(server.subscriptions).toBe([]);
      pending = run.pending;
    });
    expect(pending).toEqual([0]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should keep the snapshot connecting, with the winner in flight, until connected', () => {
    const subject = createSnapshot();
    const seen: string[] = [];
    const fmt = (s: SocketSnapshot): string => `${s.connecting ? 'C' : '-'} [${s.inFlight.map((a) => a.address).join(',')}] ${s.peername === null ? 'null' : s.peername.address}`;
    scheduler.run(({ expectObservable }) => {
      const hosts = { 'dual.test': { addresses: { '::1': hang(), '127.0.0.1': connectAfter(20, { tls: { handshake: 40 } }) } } };
      const run = connectOn(scheduler, hosts, { tls: true });
      ({ events, network } = run);
      subject.subscribe((s) => seen.push(`${scheduler.now()} ${fmt(s)}`));
      // The snapshot as each event passes.
      const states = run.events$.pipe(snapshot(subject), map((e) => `${e.type} ${fmt(subject.value)}`));
      expectObservable(states, '^ 399ms !').toBe('(abc) 245ms d 19ms (ef) 36ms g', {
        a: 'resolved C [] null', b: 'attempt C [::1] null', c: 'resolved C [::1] null', d: 'attempt C [::1,127.0.0.1] null',
        e: 'attemptCancelled C [127.0.0.1] null', f: 'handshake C [127.0.0.1] null', g: 'connected - [] 127.0.0.1',
      });
    });
    expect(seen).toEqual(['0 - [] null', '0 C [] null', '0 C [::1] null', '250 C [::1,127.0.0.1] null', '270 C [127.0.0.1] null', '310 - [] 127.0.0.1']);
  });

  it('should write nothing before connected with flushOnConnect: the server gets the queued values after the handshake', () => {
    const received: string[] = [];
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const outgoing = hot<string>('10ms a 149ms b 39ms c', { a: 'A', b: 'B', c: 'C' });
      const peer: PeerScript = (fromClient) => fromClient.pipe(tap((bytes) => received.push(`${scheduler.now()} ${new TextDecoder().decode(bytes)}`)), map(() => ''));
      const run = connectOn(scheduler, secureHost(peer), H2);
      ({ events, network } = run);
      expectObservable(labels(run.events$.pipe(flushOnConnect(outgoing))), '^ 299ms !').toBe('(abx) 115ms c 59ms d', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'connected 0 192.0.2.1 TLSv1.3 h2',
      });
      expectSubscriptions(outgoing.subscriptions).toBe('^ 299ms !');
    });
    expect(received).toEqual(['180 A', '180 B', '200 C']);
  });

  it('should handshake after a sequential connect\'s TCP win, with the failed attempt kept in order', () => {
    scheduler.run(({ expectObservable }) => {
      const hosts = { 'dual.test': { addresses: { '::1': refuseAfter(10), '127.0.0.1': connectAfter(20, { tls: { handshake: 40, alpn: 'h2' } }) } } };
      const run = connectOn(scheduler, hosts, { ...H2, strategy: 'sequential' });
      ({ events, network } = run);
      expectObservable(labels(run.events$), '^ 99ms !').toBe('(ab) 6ms (cd) 16ms e 39ms f', {
        a: 'resolved 0 ::1,127.0.0.1', b: 'attempt 0 ::1', c: 'attemptFailed 0 ::1 ECONNREFUSED', d: 'attempt 1 127.0.0.1',
        e: 'handshake 1 127.0.0.1', f: 'connected 1 127.0.0.1 TLSv1.3 h2',
      });
    });
    expect(network.openSockets()).toEqual([]);
  });

  it('should end the handshake when the subscriber leaves on the handshake event, leaving nothing open or planned', () => {
    scheduler.run(({ expectObservable }) => {
      const run = connectOn(scheduler, secureHost(), H2, 121);
      ({ events, network } = run);
      expectObservable(labels(run.events$.pipe(takeWhile((e) => e.type !== 'handshake', true)))).toBe('(abx) 115ms (c|)', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1',
      });
      pending = run.pending;
    });
    expect(pending).toEqual([0]);
    expect(network.sockets.map((s) => [s.state, s.closedAt])).toEqual([['closed', 120]]);
  });

  it('should fail the winner when the signal is aborted from the handshake event\'s handler', () => {
    const controller = new AbortController();
    const seen: string[] = [];
    scheduler.run(() => {
      const run = connectOn(scheduler, secureHost(), { ...H2, signal: controller.signal }, 121);
      ({ events, network } = run);
      run.events$.subscribe({
        next: (e) => {
          seen.push(`${scheduler.now()} ${label(e)}`);
          if (e.type === 'handshake') controller.abort();
        },
        complete: () => seen.push(`${scheduler.now()} complete`),
      });
      pending = run.pending;
    });
    expect(seen.slice(3)).toEqual(['120 handshake 0 192.0.2.1', '120 attemptFailed 0 192.0.2.1 ABORT_ERR', '120 failed ABORT_ERR', '120 complete']);
    expect(pending).toEqual([0]);
    expect(network.openSockets()).toEqual([]);
  });

  it('should let connectTimeout win when it falls in the instant the handshake ends (its timer is older)', () => {
    scheduler.run(({ expectObservable }) => {
      const run = connectOn(scheduler, secureHost(), H2);
      ({ events, network } = run);
      expectObservable(labels(run.events$.pipe(connectTimeout(180)))).toBe('(abx) 115ms c 59ms (de|)', {
        a: 'resolved 6', b: 'resolved 4 192.0.2.1', x: 'attempt 0 192.0.2.1', c: 'handshake 0 192.0.2.1', d: 'attemptCancelled 0 192.0.2.1 timeout', e: 'failed ETIMEDOUT',
      });
    });
    expect(network.openSockets()).toEqual([]);
  });

  it.each([
    ['a server that closes mid-handshake', { fail: 'ECONNRESET' }, {}, 'failed ECONNRESET', 'connection reset by peer during the TLS handshake'],
    ['a self-signed certificate', { authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, {}, 'failed DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate for tls.test is self-signed'],
    ['no ALPN protocol in common', { alpn: 'h2' }, { ALPNProtocols: ['http/1.1'] }, 'failed ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'TLS handshake failed: the server accepts none of the ALPN protocols offered'],
    ['a self-signed certificate accepted', { authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, { rejectUnauthorized: false }, 'connected 0 192.0.2.1 TLSv1.3', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ] as const)('should report %s as Node would, with rxconnect\'s text', (_, script, tls, last, text) => {
    scheduler.run(() => {
      const hosts = { 'tls.test': { addresses: { '192.0.2.1': connectAfter(120, { tls: { handshake: 60, ...script } }) } } };
      const run = connectOn(scheduler, hosts, { tls });
      ({ events, network } = run);
      run.events$.subscribe();
      scheduler.schedule(() => events.at(-1)?.type === 'connected' && void (events.at(-1) as { channel: { close(): Promise<unknown> } }).channel.close(), 200);
    });
    const end = events.find((e) => e.type === 'connected' || e.type === 'failed') as ConnectEvent;
    expect(`${end.elapsed} ${label(end)}`).toBe(`180 ${last}`);
    if (end.type === 'failed') expect(end.error.message.startsWith(`${text} (192.0.2.1 port 443`)).toBe(true);
    if (end.type === 'connected') expect(end.tls).toEqual(expect.objectContaining({ authorized: false, authorizationError: text }));
    expect(network.openSockets()).toEqual([]);
  });

  it('should retry a failed handshake with reconnect, each round with its own handshake, attemptFailed and failed', () => {
    const seen: string[] = [];
    scheduler.run(() => {
      const hosts = { 'tls.test': { addresses: { '192.0.2.1': connectAfter(10, { tls: { handshake: 20, fail: 'ECONNRESET' } }) } } };
      const run = connectOn(scheduler, hosts, { tls: true });
      ({ events, network } = run);
      run.events$.pipe(reconnect({ initialDelay: 100, jitter: 0, maxRetries: 1 })).subscribe({
        next: (e) => seen.push(`${scheduler.now()} ${e.round} ${label(e)}`),
        complete: () => seen.push(`${scheduler.now()} complete`),
      });
    });
    expect(seen.filter((t) => !t.includes('resolved'))).toEqual([
      '0 0 attempt 0 192.0.2.1',
      '10 0 handshake 0 192.0.2.1',
      '30 0 attemptFailed 0 192.0.2.1 ECONNRESET',
      '30 0 failed ECONNRESET',
      '130 1 attempt 0 192.0.2.1',
      '140 1 handshake 0 192.0.2.1',
      '160 1 attemptFailed 0 192.0.2.1 ECONNRESET',
      '160 1 failed ECONNRESET',
      '160 complete',
    ]);
    // One round's events at a time obey the grammar.
    const rounds = [events.slice(0, events.findIndex((e) => e.type === 'failed') + 1), events.slice(events.findIndex((e) => e.type === 'failed') + 1)];
    for (const round of rounds) expect(grammarProblems(round, true)).toEqual([]);
    events = [];
    expect(network.openSockets()).toEqual([]);
  });
});
