import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { once } from 'node:events';

/** A dual-stack name's answer on loopback, IPv6 first as getaddrinfo gives it; for the `lookup` option (see fixedLookup). */
export const DUAL: readonly { readonly address: string; readonly family: 4 | 6 }[] = [
  { address: '::1', family: 6 as const },
  { address: '127.0.0.1', family: 4 as const },
];

/** A loopback server on port 0 that records its clients. Close it with `stop()`. */
export type TestServer = { readonly server: Server; readonly port: number; readonly clients: Socket[]; stop(): Promise<void> };

export async function startServer(host: '127.0.0.1' | '::1', onClient: (socket: Socket) => void = (s) => s.resume(), port = 0): Promise<TestServer> {
  const clients: Socket[] = [];
  const server = createServer((socket) => {
    clients.push(socket);
    socket.on('error', () => undefined);
    onClient(socket);
  });
  server.listen({ host, port, ipv6Only: host === '::1' });
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    clients,
    async stop() {
      for (const c of clients) c.destroy();
      if (server.listening) {
        server.close();
        await once(server, 'close');
      }
    },
  };
}

/** A port with no listener on 127.0.0.1 nor ::1: bind both, then close both. */
export async function refusedPort(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const four = await startServer('127.0.0.1');
    try {
      const six = await startServer('::1', undefined, four.port);
      await six.stop();
      await four.stop();
      return four.port;
    } catch {
      await four.stop();
    }
  }
  throw new Error('no port free on both 127.0.0.1 and ::1');
}

const BLACKHOLE_PY = `
import socket, sys
fam, addr = (socket.AF_INET6, '::1') if sys.argv[1] == '6' else (socket.AF_INET, '127.0.0.1')
port = int(sys.argv[2])
srv = socket.socket(fam, socket.SOCK_STREAM)
srv.bind((addr, port))
srv.listen(0)
filler = socket.socket(fam, socket.SOCK_STREAM)
filler.connect((addr, srv.getsockname()[1]))
print(srv.getsockname()[1], flush=True)
sys.stdin.read()
`;

/**
 * A loopback address whose connects hang: a listener with backlog 0 that never accepts, its queue filled by one
 * client, so later SYNs are dropped. Runs in python3, since Node always accepts.
 */
export type Blackhole = { readonly port: number; stop(): Promise<void> };

export async function blackhole(family: 4 | 6, port = 0): Promise<Blackhole> {
  const child: ChildProcess = spawn('python3', ['-c', BLACKHOLE_PY, String(family), String(port)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await Promise.race([once(child.stdout!, 'data'), once(child, 'exit').then(() => { throw new Error('blackhole exited'); })])) as [Buffer];
  const exited = once(child, 'exit');
  return {
    port: Number(String(chunk).trim()),
    async stop() {
      child.stdin!.end();
      child.kill();
      await exited;
    },
  };
}

/** How many TCP handles this process has open. */
export function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

/** Waits (a little) for every TCP handle to close, then returns the count left. */
export async function settledTcpHandles(): Promise<number> {
  for (let i = 0; i < 50 && tcpHandles() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return tcpHandles();
}

/** What `loopbackFixtures()` starts: `startServer` and `blackhole`, each tracked for the teardown. */
export type LoopbackFixtures = {
  server(host: '127.0.0.1' | '::1', onClient?: (socket: Socket) => void, port?: number): Promise<TestServer>;
  blackhole(family: 4 | 6, port?: number): Promise<Blackhole>;
};

/**
 * Every loopback spec must leave no handle open, or a leak in the library passes unseen (and trips a later spec).
 * Call this at describe level: after each test it stops every server and black hole started through it, runs
 * `afterStop` (a spec's own teardown, if any), then expects no TCP handle left.
 */
export function loopbackFixtures(options: { afterStop?: () => void | Promise<void> } = {}): LoopbackFixtures {
  let servers: TestServer[] = [];
  let holes: Blackhole[] = [];
  afterEach(async () => {
    await Promise.all([...servers.map((s) => s.stop()), ...holes.map((h) => h.stop())]);
    servers = [];
    holes = [];
    await options.afterStop?.();
    expect(await settledTcpHandles()).toBe(0);
  });
  return {
    async server(host, onClient, port) {
      const server = await startServer(host, onClient, port);
      servers.push(server);
      return server;
    },
    async blackhole(family, port) {
      const hole = await blackhole(family, port);
      holes.push(hole);
      return hole;
    },
  };
}

/** A dns.lookup-compatible function that answers with fixed addresses, and records what it was asked. */
export function fixedLookup(addresses: readonly { address: string; family: 4 | 6 }[], calls: { family: number }[] = []) {
  return (_host: string, options: { family: 0 | 4 | 6 }, callback: (error: Error | null, result: { address: string; family: number }[]) => void): void => {
    calls.push({ family: options.family });
    const list = addresses.filter((a) => options.family === 0 || a.family === options.family);
    setImmediate(() => callback(null, list));
  };
}
