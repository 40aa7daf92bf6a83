import { request as httpRequest } from 'node:http';
import type { Agent, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import { ConnectError } from '../../src/index.js';
import { httpAgent, httpsAgent } from '../../src/http/index.js';
import { testCertificates } from '../helpers/certs.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';
import { httpHandler } from './support.js';

type Reply = { readonly status: number | undefined; readonly body: string; readonly reused: boolean };

/** One GET through `http` or `https`, as a Promise of the whole response, or the request's error. */
function get(secure: boolean, options: RequestOptions | HttpsRequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(options, (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body, reused: request.reusedSocket }));
    });
    request.on('error', reject);
    request.end();
  });
}

async function errorOf(pending: Promise<unknown>): Promise<Error> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error('the request did not fail');
  return error;
}

describe('httpAgent and httpsAgent with node:http and node:https on loopback', () => {
  let agents: Agent[] = [];
  const net = loopbackFixtures({ afterStop: () => {
    for (const agent of agents) agent.destroy();
    agents = [];
  } });
  const certs = testCertificates();
  const track = <T extends Agent>(agent: T): T => (agents.push(agent), agent);

  it('should get the response from 127.0.0.1 when ::1 is black-holed', async () => {
    const server = await net.server('127.0.0.1', httpHandler());
    await net.blackhole(6, server.port);
    const agent = track(httpAgent({ connect: { lookup: fixedLookup(DUAL), attemptDelay: 50 } }));
    const started = Date.now();
    const reply = await get(false, { host: 'localhost', port: server.port, path: '/he', agent });
    expect(reply).toMatchObject({ status: 200, body: expect.stringMatching(/^connection \d+ \/he$/) as string });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('should fail with a readable ConnectError when every address refuses', async () => {
    const port = await refusedPort();
    const agent = track(httpAgent({ connect: { lookup: fixedLookup(DUAL) } }));
    const error = await errorOf(get(false, { host: 'localhost', port, agent }));
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.message).toMatch(new RegExp(`^connection refused \\(::1 port ${port}: connection refused after \\d+ ms; 127\\.0\\.0\\.1 port ${port}: connection refused after \\d+ ms\\)$`));
  });

  it('should give the place of a failed connect in the pool to the next queued request', async () => {
    const port = await refusedPort();
    const agent = track(httpAgent({ maxSockets: 1 }));
    const errors = await Promise.all([1, 2, 3].map(() => errorOf(get(false, { host: '127.0.0.1', port, agent }))));
    expect(errors.map((error) => (error as ConnectError).code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('should speak https with the servername from the host, the CA from the request, and reuse a kept-alive socket', async () => {
    const names: string[] = [];
    const handler = httpHandler();
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, onSecure: (socket) => {
      names.push(String((socket as unknown as { servername: unknown }).servername));
      handler(socket);
    } }));
    const agent = track(httpsAgent({ keepAlive: true, connect: { lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]) } }));
    const first = await get(true, { host: 'localhost', port: server.port, path: '/1', agent, ca: certs.ca });
    const second = await get(true, { host: 'localhost', port: server.port, path: '/2', agent, ca: certs.ca });
    expect([first.reused, second.reused]).toEqual([false, true]);
    expect(second.body.split(' ')[1]).toBe(first.body.split(' ')[1]);
    expect(server.clients).toHaveLength(1);
    expect(names).toEqual(['localhost']);
  });

  it('should fail https with the handshake error when the certificate does not verify', async () => {
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.selfSigned }));
    const agent = track(httpsAgent());
    const error = await errorOf(get(true, { host: '127.0.0.1', port: server.port, agent, servername: 'localhost' }));
    expect(error).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', handshake: true });
  });

  it('should keep one socket for two requests with keepAlive on plain http', async () => {
    const server = await net.server('127.0.0.1', httpHandler());
    const agent = track(httpAgent({ keepAlive: true }));
    const first = await get(false, { host: '127.0.0.1', port: server.port, agent });
    const second = await get(false, { host: '127.0.0.1', port: server.port, agent });
    expect(second.reused).toBe(true);
    expect(server.clients).toHaveLength(1);
    expect(second.body.split(' ')[1]).toBe(first.body.split(' ')[1]);
  });

  it('should end the connect when the request is aborted during it', async () => {
    const hole = await net.blackhole(4);
    const agent = track(httpAgent());
    const controller = new AbortController();
    const started = Date.now();
    const pending = errorOf(get(false, { host: '127.0.0.1', port: hole.port, agent, signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(error.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('should fail the request with ETIMEDOUT after the connect timeout', async () => {
    const hole = await net.blackhole(4);
    const agent = track(httpAgent({ connect: { timeout: 200 } }));
    const started = Date.now();
    const error = await errorOf(get(false, { host: '127.0.0.1', port: hole.port, agent }));
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('should serve many concurrent requests and leave no socket open', async () => {
    const server = await net.server('127.0.0.1', httpHandler());
    const agent = track(httpAgent({ keepAlive: true, maxSockets: 8, connect: { lookup: fixedLookup(DUAL) } }));
    const six = await net.blackhole(6, server.port);
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => get(false, { host: 'localhost', port: server.port, path: `/${i}`, agent })));
    expect(replies.every((reply, i) => reply.status === 200 && reply.body.endsWith(` /${i}`))).toBe(true);
    expect(server.clients.length).toBeLessThanOrEqual(8);
    await six.stop();
  });
});
