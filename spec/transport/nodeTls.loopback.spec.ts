import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TLSSocket } from 'node:tls';
import { clientVerifyError } from '../../src/transport/nodeTls.js';
import { nodeTransport } from '../../src/transport/nodeTransport.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import type { TransportSocket } from '../../src/transport/Transport.js';
import { testCertificates } from '../helpers/certs.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';

/** A connected, paused socket of the Node transport to `server`. */
function dialed(server: TestServer): Promise<TransportSocket> {
  return new Promise((resolve, reject) => {
    const socket = nodeTransport.dial({ remote: { address: '127.0.0.1', family: 4, port: server.port } }, {
      ...NO_EVENTS,
      connect: () => resolve(socket),
      error: reject,
    });
  });
}

describe('nodeTransport.startTls (loopback)', () => {
  const certs = testCertificates();
  let server: TestServer | undefined;
  let socket: TransportSocket | undefined;

  afterEach(async () => {
    socket?.destroy();
    await server?.stop();
    server = undefined;
    socket = undefined;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should not call done once the owner has destroyed the socket, even from inside the certificate check', async () => {
    server = await startServer('127.0.0.1', tlsPeer({ identity: certs.server }));
    const s = await dialed(server);
    socket = s;
    const calls: string[] = [];
    const options = Object.freeze({ ca: certs.ca, servername: 'localhost', checkServerIdentity: () => {
      // The owner leaves while Node verifies the certificate (a subscriber that unsubscribes from it).
      s.destroy();
      return undefined;
    } });
    (nodeTransport.startTls as NonNullable<typeof nodeTransport.startTls>)(s, { side: 'client', options }, (error) => calls.push(error === null ? 'secured' : 'failed'));
    await sleep(100);
    expect(calls).toEqual([]);
  });

  it('should count a client certificate as not verified when the socket has no handle to ask', () => {
    const secure = new TLSSocket(new Socket(), { isServer: true, requestCert: true });
    secure.destroy();
    expect(clientVerifyError(secure)).toEqual(expect.objectContaining({ code: 'ERR_TLS_CLIENT_CERT_UNVERIFIED' }));
  });
});
