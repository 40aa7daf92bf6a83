import { map, of, switchMap, take } from 'rxjs';
import type { Observable } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { FailedEvent } from '../../src/index.js';
import type { TlsSession } from '../../src/core/tls.js';
import type { SocketEvents, TlsRequest, TransportSocket } from '../../src/transport/Transport.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import type { TlsScript, VirtualNetwork } from '../../src/testing/index.js';
import { label, newScheduler } from '../helpers/events.js';
import { runVirtual } from '../helpers/virtual.js';

const REMOTE = { address: '192.0.2.1', family: 4 as const, port: 443 };
const CLIENT: TlsRequest = { side: 'client', options: {} };

/** Dials 192.0.2.1 scripted with `tls` and starts a handshake once connected; returns the log of what the transport said. */
function handshakeWith(tls: TlsScript | undefined, request: TlsRequest = CLIENT, destroyAt?: number): { log: string[]; open: number; actions: number; record: string | undefined } {
  const scheduler = newScheduler();
  const log: string[] = [];
  let open = -1;
  let actions = -1;
  let record: string | undefined;
  scheduler.run(() => {
    const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, tls === undefined ? undefined : { tls }) } } });
    const { transport } = network;
    const events: SocketEvents = {
      ...NO_EVENTS,
      connect: () => {
        log.push(`${scheduler.now()} connect`);
        transport.startTls?.(socket, request, (error: (Error & { code?: string; reason?: string }) | null, session) => {
          const e = error;
          log.push(e === null ? `${scheduler.now()} secured ${session?.protocol} ${session?.alpnProtocol} ${session?.authorized}` : `${scheduler.now()} failed ${e.code}: ${e.reason}`);
        });
      },
      error: (e) => log.push(`${scheduler.now()} error ${(e as { code?: string }).code}`),
      close: () => log.push(`${scheduler.now()} close`),
    };
    const socket: TransportSocket = transport.dial({ remote: REMOTE }, events);
    if (destroyAt !== undefined) scheduler.schedule(() => socket.destroy(), destroyAt);
    scheduler.flush();
    open = network.openSockets().length;
    actions = scheduler.actions.length;
    record = network.sockets[0]?.tls;
  });
  return { log, open, actions, record };
}

describe('the virtual network\'s TLS', () => {
  it('should finish a scripted handshake after its duration, with the script\'s session', () => {
    expect(handshakeWith({ handshake: 30 }).log).toEqual(['10 connect', '40 secured TLSv1.3 null true']);
  });

  it('should fail with the script\'s code, as Node\'s error (code and reason), then close the socket', () => {
    const { log, open, record } = handshakeWith({ handshake: 30, fail: 'CERT_HAS_EXPIRED' });
    expect(log).toEqual(['10 connect', '40 failed CERT_HAS_EXPIRED: certificate has expired', '40 close']);
    expect([open, record]).toEqual([0, 'failed']);
  });

  it('should fail at once against a plain-TCP address, as a plain server answering a ClientHello', () => {
    expect(handshakeWith(undefined).log).toEqual(['10 connect', '10 failed ERR_SSL_WRONG_VERSION_NUMBER: wrong version number', '10 close']);
  });

  it('should never answer a hanging server, and leave nothing behind once destroyed', () => {
    const { log, open, actions } = handshakeWith({ hang: true }, CLIENT, 500);
    expect(log).toEqual(['10 connect', '500 close']);
    expect([open, actions]).toEqual([0, 0]);
  });

  it('should not call done after the owner\'s destroy during the handshake, and cancel its timer', () => {
    const { log, open, actions, record } = handshakeWith({ handshake: 100 }, CLIENT, 50);
    expect(log).toEqual(['10 connect', '50 close']);
    expect([open, actions, record]).toEqual([0, 0, 'cancelled']);
  });

  it('should fail a server-side handshake against a scripted server (two servers)', () => {
    expect(handshakeWith({ handshake: 5 }, { side: 'server', options: {} }).log).toEqual(['10 connect', '10 failed ERR_SSL_UNEXPECTED_MESSAGE: unexpected message', '10 close']);
  });

  it.each([
    ['ALPN offered and picked', { alpn: 'h2' }, { ALPNProtocols: ['http/1.1', 'h2'] }, '20 secured TLSv1.3 h2 true'],
    ['ALPN picked, none offered', { alpn: 'h2' }, {}, '20 secured TLSv1.3 null true'],
    ['ALPN not offered', { alpn: 'h2' }, { ALPNProtocols: ['http/1.1'] }, '20 failed ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: tlsv1 alert no application protocol'],
    ['version below the client\'s minimum', { protocol: 'TLSv1.1' }, {}, '20 failed ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: tlsv1 alert protocol version'],
    ['version allowed', { protocol: 'TLSv1.2' }, { maxVersion: 'TLSv1.2' }, '20 secured TLSv1.2 null true'],
    ['self-signed, rejected', { authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, {}, '20 failed DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'],
    ['self-signed, accepted', { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, { rejectUnauthorized: false }, '20 secured TLSv1.3 null false'],
  ] as const)('should meet the client\'s options as a real server: %s', (_, script, options, expected) => {
    // A failed handshake closes the socket in the same instant.
    const closes = expected.includes('failed') ? ['20 close'] : [];
    expect(handshakeWith({ handshake: 10, ...script }, { side: 'client', options }).log).toEqual(['10 connect', expected, ...closes]);
  });

  it('should start the peer script once the handshake has succeeded, and carry plaintext both ways', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const peer = (fromClient: Observable<Uint8Array>): Observable<string> => {
        seen.push(`peer started at ${scheduler.now()}`);
        return fromClient.pipe(map((b) => `echo ${new TextDecoder().decode(b)}`));
      };
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, { tls: { handshake: 20 }, peer }) } } });
      connectAsync$('h.test', 443, { transport: network.transport, tls: true })
        .pipe(connected())
        .subscribe((channel) => {
          channel.write('hi');
          channel.data$.pipe(take(1)).subscribe((b) => {
            seen.push(`${new TextDecoder().decode(b)} at ${scheduler.now()} over ${channel.tls?.protocol}`);
            void channel.close();
          });
        });
      scheduler.flush();
      expect(network.sockets[0]?.sentText()).toBe('hi');
      expect(network.openSockets()).toEqual([]);
    });
    expect(seen).toEqual(['peer started at 30', 'echo hi at 30 over TLSv1.3']);
  });

  it('should run a marble server only once the handshake is over, and give the client its lines over TLS', () => {
    const scheduler = newScheduler();
    let network!: VirtualNetwork;
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const server = cold<string>('5ms a 5ms |', { a: '220 ready\r\n' });
      network = createVirtualNetwork(scheduler, { 'mail.test': { addresses: { '192.0.2.25': connectAfter(10, { tls: { handshake: 30 }, peer: () => server }) } } });
      const lines$ = connectAsync$('mail.test', 465, { transport: network.transport, tls: true }).pipe(
        connected(),
        switchMap((channel) => channel.lines$.pipe(map((line) => `${line} ${channel.tls?.protocol}`))),
      );
      expectObservable(lines$).toBe('45ms a 5ms |', { a: '220 ready TLSv1.3' });
      // Subscribed when the handshake is over (40 ms), ended by its own completion.
      expectSubscriptions(server.subscriptions).toBe('40ms ^ 10ms !');
    });
    expect(network.sockets.map((s) => [s.state, s.tls])).toEqual([['closed', 'secured']]);
  });

  it('should reset a client that sends plaintext to a TLS address before any handshake', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, { tls: {}, peer: () => of('never') }) } } });
      connectAsync$('h.test', 443, { transport: network.transport })
        .pipe(connected())
        .subscribe((channel) => {
          channel.write('GET / HTTP/1.1\r\n\r\n');
          channel.closed$.subscribe(({ error }) => log.push(`closed ${(error as { code?: string } | undefined)?.code} at ${scheduler.now()}`));
        });
    });
    expect(log).toEqual(['closed ECONNRESET at 10']);
  });

  it('should fail a name mismatch as Node does, with the certificate, and call the client\'s checkServerIdentity', () => {
    const certificate = {
      subject: { CN: 'other.test' }, issuer: { CN: 'Test CA' }, subjectaltname: 'DNS:other.test', valid_from: 'Dec  1 00:00:00 2026 GMT',
      valid_to: 'Dec  1 00:00:00 2027 GMT', fingerprint256: 'AB:CD', serialNumber: '01', raw: new Uint8Array([1]),
    };
    const mismatch = runVirtual('h.test', { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, { tls: { handshake: 5, fail: 'ERR_TLS_CERT_ALTNAME_INVALID', certificate } }) } } }, { tls: true });
    const error = (mismatch.events.at(-1) as FailedEvent).error;
    expect([error.code, error.message]).toEqual(['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate for h.test does not match: it names DNS:other.test (192.0.2.1 port 80: TLS handshake failed after 15 ms)']);
    expect((error.cause as { reason?: string }).reason).toBe('Host: h.test. is not in the cert\'s altnames: DNS:other.test');
    const checked: string[] = [];
    const checkServerIdentity = (host: string, cert: { subject: { CN?: unknown } }): Error | undefined => {
      checked.push(`${host} ${String(cert.subject.CN)}`);
      return Object.assign(new Error('no'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    };
    const run = runVirtual('h.test', { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, { tls: { handshake: 5, certificate } }) } } }, { tls: { checkServerIdentity } });
    expect(checked).toEqual(['h.test other.test']);
    expect((run.events.at(-1) as FailedEvent).error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const session = handshakeWith({ certificate }).log;
    expect(session).toEqual(['10 connect', '10 secured TLSv1.3 null true']);
  });

  it('should hand the script\'s certificate, cipher and authorization error to the session', () => {
    const scheduler = newScheduler();
    let session: TlsSession | undefined;
    const certificate = {
      subject: { CN: 'h.test' }, issuer: { CN: 'h.test' }, valid_from: 'a', valid_to: 'b', fingerprint256: 'AB', serialNumber: '02', raw: new Uint8Array([2]),
    };
    const cipher = { name: 'TLS_CHACHA20_POLY1305_SHA256', standardName: 'TLS_CHACHA20_POLY1305_SHA256', version: 'TLSv1.3' };
    scheduler.run(() => {
      const tls = { authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', cipher, certificate };
      const network = createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': connectAfter(10, { tls }) } } });
      connectAsync$('h.test', 443, { transport: network.transport, tls: { rejectUnauthorized: false } })
        .pipe(connected())
        .subscribe((channel) => (session = channel.tls ?? undefined));
    });
    expect(session?.authorized).toBe(false);
    expect(session?.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(session?.cipher).toEqual(cipher);
    expect(session?.peerCertificate()).toBe(certificate);
  });

  it('should handshake a client with a virtual listener\'s socket, both ends finishing when the later starts', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    scheduler.run(() => {
      const { transport } = createVirtualNetwork(scheduler, {});
      const server = (options: object): TlsRequest => ({ side: 'server', options });
      const tell = (who: string) => (error: Error | null, session?: TlsSession): void => {
        log.push(error === null ? `${scheduler.now()} ${who} ${session?.protocol} ${session?.alpnProtocol} ${session?.authorized}` : `${scheduler.now()} ${who} ${(error as { code?: string }).code}`);
      };
      let requests: [TlsRequest, TlsRequest][] = [
        [{ side: 'client', options: { ALPNProtocols: ['http/1.1', 'h2'] } }, server({ ALPNProtocols: ['h2', 'http/1.1'] })],
        [{ side: 'client', options: { ALPNProtocols: ['h2'] } }, server({ ALPNProtocols: ['http/1.1'] })],
        [{ side: 'client', options: { maxVersion: 'TLSv1.2' } }, server({ requestCert: true, rejectUnauthorized: false })],
        [{ side: 'client', options: {} }, server({ requestCert: true })],
      ];
      transport.listen({ local: { address: '127.0.0.1', family: 4, port: 443 } }, {
        connection: (accepted) => {
          const [client, request] = requests[0] as [TlsRequest, TlsRequest];
          requests = requests.slice(1);
          // The client starts at once, the server 5 ms later.
          scheduler.schedule(() => transport.startTls?.(accepted, request, tell('server')), 5);
          const socket = dialed.at(-1) as TransportSocket;
          transport.startTls?.(socket, client, tell('client'));
        },
        error: () => {},
      }, () => {});
      const dialed: TransportSocket[] = [];
      for (const at of [10, 20, 30, 40]) scheduler.schedule(() => dialed.push(transport.dial({ remote: { address: '127.0.0.1', family: 4, port: 443 } }, NO_EVENTS)), at);
    });
    expect(log).toEqual([
      '15 client TLSv1.3 h2 true',
      '15 server TLSv1.3 h2 false',
      '25 client ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
      '25 server ERR_SSL_NO_APPLICATION_PROTOCOL',
      '35 client TLSv1.2 null true',
      '35 server TLSv1.2 null false',
      '45 client ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      '45 server ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
    ]);
  });

  it('should connect connectAsync$ with tls to a listener that secures its sockets, bytes flowing both ways after', () => {
    const scheduler = newScheduler();
    const seen: string[] = [];
    scheduler.run(() => {
      const network = createVirtualNetwork(scheduler, {});
      const { transport } = network;
      transport.listen({ local: { address: '127.0.0.1', family: 4, port: 443 } }, {
        connection: (accepted) => {
          transport.startTls?.(accepted, { side: 'server', options: { ALPNProtocols: ['h2'] } }, (error) => {
            seen.push(`${scheduler.now()} server ${error === null ? accepted.tls?.alpnProtocol : 'failed'}`);
            // An echo server over the session.
            accepted.events = { ...NO_EVENTS, data: (chunk) => accepted.write(chunk) };
            accepted.resume();
          });
        },
        error: () => {},
      }, () => {});
      connectAsync$('127.0.0.1', 443, { transport, tls: { ALPNProtocols: ['h2', 'http/1.1'] } }).subscribe((e) => {
        seen.push(`${scheduler.now()} ${label(e)}`);
        if (e.type !== 'connected') return;
        e.channel.lines$.pipe(take(1)).subscribe((line) => {
          seen.push(`${scheduler.now()} ${line}`);
          void e.channel.close();
        });
        e.channel.writeLine('ping');
      });
    });
    expect(seen.slice(2)).toEqual(['0 handshake 0 127.0.0.1', '0 connected 0 127.0.0.1 TLSv1.3 h2', '0 server h2', '0 ping', '0 closed']);
  });

  it('should fail a handshake whose far end sends plaintext or closes', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    scheduler.run(() => {
      const { transport } = createVirtualNetwork(scheduler, {});
      let n = 0;
      transport.listen({ local: { address: '127.0.0.1', family: 4, port: 443 } }, {
        connection: (accepted) => {
          // A plain server, 3 ms after accepting: the first client is greeted, the second hung up on.
          if (n++ === 0) scheduler.schedule(() => accepted.write(new TextEncoder().encode('220 hello\r\n')), 3);
          else scheduler.schedule(() => accepted.destroy(), 3);
        },
        error: () => {},
      }, () => {});
      for (const at of [10, 20]) {
        scheduler.schedule(() => {
          const socket = transport.dial({ remote: { address: '127.0.0.1', family: 4, port: 443 } }, {
            ...NO_EVENTS,
            connect: () => transport.startTls?.(socket, CLIENT, (error) => log.push(`${scheduler.now()} ${(error as { code?: string } | null)?.code}`)),
            error: (e) => log.push(`error ${e.message}`),
          });
        }, at);
      }
    });
    expect(log).toEqual(['13 ERR_SSL_WRONG_VERSION_NUMBER', '23 ECONNRESET']);
  });

  it.each([
    ['an unknown key', { handshake: 5, alpnProtocols: ['h2'] }, 'options.tls.alpnProtocols'],
    ['a negative duration', { handshake: -1 }, 'options.tls.handshake'],
    ['hang with a failure', { hang: true, fail: 'ECONNRESET' }, 'options.tls.hang'],
    ['unauthorized without a reason', { authorized: false }, 'options.tls.authorizationError'],
    ['authorized with a reason', { authorized: true, authorizationError: 'CERT_HAS_EXPIRED' }, 'options.tls.authorizationError'],
    ['an unknown version', { protocol: 'TLSv1.4' }, 'options.tls.protocol'],
    ['an empty ALPN protocol', { alpn: '' }, 'options.tls.alpn'],
    ['a cipher without its names', { cipher: { name: 'x' } }, 'options.tls.cipher.standardName'],
    ['a certificate without raw bytes', { certificate: { subject: {}, issuer: {}, valid_from: 'a', valid_to: 'b', fingerprint256: 'c', serialNumber: 'd' } }, 'options.tls.certificate.raw'],
  ])('should reject a TLS script with %s, naming it', (_, tls, argument) => {
    expect(() => connectAfter(10, { tls } as never)).toThrow(expect.objectContaining({ argument }) as Error);
  });

  it('should reject unknown options of connectAfter and check scripts given to the network', () => {
    expect(() => connectAfter(10, { tsl: {} } as never)).toThrow(expect.objectContaining({ argument: 'options.tsl' }) as Error);
    expect(() => connectAfter(10, 'peer' as never)).toThrow(expect.objectContaining({ argument: 'peer' }) as Error);
    const scheduler = newScheduler();
    const script = { outcome: 'connect', after: 1, tls: { handshake: 'soon' } } as never;
    expect(() => createVirtualNetwork(scheduler, { 'h.test': { addresses: { '192.0.2.1': script } } })).toThrow(
      expect.objectContaining({ argument: 'hosts["h.test"].addresses["192.0.2.1"].tls.handshake' }) as Error,
    );
  });
});
