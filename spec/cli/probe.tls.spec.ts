import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/cli.js';
import type { JsonReport } from '../../src/cli/report.js';
import type { ConnectEvent } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { grammarProblems } from '../helpers/events.js';
import { loopbackFixtures } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';
import { fakeIo } from './support.js';
import { tlsFiles } from './tlsFiles.js';
import type { TlsFiles } from './tlsFiles.js';

describe('rxconnect probe --tls (in-process, against Node\'s TLS server on loopback)', () => {
  const certs = testCertificates();
  let files: TlsFiles;
  const net = loopbackFixtures({ afterStop: () => files.remove() });
  beforeEach(() => {
    files = tlsFiles();
  });

  it('connects with ALPN h2 and prints the handshake bar, protocol, ALPN, cipher and the certificate', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, ALPNProtocols: ['h2', 'http/1.1'] }));
    const f = fakeIo({ columns: 80 });
    expect(await runCli(['probe', '--tls', '--alpn', 'h2', '--ca', files.ca, '--family', '4', `localhost:${server.port}`], f.io)).toBe(0);
    const out = f.stdout.text();
    expect(out).toContain(`localhost:${server.port}  happy-eyeballs, attempt delay 250 ms, IPv4 only, TLS, ALPN h2`);
    expect(out).toMatch(/#0 127\.0\.0\.1 +├?─*● +\d+ ms → \d+ ms {2}TCP connected\n/);
    expect(out).toMatch(/\n {5}TLS handshake +╞?═*● +\d+ ms → \d+ ms {2}TLS connected\n/);
    expect(out).toMatch(new RegExp(`✔ connected to 127\\.0\\.0\\.1 port ${server.port} in \\d+ ms \\(TLS handshake \\d+ ms\\)\\n`));
    expect(out).toContain('\n    protocol  TLSv1.3\n    ALPN      h2\n    cipher    TLS_');
    expect(out).toContain('\n    verified  yes\n    subject   localhost\n    issuer    rxconnect test CA\n    expires   ');
    expect(out).toMatch(/expires {3}\w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT\n$/);
    // At 80 columns every line fits.
    expect(Math.max(...out.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(f.stderr.text()).toBe('');
  });

  it('refuses a self-signed certificate with the readable message and exit 1, and accepts it with --insecure', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.selfSigned }));
    const f = fakeIo();
    expect(await runCli(['probe', '--tls', '--family', '4', `localhost:${server.port}`], f.io)).toBe(1);
    const out = f.stdout.text();
    expect(out).toMatch(/TLS handshake +╞?═*✗ +\d+ ms → \d+ ms {2}certificate for localhost is self-signed\n/);
    expect(out).toMatch(
      new RegExp(`✘ failed after \\d+ ms: DEPTH_ZERO_SELF_SIGNED_CERT certificate for localhost is self-signed \\(127\\.0\\.0\\.1 port ${server.port}: TLS handshake failed after \\d+ ms\\)\\n$`),
    );

    const g = fakeIo();
    expect(await runCli(['probe', '--tls', '--insecure', '--family', '4', `localhost:${server.port}`], g.io)).toBe(0);
    expect(g.stdout.text()).toContain('TLS, insecure');
    expect(g.stdout.text()).toContain('    verified  no: DEPTH_ZERO_SELF_SIGNED_CERT (accepted: --insecure)\n');
    expect(g.stdout.text()).toContain('    issuer    localhost\n');
  });

  it('checks the certificate against --servername, not the target, when given', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.wrongName }));
    const f = fakeIo();
    expect(await runCli(['probe', '--tls', '--ca', files.ca, '--servername', 'other.example', `127.0.0.1:${server.port}`], f.io)).toBe(0);
    expect(f.stdout.text()).toContain('    subject   other.example\n');
    const g = fakeIo();
    expect(await runCli(['probe', '--tls', '--ca', files.ca, `127.0.0.1:${server.port}`], g.io)).toBe(1);
    expect(g.stdout.text()).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('--json: connected keeps its tls and gains the certificate; a failed handshake has its code and message', async () => {
    const good = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, ALPNProtocols: ['h2'] }));
    const self = await net.server('127.0.0.1', tlsPeer({ identity: certs.selfSigned }));
    const f = fakeIo();
    expect(await runCli(['probe', '--json', '--tls', '--alpn', 'h2,http/1.1', '--ca', files.ca, `127.0.0.1:${good.port}`, `127.0.0.1:${self.port}`], f.io)).toBe(1);
    const [up, down] = (JSON.parse(f.stdout.text()) as JsonReport).targets;
    expect(up!.events.map((e) => e.type)).toEqual(['resolved', 'attempt', 'handshake', 'connected', 'closed']);
    const connected = up!.events.find((e) => e.type === 'connected');
    expect(connected).toMatchObject({
      tls: { protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: true, cipher: { name: expect.stringMatching(/^TLS_/) as unknown } },
      certificate: {
        subject: { CN: 'localhost', O: 'rxconnect tests' },
        issuer: { CN: 'rxconnect test CA' },
        subjectaltname: expect.stringContaining('DNS:localhost') as unknown,
        valid_to: expect.stringMatching(/ GMT$/) as unknown,
        fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/) as unknown,
      },
    });
    expect(connected).not.toHaveProperty('certificate.raw');
    expect(down).toMatchObject({ outcome: 'failed', error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(down!.error!.message).toMatch(/^certificate for 127\.0\.0\.1 is self-signed \(127\.0\.0\.1 port \d+: TLS handshake failed after \d+ ms\)$/);
    for (const t of [up!, down!]) expect(grammarProblems(t.events as unknown as ConnectEvent[], true)).toEqual([]);
  });

  it('draws a handshake that never ends as cancelled at --timeout, after TCP connected', async () => {
    // The server accepts TCP and never answers the ClientHello.
    const server = await net.server('127.0.0.1', () => undefined);
    const f = fakeIo();
    expect(await runCli(['probe', '--tls', '--timeout', '300', `127.0.0.1:${server.port}`], f.io)).toBe(1);
    const out = f.stdout.text();
    expect(out).toMatch(/#0 127\.0\.0\.1 +├?─*● +\d+ ms → \d+ ms {2}TCP connected\n/);
    expect(out).toMatch(/TLS handshake +╞?═*○ +\d+ ms → \d+ ms {2}cancelled: timed out\n/);
    expect(out).toMatch(/✘ failed after \d+ ms: ETIMEDOUT connection timed out during the TLS handshake \(/);
  });

  it.each([
    [['--alpn', 'h2'], /^rxconnect probe: option '--alpn <list>' needs --tls$/],
    [['--servername', 'example.com'], /^rxconnect probe: option '--servername <name>' needs --tls$/],
    [['--insecure'], /^rxconnect probe: option '--insecure' needs --tls$/],
    [['--ca', 'ca.pem'], /^rxconnect probe: option '--ca <file>' needs --tls$/],
    [['--tls', '--alpn', 'h2,,http/1.1'], /^rxconnect probe: option '--alpn <list>' argument 'h2,,http\/1\.1' is invalid\. expected protocol names separated by commas/],
    [['--tls', '--ca', '/nonexistent/ca.pem'], /^rxconnect probe: --ca: cannot read \/nonexistent\/ca\.pem: no such file$/],
    [['--tls', '--ca', '-'], /^rxconnect probe: --ca: give a file; standard input is not read for keys and certificates$/],
    [['--tls', '--servername', '127.0.0.1'], /^rxconnect probe: 127\.0\.0\.1:1: --servername: must be a host name, not an IP address/],
  ])('exits 2 with one line for %j', async (args, message) => {
    const f = fakeIo();
    expect(await runCli(['probe', ...args, '127.0.0.1:1'], f.io)).toBe(2);
    expect(f.stderr.text().trimEnd().split('\n')).toHaveLength(1);
    expect(f.stderr.text().trimEnd()).toMatch(message);
    expect(f.stdout.text()).toBe('');
  });

  it('exits 2 naming --ca when the file is a directory, not PEM, holds a key, or a certificate that does not parse', async () => {
    const damaged = join(files.dir, 'damaged.pem');
    writeFileSync(damaged, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    for (const [file, why] of [
      [files.dir, 'is a directory'],
      [files.notPem, 'is not a PEM file'],
      [files.key, 'key.pem holds no certificate, only PEM blocks of PRIVATE KEY'],
      [damaged, 'damaged.pem holds no certificate that parses ('],
    ] as const) {
      const f = fakeIo();
      expect(await runCli(['probe', '--tls', '--ca', file, '127.0.0.1:1'], f.io)).toBe(2);
      expect(f.stderr.text()).toContain(`rxconnect probe: --ca: `);
      expect(f.stderr.text()).toContain(why);
    }
  });
});
