import { connect as netConnect } from 'node:net';
import { firstValueFrom, switchMap, take } from 'rxjs';
import { runCli } from '../../src/cli/cli.js';
import { connect, connectAsync$, connected } from '../../src/index.js';
import type { TlsOptions } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { settledTcpHandles } from '../helpers/loopback.js';
import { fakeIo, startServe, until } from './support.js';
import type { RunningServe } from './support.js';
import { tlsFiles } from './tlsFiles.js';
import type { TlsFiles } from './tlsFiles.js';

/** The servers a test started, stopped (Ctrl-C) after it even when it failed. */
let running: RunningServe[] = [];

/** Connects with TLS, sends a line and returns the line echoed. */
function echoOnce(port: number, tls: TlsOptions, line: string): Promise<string> {
  return firstValueFrom(
    connectAsync$('127.0.0.1', port, { tls }).pipe(
      connected(),
      switchMap((channel) => {
        channel.writeLine(line);
        return channel.lines$.pipe(take(1));
      }),
    ),
  );
}

describe('rxconnect serve --tls with TLS clients (in-process, loopback)', () => {
  const certs = testCertificates();
  let files: TlsFiles;
  beforeEach(() => {
    files = tlsFiles();
  });
  afterEach(async () => {
    files.remove();
    for (const server of running) server.f.interrupt();
    await Promise.all(running.map((server) => server.exit));
    running = [];
    expect(await settledTcpHandles()).toBe(0);
  });

  it('echoes over TLS with the ALPN it was given, logs each client with what TLS agreed on, and drops a plain-TCP client', async () => {
    const { f, port, exit } = await startServe(['0', '--myaddr', '127.0.0.1', '--tls', '--key', files.key, '--cert', files.cert, '--alpn', 'h2,http/1.1'], running);
    expect(f.stdout.text()).toContain('echo server over TLS; Ctrl-C stops');
    expect(await echoOnce(port, { ca: certs.ca, ALPNProtocols: ['h2'] }, 'hello over TLS')).toBe('hello over TLS');
    await until(() => /closed \(16 bytes echoed\)/.test(f.stdout.text()), 2000, 'the close to be printed');
    expect(f.stdout.text()).toMatch(/127\.0\.0\.1:\d+ connected \(TLSv1\.3, ALPN h2\)\n/);

    // A client that speaks plain TCP (an HTTP request) fails its handshake: one log line, the server goes on.
    const plain = netConnect({ host: '127.0.0.1', port });
    plain.on('error', () => undefined);
    plain.end('GET / HTTP/1.0\r\n\r\n');
    await until(() => / dropped: /.test(f.stdout.text()), 2000, 'the dropped client to be printed');
    const dropped = f.stdout.text().split('\n').filter((l) => l.includes(' dropped: '));
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatch(/^\d\d:\d\d:\d\d {2}127\.0\.0\.1:\d+ dropped: [A-Z_]+ \S/);
    plain.destroy();
    expect(await echoOnce(port, { ca: certs.ca }, 'still here')).toBe('still here');

    f.interrupt();
    expect(await exit).toBe(0);
    expect(f.stderr.text()).toBe('');
  });

  it('serves the probe: probe --tls --ca against serve --tls connects and prints the certificate', async () => {
    const { f, port, exit } = await startServe(['0', '--myaddr', '127.0.0.1', '--tls', '--key', files.key, '--cert', files.cert, '--alpn', 'h2'], running);
    const probe = fakeIo();
    expect(await runCli(['probe', '--tls', '--ca', files.ca, '--alpn', 'h2,http/1.1', `localhost:${port}`, '--family', '4'], probe.io)).toBe(0);
    expect(probe.stdout.text()).toContain('    ALPN      h2\n');
    expect(probe.stdout.text()).toContain('    subject   localhost\n');
    f.interrupt();
    expect(await exit).toBe(0);
  });

  it('with --request-cert and --ca: a client with a certificate from the CA is logged by name, one without is dropped', async () => {
    const { f, port, exit } = await startServe(['0', '--myaddr', '127.0.0.1', '--tls', '--key', files.key, '--cert', files.cert, '--request-cert', '--ca', files.ca], running);
    expect(await echoOnce(port, { ca: certs.ca, key: certs.client.key, cert: certs.client.cert }, 'me')).toBe('me');
    await until(() => / connected \(/.test(f.stdout.text()), 2000, 'the client to be printed');
    expect(f.stdout.text()).toMatch(/127\.0\.0\.1:\d+ connected \(TLSv1\.3, client certificate rxconnect test client \(verified\)\)\n/);

    // In TLS 1.3 the client finishes its side of the handshake first; the server then drops it.
    const anonymous = await connect('127.0.0.1', port, { tls: { ca: certs.ca } });
    await firstValueFrom(anonymous.closed$);
    await until(() => / dropped: /.test(f.stdout.text()), 2000, 'the client without a certificate to be dropped');
    expect(f.stdout.text()).toMatch(/127\.0\.0\.1:\d+ dropped: ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE .*the client sent no certificate/);
    f.interrupt();
    expect(await exit).toBe(0);
  });
});
