import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { runCli } from '../../src/cli/cli.js';
import type { JsonReport } from '../../src/cli/report.js';
import { testCertificates } from '../helpers/certs.js';
import type { KeyAndCert } from '../helpers/certs.js';
import { refusedPort, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { ANSI, fakeIo, until } from './support.js';
import { tlsFiles } from './tlsFiles.js';
import type { TlsFiles } from './tlsFiles.js';

describe('rxconnect probe URL (in-process, against node:http and node:https servers on loopback)', () => {
  const certs = testCertificates();
  let files: TlsFiles;
  const servers: Server[] = [];
  const raw: TestServer[] = [];
  const requests: IncomingMessage[] = [];

  beforeEach(() => {
    files = tlsFiles();
    requests.length = 0;
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
    for (const server of raw.splice(0)) await server.stop();
    files.remove();
  });

  const recorded = (handler: RequestListener): RequestListener => (request, response) => {
    requests.push(request);
    handler(request, response);
  };
  const hello = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'text/plain', server: 'probe-spec' });
    response.end('hello\n');
  };
  const listen = async (server: Server): Promise<number> => {
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };
  const http = (handler: RequestListener = hello): Promise<number> => listen(createHttpServer(recorded(handler)));
  const https = (identity: KeyAndCert = certs.server, handler: RequestListener = hello): Promise<number> =>
    listen(createHttpsServer({ key: identity.key, cert: identity.cert }, recorded(handler)));

  it('https: draws the lookups, the TCP attempt, the handshake and the wait for the first byte, then the status, the headers and the TLS details', async () => {
    const port = await https();
    const f = fakeIo({ columns: 80 });
    expect(await runCli(['probe', '--ca', files.ca, '--family', '4', `https://localhost:${port}/health?full=1`], f.io)).toBe(0);
    const out = f.stdout.text();
    // The heading is broken at a space to fit 80 columns.
    const [first, second] = out.split('\n');
    expect(second).toMatch(/^ {2}\S/);
    expect(`${first} ${second!.trim()}`).toBe(`https://localhost:${port}/health?full=1  happy-eyeballs, attempt delay 250 ms, IPv4 only, TLS`);
    expect(out).toMatch(/\n {2}#0 127\.0\.0\.1 +├?─*● +\d+ ms → \d+ ms {2}TCP connected\n {5}TLS handshake +╞?═*● +\d+ ms → \d+ ms {2}TLS connected\n/);
    expect(out).toMatch(/\n {5}HTTP GET +├?┄*● +\d+ ms → \d+ ms {2}first byte: HTTP 200 OK\n/);
    expect(out).toMatch(/\n {2}✔ connected to 127\.0\.0\.1 port \d+ in \d+ ms \(TLS handshake \d+ ms\)\n {2}✔ HTTP 200 OK, first byte at \d+ ms \(\d+ ms after the request, 5 headers\)\n/);
    expect(out).toContain('\n    server        probe-spec\n    content-type  text/plain\n    protocol      TLSv1.3\n    ALPN          http/1.1\n');
    expect(out).toContain('\n    verified      yes\n    subject       localhost\n    issuer        rxconnect test CA\n');
    expect(Math.max(...out.split('\n').map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(f.stderr.text()).toBe('');
    // One GET, with the URL's path, query and Host.
    expect(requests.map((r) => [r.method, r.url, r.headers.host])).toEqual([['GET', '/health?full=1', `localhost:${port}`]]);
  });

  it('closes the connection once the headers are in, without waiting for a body that never ends', async () => {
    const port = await http((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: 1\n\n');
    });
    const f = fakeIo();
    expect(await runCli(['probe', `http://127.0.0.1:${port}/events`], f.io)).toBe(0);
    expect(f.stdout.text()).toContain('first byte: HTTP 200 OK\n');
    const server = servers[0]!;
    let open = -1;
    await until(() => {
      server.getConnections((_error, count) => (open = count));
      return open === 0;
    }, 2000, 'the probe\'s connection to close');
  });

  it('a non-2xx status is a response: exit 0, and --json carries the status, the time to first byte and the headers', async () => {
    const port = await http();
    const f = fakeIo();
    expect(await runCli(['probe', '--json', `http://127.0.0.1:${port}/missing`], f.io)).toBe(0);
    const report = JSON.parse(f.stdout.text()) as JsonReport;
    const [target] = report.targets;
    expect(target?.outcome).toBe('connected');
    expect(target?.http).toMatchObject({
      url: `http://127.0.0.1:${port}/missing`,
      method: 'GET',
      status: 404,
      statusText: 'Not Found',
      httpVersion: '1.1',
      selected: { server: 'probe-spec', 'content-type': 'text/plain' },
    });
    const h = target!.http!;
    expect(h.headers).toBeGreaterThanOrEqual(3);
    expect(h.ttfb).toBe(h.ended);
    expect(h.sent).toBeGreaterThanOrEqual(target!.ms);
    expect(h.ttfb).toBeGreaterThanOrEqual(h.sent);
    expect(target?.events.map((e) => e.type)).toEqual(['resolved', 'attempt', 'connected', 'closed']);

    const g = fakeIo();
    expect(await runCli(['probe', `http://127.0.0.1:${port}/missing`], g.io)).toBe(0);
    expect(g.stdout.text()).toMatch(/HTTP GET +├?┄*● +\d+ ms → \d+ ms {2}first byte: HTTP 404 Not Found\n/);
    expect(g.stdout.text()).toMatch(/\n {2}✔ HTTP 404 Not Found, first byte at \d+ ms/);
  });

  it('--timeout covers the wait for the response: exit 1, "no response" with ETIMEDOUT, and the request row ends in ✗', async () => {
    const port = await http(() => undefined);
    const f = fakeIo();
    const started = Date.now();
    expect(await runCli(['probe', '--timeout', '300', `http://127.0.0.1:${port}/`], f.io)).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    const out = f.stdout.text();
    expect(out).toMatch(/HTTP GET +├?┄*✗ +\d+ ms → \d+ ms {2}no response within 300 ms\n/);
    expect(out).toMatch(/\n {2}✔ connected to 127\.0\.0\.1 port \d+ in \d+ ms\n {2}✘ no response after \d+ ms: ETIMEDOUT no response within 300 ms\n$/);

    const g = fakeIo();
    expect(await runCli(['probe', '--json', '--timeout', '300', `http://127.0.0.1:${port}/`], g.io)).toBe(1);
    const h = (JSON.parse(g.stdout.text()) as JsonReport).targets[0]?.http;
    expect(h?.error).toEqual({ code: 'ETIMEDOUT', message: 'no response within 300 ms' });
    expect(h?.status).toBeUndefined();
    expect(h?.ended).toBeGreaterThanOrEqual(290);
  });

  it('a peer that closes without answering: exit 1 with node:http\'s error', async () => {
    raw.push(await startServer('127.0.0.1', (socket: Socket) => socket.once('data', () => socket.destroy())));
    const f = fakeIo();
    expect(await runCli(['probe', `http://127.0.0.1:${raw[0]!.port}/`], f.io)).toBe(1);
    expect(f.stdout.text()).toMatch(/\n {2}✘ no response after \d+ ms: ECONNRESET socket hang up\n$/);
  });

  it('a refused connect is the connect\'s failure, with no request', async () => {
    const port = await refusedPort();
    const f = fakeIo();
    expect(await runCli(['probe', '--json', `http://127.0.0.1:${port}/`], f.io)).toBe(1);
    const [target] = (JSON.parse(f.stdout.text()) as JsonReport).targets;
    expect(target?.outcome).toBe('failed');
    expect(target?.error?.code).toBe('ECONNREFUSED');
    expect(target?.http).toBeUndefined();
  });

  it('refuses a self-signed certificate (exit 1, nothing sent), accepts it with --insecure, and checks --servername', async () => {
    const port = await https(certs.selfSigned);
    const f = fakeIo();
    expect(await runCli(['probe', `https://localhost:${port}/`], f.io)).toBe(1);
    expect(f.stdout.text()).toMatch(/✘ failed after \d+ ms: DEPTH_ZERO_SELF_SIGNED_CERT certificate for localhost is self-signed/);
    expect(f.stdout.text()).not.toContain('HTTP GET');
    expect(requests).toHaveLength(0);

    const g = fakeIo();
    expect(await runCli(['probe', '--insecure', `https://localhost:${port}/`], g.io)).toBe(0);
    expect(g.stdout.text()).toContain('TLS, insecure');
    expect(g.stdout.text()).toContain('    verified      no: DEPTH_ZERO_SELF_SIGNED_CERT (accepted: --insecure)\n');

    const other = await https(certs.wrongName);
    const h = fakeIo();
    expect(await runCli(['probe', '--ca', files.ca, '--servername', 'other.example', `https://127.0.0.1:${other}/`], h.io)).toBe(0);
    expect(h.stdout.text()).toContain('    subject       other.example\n');
    expect(requests.at(-1)?.headers.host).toBe(`127.0.0.1:${other}`);
  });

  it('escapes what the network sends: the reason phrase and the header values', async () => {
    const port = await http((_request, response) => {
      response.setHeader('server', 'evil\u009b2J');
      response.writeHead(200, 'OK\u009b31m');
      response.end();
    });
    const f = fakeIo();
    expect(await runCli(['probe', `http://127.0.0.1:${port}/`], f.io)).toBe(0);
    const out = f.stdout.text();
    expect(out).toContain('first byte: HTTP 200 OK\\x9b31m\n');
    expect(out).toContain('    server  evil\\x9b2J\n');
    expect(out).not.toContain('\u009b');
    const g = fakeIo();
    expect(await runCli(['probe', '--json', `http://127.0.0.1:${port}/`], g.io)).toBe(0);
    expect(g.stdout.text()).toContain('"statusText": "OK\\u009b31m"');
    expect((JSON.parse(g.stdout.text()) as JsonReport).targets[0]?.http?.statusText).toBe('OK\u009b31m');
  });

  it('colours on a terminal, not with NO_COLOR nor in a pipe', async () => {
    const port = await http();
    const tty = fakeIo({ tty: true, columns: 100 });
    expect(await runCli(['probe', `http://127.0.0.1:${port}/`], tty.io)).toBe(0);
    expect(tty.stdout.text()).toMatch(ANSI);
    const noColor = fakeIo({ tty: true, env: { NO_COLOR: '1' } });
    expect(await runCli(['probe', `http://127.0.0.1:${port}/`], noColor.io)).toBe(0);
    expect(noColor.stdout.text()).not.toMatch(ANSI);
    const pipe = fakeIo();
    expect(await runCli(['probe', `http://127.0.0.1:${port}/`], pipe.io)).toBe(0);
    expect(pipe.stdout.text()).not.toMatch(ANSI);
  });

  it('probes URLs and host:port targets in one run', async () => {
    const port = await http();
    const f = fakeIo();
    expect(await runCli(['probe', `127.0.0.1:${port}`, `http://127.0.0.1:${port}/`], f.io)).toBe(0);
    const out = f.stdout.text();
    expect(out.split('HTTP GET')).toHaveLength(2);
    expect(out).toContain(`127.0.0.1:${port}  happy-eyeballs`);
    expect(out).toContain(`\n\nhttp://127.0.0.1:${port}/  happy-eyeballs`);
  });

  it.each([
    [['ftp://example.com/'], /^rxconnect probe: bad URL "ftp:\/\/example\.com\/": unknown scheme "ftp:" \(expected http:\/\/ or https:\/\/\)$/],
    [['https://example.com:70000/'], /^rxconnect probe: bad URL "https:\/\/example\.com:70000\/": port 70000 is out of range \(1 to 65535\)$/],
    [['http://example.com:0/'], /^rxconnect probe: bad URL "http:\/\/example\.com:0\/": port 0 is out of range \(1 to 65535\)$/],
    [['https://user:secret@example.com/'], /^rxconnect probe: bad URL "https:\/\/user:secret@example\.com\/": credentials \(user:password@\) are not sent by probe$/],
    [['http://exa mple.com/'], /^rxconnect probe: bad URL "http:\/\/exa mple\.com\/": not a valid URL$/],
    [['--tls', 'http://example.com/'], /^rxconnect probe: option '--tls' does not apply to an http:\/\/ URL \(write https:\/\/ for TLS\)$/],
    [['--alpn', 'h2', 'https://example.com/'], /^rxconnect probe: option '--alpn <list>' does not apply to URL targets: the request speaks HTTP\/1\.1$/],
    [['--ca', 'ca.pem', 'http://example.com/'], /^rxconnect probe: option '--ca <file>' needs --tls$/],
  ])('usage error, exit 2, nothing opened: %j', async (args, message) => {
    const f = fakeIo();
    expect(await runCli(['probe', ...args], f.io)).toBe(2);
    expect(f.stderr.text().trimEnd()).toMatch(message);
    expect(f.stdout.text()).toBe('');
  });
});
