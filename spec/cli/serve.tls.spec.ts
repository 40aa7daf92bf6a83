import { EMPTY, NEVER, of } from 'rxjs';
import { runCli } from '../../src/cli/cli.js';
import { describeTlsClient, server$ } from '../../src/cli/serve.js';
import { ConnectError } from '../../src/index.js';
import type { Channel, ServerEvent, TlsCertificate, TlsInfo } from '../../src/index.js';
import { settledTcpHandles } from '../helpers/loopback.js';
import { fakeIo } from './support.js';
import { tlsFiles } from './tlsFiles.js';
import type { TlsFiles } from './tlsFiles.js';

describe("serve's log lines for TLS", () => {
  const tls: TlsInfo = { protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: true, cipher: { name: 'TLS_AES_128_GCM_SHA256', standardName: 'TLS_AES_128_GCM_SHA256', version: 'TLSv1.3' } };
  const channelWith = (certificate: Partial<TlsCertificate> | null): Channel =>
    ({ tls: { ...tls, peerCertificate: () => certificate }, data$: EMPTY, drain$: NEVER, close: () => Promise.resolve() }) as unknown as Channel;

  it('print a dropped client as one line with the code and the readable message', () => {
    const error = new ConnectError({ code: 'ERR_SSL_HTTP_REQUEST', address: '127.0.0.1', port: 5555, handshake: true, text: 'the client spoke HTTP, not TLS', duration: 2 });
    const lines: string[] = [];
    server$(of<ServerEvent>({ type: 'handshakeFailed', error, clientAddress: '127.0.0.1', clientPort: 5555 }), 'echo', (line) => lines.push(line)).subscribe();
    expect(lines).toEqual([`127.0.0.1:5555 dropped: ERR_SSL_HTTP_REQUEST ${error.message}`]);
  });

  it('describe a TLS client by protocol, ALPN and its certificate, escaping what the client sent', () => {
    expect(describeTlsClient(undefined, channelWith(null))).toBe('');
    expect(describeTlsClient(tls, channelWith(null))).toBe(' (TLSv1.3, ALPN h2)');
    expect(describeTlsClient({ ...tls, alpnProtocol: null, authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, channelWith({ subject: { CN: 'me' } }))).toBe(
      ' (TLSv1.3, client certificate me (not verified: UNABLE_TO_VERIFY_LEAF_SIGNATURE))',
    );
    const lines: string[] = [];
    const channel = channelWith({ subject: { CN: 'evil\u001b[2J\r' } });
    server$(of<ServerEvent>({ type: 'connection', channel, clientAddress: '127.0.0.1', clientPort: 5555, tls }), 'echo', (line) => lines.push(line)).subscribe();
    expect(lines[0]).toBe('127.0.0.1:5555 connected (TLSv1.3, ALPN h2, client certificate evil\\x1b[2J\\x0d (verified))');
  });
});

describe('rxconnect serve --tls: usage errors', () => {
  let files: TlsFiles;
  beforeEach(() => {
    files = tlsFiles();
  });
  afterEach(async () => {
    files.remove();
    expect(await settledTcpHandles()).toBe(0);
  });

  it.each([
    [['--tls', '--key', '/nonexistent/key.pem', '--cert', 'CERT'], /^rxconnect serve: --key: cannot read \/nonexistent\/key\.pem: no such file$/],
    [['--tls', '--key', 'KEY', '--cert', '/nonexistent/cert.pem'], /^rxconnect serve: --cert: cannot read \/nonexistent\/cert\.pem: no such file$/],
    [['--tls', '--key', 'NOTPEM', '--cert', 'CERT'], /^rxconnect serve: --key: .*not\.pem is not a PEM file/],
    [['--tls', '--key', 'CERT', '--cert', 'CERT'], /^rxconnect serve: --key: .*cert\.pem holds no private key that can be read/],
    [['--tls', '--key', 'KEY', '--cert', 'KEY'], /^rxconnect serve: --cert: .*key\.pem holds no certificate that can be read$/],
    [['--tls', '--key', 'KEY', '--cert', 'CA'], /^rxconnect serve: --cert: the certificate in .*ca\.pem is not for the key in .*key\.pem$/],
    [['--tls', '--cert', 'CERT'], /^rxconnect serve: option '--tls' needs --key <file>/],
    [['--tls', '--key', 'KEY'], /^rxconnect serve: option '--tls' needs --cert <file>/],
    [['--key', 'KEY', '--cert', 'CERT'], /^rxconnect serve: option '--key <file>' needs --tls$/],
    [['--request-cert'], /^rxconnect serve: option '--request-cert' needs --tls$/],
    [['--alpn', 'h2'], /^rxconnect serve: option '--alpn <list>' needs --tls$/],
    [['--tls', '--key', 'KEY', '--cert', 'CERT', '--ca', 'CA'], /^rxconnect serve: option '--ca <file>' needs --request-cert/],
    [['--tls', '--key', 'KEY', '--cert', 'CERT', '--request-cert', '--ca', '/nonexistent/ca.pem'], /^rxconnect serve: --ca: cannot read/],
  ])('exits 2 with one line naming the option for %j, and listens nowhere', async (args, message) => {
    const named: Record<string, string> = { KEY: files.key, CERT: files.cert, CA: files.ca, NOTPEM: files.notPem };
    const f = fakeIo();
    expect(await runCli(['serve', '0', '--myaddr', '127.0.0.1', ...args.map((a) => named[a] ?? a)], f.io)).toBe(2);
    expect(f.stderr.text().trimEnd().split('\n')).toHaveLength(1);
    expect(f.stderr.text().trimEnd()).toMatch(message);
    expect(f.stderr.text()).not.toMatch(/\n\s+at /);
    expect(f.stdout.text()).toBe('');
    expect(f.listeners()).toBe(0);
  });
});
