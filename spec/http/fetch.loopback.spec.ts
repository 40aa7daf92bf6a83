import { runInThisContext } from 'node:vm';
import { ConnectError } from '../../src/index.js';
import { connector } from '../../src/http/index.js';
import type { Connector } from '../../src/http/index.js';
import { testCertificates } from '../helpers/certs.js';
import { DUAL, fixedLookup, loopbackFixtures, refusedPort } from '../helpers/loopback.js';
import { tlsPeer } from '../helpers/tlsPeer.js';
import { httpHandler } from './support.js';

/** The part of undici's Agent these specs use. */
type Dispatcher = { close(): Promise<void> };
type DispatcherClass = new (options: { connect: Connector; allowH2?: boolean }) => Dispatcher;

/**
 * The Agent class of the undici that Node's built-in fetch bundles, taken from its global dispatcher: built-in
 * fetch accepts a dispatcher of its own undici only, and the undici package is not installed here. It is on
 * Node's own global, which Jest's sandbox is not.
 */
async function builtInAgentClass(): Promise<DispatcherClass> {
  await fetch('data:,');
  const nodeGlobal = runInThisContext('globalThis') as Record<symbol, unknown>;
  const dispatcher = nodeGlobal[Symbol.for('undici.globalDispatcher.1')];
  if (typeof dispatcher !== 'object' || dispatcher === null) throw new Error('no global dispatcher');
  return dispatcher.constructor as DispatcherClass;
}

/**
 * The text of the cause of fetch's failure: `ConnectError: <message>`. In a program the cause is the
 * ConnectError; under Jest, whose Error is not the realm's of Node's undici, undici wraps it as
 * `new Error(String(connectError))`, which keeps that text.
 */
async function causeOf(pending: Promise<unknown>): Promise<string> {
  const error = await pending.then(() => undefined, (e: unknown) => e);
  // fetch's TypeError comes from Node's realm, not Jest's: checked by name.
  const failure = error as { readonly name?: unknown; readonly message?: unknown; readonly cause?: unknown } | undefined;
  if (failure?.name !== 'TypeError' || failure.message !== 'fetch failed') throw new Error(`fetch did not fail: ${String(error)}`);
  const cause = failure.cause;
  if (cause instanceof ConnectError) return `${cause.name}: ${cause.message}`;
  return String((cause as { readonly message?: unknown } | undefined)?.message);
}

describe("Node's built-in fetch through the connector, on loopback", () => {
  let dispatchers: Dispatcher[] = [];
  const net = loopbackFixtures({ afterStop: async () => {
    await Promise.all(dispatchers.map((d) => d.close()));
    dispatchers = [];
  } });
  const certs = testCertificates();
  let Agent: DispatcherClass;
  beforeAll(async () => {
    Agent = await builtInAgentClass();
  });
  const agentOf = (connect: Connector): Dispatcher => {
    const agent = new Agent({ connect });
    dispatchers.push(agent);
    return agent;
  };

  it('should get the response from 127.0.0.1 when ::1 is black-holed', async () => {
    const server = await net.server('127.0.0.1', httpHandler());
    await net.blackhole(6, server.port);
    const dispatcher = agentOf(connector({ lookup: fixedLookup(DUAL), attemptDelay: 50 }));
    const started = Date.now();
    const response = await fetch(`http://localhost:${server.port}/he`, { dispatcher } as RequestInit);
    expect(await response.text()).toMatch(/^connection \d+ \/he$/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('should reuse one kept-alive connection for two fetches', async () => {
    const server = await net.server('127.0.0.1', httpHandler());
    const dispatcher = agentOf(connector());
    const first = await (await fetch(`http://127.0.0.1:${server.port}/1`, { dispatcher } as RequestInit)).text();
    // undici returns the socket to its pool just after the body has ended (with net.connect as well).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await (await fetch(`http://127.0.0.1:${server.port}/2`, { dispatcher } as RequestInit)).text();
    expect(second.split(' ')[1]).toBe(first.split(' ')[1]);
    expect(server.clients).toHaveLength(1);
  });

  it('should fetch https with the URL host as servername', async () => {
    const handler = httpHandler();
    const server = await net.server('127.0.0.1', tlsPeer({ identity: certs.server, onSecure: handler }));
    const dispatcher = agentOf(connector({ lookup: fixedLookup([{ address: '127.0.0.1', family: 4 }]), tls: { ca: certs.ca } }));
    const response = await fetch(`https://localhost:${server.port}/tls`, { dispatcher } as RequestInit);
    expect(await response.text()).toMatch(/ \/tls$/);
  });

  it("should fail fetch with the ConnectError as the TypeError's cause when every address refuses", async () => {
    const port = await refusedPort();
    const dispatcher = agentOf(connector({ lookup: fixedLookup(DUAL) }));
    const cause = await causeOf(fetch(`http://localhost:${port}/`, { dispatcher } as RequestInit));
    expect(cause).toMatch(new RegExp(`^ConnectError: connection refused \\(::1 port ${port}: connection refused after \\d+ ms; 127\\.0\\.0\\.1 port ${port}: .*\\)$`));
  });

  it('should fail fetch with ETIMEDOUT after the connect timeout', async () => {
    const hole = await net.blackhole(4);
    const dispatcher = agentOf(connector({ timeout: 200 }));
    const started = Date.now();
    const cause = await causeOf(fetch(`http://127.0.0.1:${hole.port}/`, { dispatcher } as RequestInit));
    expect(cause).toMatch(new RegExp(`^ConnectError: connection timed out`));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
