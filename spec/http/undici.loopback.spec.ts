import { createSecureServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Agent, fetch } from 'undici';
import { ConnectError } from '../../src/index.js';
import { connector } from '../../src/http/index.js';
import { testCertificates } from '../helpers/certs.js';
import { loopbackFixtures } from '../helpers/loopback.js';

describe("undici 7's fetch through the connector, on loopback", () => {
  let agents: Agent[] = [];
  const net = loopbackFixtures({ afterStop: async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    agents = [];
  } });
  const certs = testCertificates();
  const track = (agent: Agent): Agent => (agents.push(agent), agent);

  /** A TLS server on 127.0.0.1 that speaks h2 and http/1.1 and answers with the HTTP version it spoke. */
  async function h2Server(): Promise<number> {
    const h2 = createSecureServer({ key: certs.server.key, cert: certs.server.cert, allowHTTP1: true }, (request: Http2ServerRequest, response: Http2ServerResponse) => {
      response.end(`HTTP/${request.httpVersion}`);
    });
    const server = await net.server('127.0.0.1', (socket) => h2.emit('connection', socket));
    return server.port;
  }

  it('should fetch over h2 when the Agent allows it, and over http/1.1 when not', async () => {
    const port = await h2Server();
    const connect = connector({ tls: { ca: certs.ca } });
    const h2 = await fetch(`https://localhost:${port}/`, { dispatcher: track(new Agent({ connect, allowH2: true })) });
    expect(await h2.text()).toBe('HTTP/2.0');
    const h1 = await fetch(`https://localhost:${port}/`, { dispatcher: track(new Agent({ connect, allowH2: false })) });
    expect(await h1.text()).toBe('HTTP/1.1');
  });

  it("should fail fetch with the ConnectError as its TypeError's cause", async () => {
    const port = await h2Server();
    const error = await fetch(`https://127.0.0.1:${port}/`, { dispatcher: track(new Agent({ connect: connector() })) }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    const cause = (error as TypeError).cause;
    expect(cause).toBeInstanceOf(ConnectError);
    expect((cause as ConnectError).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('should reject fetch at once when its signal aborts during the connect', async () => {
    const hole = await net.blackhole(4);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await fetch(`http://127.0.0.1:${hole.port}/`, { dispatcher: track(new Agent({ connect: connector({ timeout: 1500 }) })), signal: controller.signal }).then(() => undefined, (e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    // Well before the connector's own timeout: the abort ended the fetch, not the timeout.
    expect(Date.now() - started).toBeLessThan(1000);
    // undici gives a connector no signal: its connect ends at its own timeout, before the handle check.
    await new Promise((resolve) => setTimeout(resolve, 1600 - (Date.now() - started)));
  });
});
