import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connector } from '../../src/http/index.js';
import { testCertificates } from '../helpers/certs.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';
import { callConnector, connectErrorOf } from './support.js';

/** Writes one HTTP/1.1 request on a connector's socket and reads the whole response. */
async function get(socket: NodeJS.ReadWriteStream & { destroy(): void }, path = '/'): Promise<string> {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.write(`GET ${path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n`);
  await once(socket, 'end');
  socket.destroy();
  return text;
}

describe('connector called as undici calls it, on loopback', () => {
  const net = loopbackFixtures();
  const certs = testCertificates();

  it('should hand over a connected, readable socket after a black-holed ::1, from 127.0.0.1', async () => {
    const server = await net.server('127.0.0.1', (socket) => socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\n\r\n')));
    await net.blackhole(6, server.port);
    const connect = connector({ lookup: fixedLookup(DUAL), attemptDelay: 50 });
    const started = Date.now();
    const socket = await callConnector(connect, { hostname: 'localhost', host: `localhost:${server.port}`, protocol: 'http:', port: String(server.port) });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(socket.remoteAddress).toBe('127.0.0.1');
    expect(socket.readableFlowing).toBeNull();
    expect(await get(socket)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });

  it('should connect https: with servername and the ALPN allowH2 asks for', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, ALPNProtocols: ['h2', 'http/1.1'], onSecure: (socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\n\r\n'));
    } }));
    const connect = connector({ tls: { ca: certs.ca } });
    const h2 = (await callConnector(connect, { hostname: '127.0.0.1', protocol: 'https:', port: String(server.port), servername: 'localhost', allowH2: true })) as TLSSocket;
    expect(h2.alpnProtocol).toBe('h2');
    expect(h2.authorized).toBe(true);
    h2.destroy();
    const h1 = (await callConnector(connect, { hostname: '127.0.0.1', protocol: 'https:', port: String(server.port), servername: 'localhost', allowH2: false })) as TLSSocket;
    expect(h1.alpnProtocol).toBe('http/1.1');
    expect(await get(h1)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
  });

  it('should fail a wrong certificate name with the handshake ConnectError', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.wrongName }));
    const error = await connectErrorOf(callConnector(connector({ tls: { ca: certs.ca } }), { hostname: '127.0.0.1', protocol: 'https:', port: String(server.port), servername: 'localhost' }));
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toMatch(/^certificate for localhost does not match/);
  });

  it('should call back with a readable ConnectError when every address refuses', async () => {
    const port = await refusedPort();
    const error = await connectErrorOf(callConnector(connector({ lookup: fixedLookup(DUAL) }), { hostname: 'localhost', protocol: 'http:', port: String(port) }));
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toMatch(new RegExp(`^connection refused \\(::1 port ${port}: connection refused after \\d+ ms; 127\\.0\\.0\\.1 port ${port}: connection refused after \\d+ ms\\)$`));
  });

  it('should time the connect out after its timeout', async () => {
    const hole = await net.blackhole(4);
    const started = Date.now();
    const error = await connectErrorOf(callConnector(connector({ timeout: 200 }), { hostname: '127.0.0.1', protocol: 'http:', port: String(hole.port) }));
    expect(error.code).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('should call back with the error of a request it cannot serve, without connecting', async () => {
    await expect(callConnector(connector(), { hostname: 'localhost', protocol: 'https:', port: '1', httpSocket: {} })).rejects.toMatchObject({ argument: 'httpSocket' });
  });

  /** A connected TCP socket to `port`, as a proxy's CONNECT tunnel to the origin would be. */
  async function tunnelTo(port: number): Promise<Socket> {
    const socket = netConnect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    return socket;
  }

  it("should run TLS on a proxy's tunnel (httpSocket) for https:, checking the origin's name", async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, onSecure: (socket) => socket.once('data', () => socket.end('HTTP/1.1 204 No Content\r\n\r\n')) }));
    const tunnel = await tunnelTo(server.port);
    const socket = (await callConnector(connector({ tls: { ca: certs.ca } }), { hostname: 'localhost', protocol: 'https:', port: '443', httpSocket: tunnel })) as TLSSocket;
    expect(socket.authorized).toBe(true);
    expect(socket.servername).toBe('localhost');
    expect(await get(socket)).toBe('HTTP/1.1 204 No Content\r\n\r\n');
    const wrong = await net.server('127.0.0.1', tlsPeer({ identity: certs.wrongName }));
    const error = await connectErrorOf(callConnector(connector({ tls: { ca: certs.ca } }), { hostname: 'localhost', protocol: 'https:', port: '443', httpSocket: await tunnelTo(wrong.port) }));
    expect(error).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', handshake: true, address: 'localhost', port: 443 });
    expect(error.message).toMatch(/^certificate for localhost does not match: it names DNS:other\.example \(localhost port 443 after \d+ ms\)$/);
  });

  it('should time out a handshake on a tunnel whose far end never answers, destroying it, and pass an http: tunnel as it is', async () => {
    const silent = await net.server('127.0.0.1', () => undefined);
    const tunnel = await tunnelTo(silent.port);
    const error = await connectErrorOf(callConnector(connector({ timeout: 200 }), { hostname: 'localhost', protocol: 'https:', port: '', httpSocket: tunnel }));
    expect(error).toMatchObject({ code: 'ETIMEDOUT', handshake: true });
    expect(tunnel.destroyed).toBe(true);
    const plain = await tunnelTo(silent.port);
    expect(await callConnector(connector(), { hostname: 'localhost', protocol: 'http:', port: '', httpSocket: plain })).toBe(plain);
    plain.destroy();
  });

  it("should check an IP-literal origin's certificate against the origin, not the proxy's address, over a tunnel", async () => {
    // The server's certificate names 127.0.0.1 (the tunnel's far end); the origin asked for is another address.
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server }));
    const error = await connectErrorOf(callConnector(connector({ tls: { ca: certs.ca } }), { hostname: '192.0.2.7', protocol: 'https:', port: '', httpSocket: await tunnelTo(server.port) }));
    expect(error).toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', handshake: true, address: '192.0.2.7' });
  });
});
