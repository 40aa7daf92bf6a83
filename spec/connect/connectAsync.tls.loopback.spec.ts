import { firstValueFrom, lastValueFrom, tap, toArray } from 'rxjs';
import { connect, connectAsync$, ConnectError } from '../../src/index.js';
import type { ConnectEvent, ConnectEventOf } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { grammarProblems, label, settle } from '../helpers/events.js';
import { DUAL, fixedLookup, loopbackFixtures } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';

function failedOf(events: readonly ConnectEvent[]): ConnectError {
  const last = events.at(-1);
  if (last?.type !== 'failed') throw new Error(`not failed: ${last?.type}`);
  return last.error;
}

describe('connectAsync$ with tls on loopback', () => {
  const net = loopbackFixtures();
  const certs = testCertificates();

  it('should race TCP, then run the handshake on the winner, and connect with what it agreed on', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, ALPNProtocols: ['h2', 'http/1.1'] }));
    const events = await settle(connectAsync$('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca, ALPNProtocols: ['h2'] } }));
    expect(events.map(label)).toEqual(['resolved 6', 'resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'handshake 0 127.0.0.1', 'connected 0 127.0.0.1 TLSv1.3 h2']);
    const connected = events.at(-1) as ConnectEventOf<'connected'>;
    expect(connected.tls).toStrictEqual({ protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: true, cipher: connected.channel.tls?.cipher });
    expect(connected.tls?.cipher.name).toMatch(/^TLS_/);
    expect(connected.channel.tls?.peerCertificate()?.subject).toEqual(expect.objectContaining({ CN: 'localhost' }));
    // The session logs and serialises as what it agreed on, without the socket behind it.
    expect(JSON.parse(JSON.stringify(connected.channel.tls))).toEqual(connected.tls);
  });

  it('should carry bytes and lines both ways over TLS, and half-close with reading going on', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, onSecure: (socket) => {
      let got = '';
      socket.setEncoding('utf8');
      socket.on('data', (text: string) => (got += text));
      // After the client's half-close the server still answers, then ends.
      socket.on('end', () => socket.end(`got ${got.length}: ${got.slice(0, 5)}\nbye\n`));
    } }));
    const channel = await connect('127.0.0.1', server.port, { tls: { ca: certs.ca } });
    expect(channel.tls?.protocol).toBe('TLSv1.3');
    const lines = lastValueFrom(channel.lines$.pipe(toArray()));
    channel.write('hello');
    channel.write(new Uint8Array(200_000).fill(97));
    channel.end();
    expect(await lines).toEqual(['got 200005: hello', 'bye']);
    await firstValueFrom(channel.closed$);
  });

  it('should fail a self-signed certificate with a readable error, and accept it with rejectUnauthorized: false', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.selfSigned }));
    const events = await settle(connectAsync$('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: true }));
    expect(events.map(label).slice(-3)).toEqual(['handshake 0 127.0.0.1', 'attemptFailed 0 127.0.0.1 DEPTH_ZERO_SELF_SIGNED_CERT', 'failed DEPTH_ZERO_SELF_SIGNED_CERT']);
    const error = failedOf(events);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.handshake).toBe(true);
    expect(error.message).toMatch(new RegExp(`^certificate for localhost is self-signed \\(127\\.0\\.0\\.1 port ${server.port}: TLS handshake failed after \\d+ ms\\)$`));
    expect((error.cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const accepted = await settle(connectAsync$('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { rejectUnauthorized: false } }));
    const connected = accepted.at(-1) as ConnectEventOf<'connected'>;
    expect(connected.tls).toEqual(expect.objectContaining({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' }));
  });

  it('should fail a certificate for another name, and an expired one', async () => {
    const wrong = await net.server('127.0.0.1', tlsPeer({ identity: certs.wrongName }));
    const wrongEvents = await settle(connectAsync$('localhost', wrong.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca } }));
    expect(failedOf(wrongEvents).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(failedOf(wrongEvents).message).toMatch(/^certificate for localhost does not match: it names DNS:other\.example \(/);
    // The name checked is the servername given, not the host dialed.
    const named = await settle(connectAsync$('127.0.0.1', wrong.port, { tls: { ca: certs.ca, servername: 'secure.example' } }));
    expect(failedOf(named).message).toMatch(/^certificate for secure\.example does not match: it names DNS:other\.example \(127\.0\.0\.1 port/);
    const expired = await net.server('127.0.0.1', tlsPeer({ identity: certs.expired }));
    const expiredEvents = await settle(connectAsync$('localhost', expired.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca } }));
    expect(failedOf(expiredEvents).code).toBe('CERT_HAS_EXPIRED');
    expect(failedOf(expiredEvents).message).toMatch(/^certificate for localhost has expired \(/);
  });

  it('should not try other addresses once a handshake has started', async () => {
    const server = await net.server('127.0.0.1', (raw) => raw.once('data', () => raw.resetAndDestroy()));
    const lookup = fixedLookup([{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }]);
    const events = await settle(connectAsync$('localhost', server.port, { lookup, family: 4, tls: { ca: certs.ca } }));
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1,127.0.0.2', 'attempt 0 127.0.0.1', 'handshake 0 127.0.0.1', 'attemptFailed 0 127.0.0.1 ECONNRESET', 'failed ECONNRESET']);
    expect(failedOf(events).message).toMatch(/^connection reset by peer during the TLS handshake \(/);
  });

  it('should use the dual-stack fallback before the handshake', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const events = await settle(connectAsync$('localhost', server.port, { lookup: fixedLookup(DUAL), tls: { ca: certs.ca } }));
    expect(events.map(label).slice(-2)).toEqual(['handshake 1 127.0.0.1', 'connected 1 127.0.0.1 TLSv1.3']);
  });

  it('should race a black-holed ::1 against 127.0.0.1, then shake hands with the winner only', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    await net.blackhole(6, server.port);
    const events = await settle(connectAsync$('localhost', server.port, { lookup: fixedLookup(DUAL), attemptDelay: 100, tls: { ca: certs.ca } }));
    expect(events.filter((e) => e.type !== 'resolved').map(label)).toEqual([
      'attempt 0 ::1',
      'attempt 1 127.0.0.1',
      'attemptCancelled 0 ::1 lost',
      'handshake 1 127.0.0.1',
      'connected 1 127.0.0.1 TLSv1.3',
    ]);
  });

  it('should time out a server that accepts TCP and never answers the ClientHello, leaving nothing open', async () => {
    const server = await net.server('127.0.0.1', () => undefined);
    const started = Date.now();
    const error = await connect('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), timeout: 300, tls: { ca: certs.ca } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe('ETIMEDOUT');
    expect((error as ConnectError).handshake).toBe(true);
    expect((error as ConnectError).message).toMatch(/^connection timed out during the TLS handshake \(127\.0\.0\.1 port \d+: TLS handshake failed after \d+ ms\)$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.clients).toHaveLength(1);
  });

  it('should destroy the socket when unsubscribed during the handshake', async () => {
    const server = await net.server('127.0.0.1', () => undefined);
    const events: ConnectEvent[] = [];
    await new Promise<void>((resolve) => {
      const sub = connectAsync$('127.0.0.1', server.port, { tls: { ca: certs.ca } }).subscribe((e) => {
        events.push(e);
        if (e.type === 'handshake') {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'handshake 0 127.0.0.1']);
  });

  it('should fail the handshaking attempt with ABORT_ERR when the signal is aborted during the handshake', async () => {
    const server = await net.server('127.0.0.1', () => undefined);
    const controller = new AbortController();
    const events: ConnectEvent[] = [];
    await lastValueFrom(
      connectAsync$('127.0.0.1', server.port, { tls: { ca: certs.ca }, signal: controller.signal }).pipe(
        tap((e) => {
          events.push(e);
          if (e.type === 'handshake') setTimeout(() => controller.abort(new Error('shutting down')), 20);
        }),
      ),
    );
    expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'handshake 0 127.0.0.1', 'attemptFailed 0 127.0.0.1 ABORT_ERR', 'failed ABORT_ERR']);
    expect(grammarProblems(events, true)).toEqual([]);
    expect(failedOf(events).message).toMatch(/^operation aborted \(127\.0\.0\.1 port \d+: operation aborted after \d+ ms\)$/);
  });

  it('should present a client certificate to a server that asks for one', async () => {
    const server = await net.server(
      '127.0.0.1',
      tlsPeer({
        identity: certs.server,
        ca: certs.ca,
        requestCert: true,
        // Node's own check of client certificates is tls.Server's; the CN shows the certificate arrived.
        onSecure: (socket) => socket.end(`client ${String(socket.getPeerCertificate().subject?.CN)}\n`),
      }),
    );
    const channel = await connect('127.0.0.1', server.port, { tls: { ca: certs.ca, key: certs.client.key, cert: certs.client.cert } });
    expect(await lastValueFrom(channel.lines$)).toBe('client rxconnect test client');
    await channel.close();
  });

  it('should throw at call time for key material that does not parse, naming the option', () => {
    expect(() => connectAsync$('127.0.0.1', 443, { tls: { ca: certs.ca, cert: 'not a certificate', key: 'not a key' } })).toThrow(
      /^tls\.cert: is not a PEM certificate \(no start line\)$/,
    );
  });

  it('should fail the connect, not throw from a socket event, when the key material stops parsing after the call', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const cert = [certs.client.cert];
    const events$ = connectAsync$('127.0.0.1', server.port, { tls: { ca: certs.ca, cert, key: certs.client.key } });
    // Changed in place after the call: the handshake makes a new context from it, and that fails.
    cert[0] = 'not a certificate';
    const events = await settle(events$);
    expect(events.map(label).slice(-3)).toEqual(['handshake 0 127.0.0.1', expect.stringMatching(/^attemptFailed 0 127\.0\.0\.1 \S+$/), expect.stringMatching(/^failed \S+$/)]);
    const error = failedOf(events);
    expect(error.handshake).toBe(true);
    expect(error.message).toMatch(new RegExp(`^TLS handshake failed: .+ \\(127\\.0\\.0\\.1 port ${server.port}`));
    expect(error.code).toBe((error.cause as { code?: string }).code);
    expect(error.code).toMatch(/^ERR_OSSL_/);
  });

  it('should not reuse a SecureContext made from a ca list that was changed in place since', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const ca = [certs.ca];
    const trusted = await settle(connectAsync$('127.0.0.1', server.port, { tls: { ca } }));
    expect(trusted.at(-1)?.type).toBe('connected');
    // The CA that signed the server's certificate is no longer trusted.
    ca[0] = certs.selfSigned.cert;
    const events = await settle(connectAsync$('127.0.0.1', server.port, { tls: { ca } }));
    expect(events.map(label).at(-1)).toBe('failed UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // The same connect subscribed again (a reconnect's next round) passes the same options: they are checked too.
    ca[0] = certs.ca;
    const again$ = connectAsync$('127.0.0.1', server.port, { tls: { ca } });
    expect((await settle(again$)).at(-1)?.type).toBe('connected');
    ca[0] = certs.selfSigned.cert;
    expect((await settle(again$)).map(label).at(-1)).toBe('failed UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('should fail the handshake with what a checkServerIdentity throws, as the virtual network does', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const thrown = Object.assign(new Error('pinned key does not match'), { code: 'ERR_PINNED_KEY' });
    const events = await settle(connectAsync$('127.0.0.1', server.port, { tls: { ca: certs.ca, checkServerIdentity: () => { throw thrown; } } }));
    expect(events.map(label).slice(-2)).toEqual(['attemptFailed 0 127.0.0.1 ERR_PINNED_KEY', 'failed ERR_PINNED_KEY']);
    expect(failedOf(events).cause).toBe(thrown);
    expect(failedOf(events).message).toMatch(/^TLS handshake failed: pinned key does not match \(127\.0\.0\.1 port \d+: /);
  });

  it('should still describe the session once the channel has closed', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const channel = await connect('localhost', server.port, { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca } });
    const session = channel.tls;
    const open = { protocol: session?.protocol, cipher: session?.cipher, subject: session?.peerCertificate()?.subject };
    await channel.close();
    expect({ protocol: session?.protocol, cipher: session?.cipher, subject: session?.peerCertificate()?.subject }).toEqual(open);
  });

  // Node falls back to checking the certificate against 'localhost' when it has neither servername nor host: a
  // certificate for localhost was then good for any IP address.
  it('should check the certificate of an IP literal against that address, with no SNI', async () => {
    const seen: string[] = [];
    const server = await net.server('::1', tlsPeer({ identity: certs.server, onSecure: (socket) => socket.end(`${String(socket.servername)}\n`) }));
    const channel = await connect('::1', server.port, { tls: { ca: certs.ca, checkServerIdentity: (host) => void seen.push(host) } });
    expect(await lastValueFrom(channel.lines$)).toBe('false');
    expect(seen).toEqual(['::1']);
    await channel.close();
    const named = await net.server('127.0.0.1', tlsPeer({ identity: certs.localhostOnly }));
    const events = await settle(connectAsync$('127.0.0.1', named.port, { tls: { ca: certs.ca } }));
    expect(events.map(label).at(-1)).toBe('failed ERR_TLS_CERT_ALTNAME_INVALID');
    expect(failedOf(events).message).toMatch(/^certificate for 127\.0\.0\.1 does not match: it names DNS:localhost \(/);
  });
});
