import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { EMPTY, Subscription, catchError, filter, finalize, firstValueFrom, mergeMap, share, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import { listen$ } from '../index.js';
import type { LookupFunction, ServerEvent } from '../index.js';

/** A loopback fixture the demo starts; `stop()` releases everything it holds. */
export type Fixture = { readonly port: number; stop(): Promise<void> };

/** A fixture name and the port its addresses share. */
export type DemoName = { readonly name: string; readonly port: number };

/** The demo's loopback network. Names come from `lookup`: no DNS is involved. */
export type DemoNetwork = {
  /** A `dns.lookup`-compatible function that knows the three names below. */
  readonly lookup: LookupFunction;
  /** `::1` hangs (a full accept queue); `127.0.0.1` answers and reports each line it receives. */
  readonly hanging: DemoName;
  /** `::1` refuses; `127.0.0.1` answers. */
  readonly v6Refuses: DemoName;
  /** `::1` and `127.0.0.1` both refuse. */
  readonly nobody: DemoName;
  /** Stops every fixture (listeners, clients, the python child). Idempotent. */
  stop(): Promise<void>;
};

/**
 * Listens on `myaddr` port `port` with `listen$` and serves each client with `serveClient`, whose stream is tied
 * to the listener: stopping closes the listener and every client.
 */
export async function listenFixture(port: number, myaddr: string | undefined, serveClient: (event: Extract<ServerEvent, { type: 'connection' }>) => Observable<unknown>): Promise<Fixture> {
  const events$ = listen$(port, { myaddr }).pipe(share());
  const subscription = new Subscription();
  subscription.add(
    events$
      .pipe(
        mergeMap((event) => {
          if (event.type !== 'connection') return EMPTY;
          return serveClient(event).pipe(
            catchError(() => EMPTY),
            finalize(() => event.channel.close().catch(() => undefined)),
          );
        }),
      )
      .subscribe({ error: () => undefined }),
  );
  try {
    const listening = await firstValueFrom(events$.pipe(filter((e) => e.type === 'listening')));
    const chosen = listening.type === 'listening' ? (listening.socknames[0]?.port ?? 0) : 0;
    return {
      port: chosen,
      stop: async () => subscription.unsubscribe(),
    };
  } catch (error) {
    subscription.unsubscribe();
    throw error;
  }
}

const BLACKHOLE_PY = `
import socket, sys
port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
srv.bind(('::1', port))
srv.listen(0)
filler = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
filler.connect(('::1', srv.getsockname()[1]))
print(srv.getsockname()[1], flush=True)
sys.stdin.read()
`;

/**
 * `::1` port `port` (0: any) where connects hang: python3 listens with a backlog of 0, never accepts, and fills
 * the queue with one client of its own, so the kernel drops later SYNs. (Node always accepts, hence python.)
 * The child exits when `stop()` is called, or when this process ends and its stdin closes.
 */
export async function blackhole6(port = 0): Promise<Fixture> {
  const child = spawn('python3', ['-c', BLACKHOLE_PY, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start python3 for the hanging address: ${error.message}`)));
    child.once('exit', () => reject(new Error(`python3 exited before the hanging address was ready: ${stderr.trim().split('\n').pop() ?? ''}`)));
  });
  failure.catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill();
    await exited;
  };
  try {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), failure])) as [Buffer];
    return { port: Number(String(chunk).trim()), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A port where no listener is, on `127.0.0.1` nor `::1`: listen on both families, then stop. */
export async function refusedPort(): Promise<number> {
  const probe = await listenFixture(0, undefined, () => EMPTY);
  await probe.stop();
  return probe.port;
}

/** A `dns.lookup`-compatible function answering from `table`, asynchronously, in the table's order. */
export function tableLookup(table: ReadonlyMap<string, readonly { readonly address: string; readonly family: 4 | 6 }[]>): LookupFunction {
  return (hostname, options, callback) => {
    const handle = setImmediate(() => {
      const list = table.get(hostname.toLowerCase());
      if (list === undefined) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
        return;
      }
      callback(null, list.filter((a) => options.family === 0 || a.family === options.family));
    });
    return { cancel: () => clearImmediate(handle) };
  };
}

async function tries<T>(times: number, make: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < times; i++) {
    try {
      return await make();
    } catch (error) {
      last = error;
      if ((error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
  throw last;
}

/**
 * Starts the demo's fixtures on loopback: `hanging.demo`, `v6-refuses.demo` and `nobody.demo`. Lines that
 * clients send to `hanging.demo`'s `127.0.0.1` go to `onLine`.
 */
export async function startDemoNetwork(onLine: (line: string) => void): Promise<DemoNetwork> {
  const fixtures: Fixture[] = [];
  const stop = async (): Promise<void> => {
    const all = fixtures.splice(0);
    await Promise.all(all.map((f) => f.stop()));
  };
  try {
    // hanging.demo: ::1 hangs, 127.0.0.1 on the same port answers and prints what it receives.
    const hanging = await tries(10, async () => {
      const hole = await blackhole6();
      try {
        const printer = await listenFixture(hole.port, '127.0.0.1', (event) => event.channel.lines$.pipe(tap((line) => onLine(line))));
        fixtures.push(hole, printer);
        return hole.port;
      } catch (error) {
        await hole.stop();
        throw error;
      }
    });
    // v6-refuses.demo: 127.0.0.1 answers; ::1 on that port was free a moment ago, so it refuses.
    const v6Refuses = await tries(10, async () => {
      const four = await listenFixture(0, '127.0.0.1', (event) => event.channel.data$);
      try {
        const six = await listenFixture(four.port, '::1', () => EMPTY);
        await six.stop();
        fixtures.push(four);
        return four.port;
      } catch (error) {
        await four.stop();
        throw error;
      }
    });
    const nobody = await refusedPort();
    const dual = [
      { address: '::1', family: 6 as const },
      { address: '127.0.0.1', family: 4 as const },
    ];
    const lookup = tableLookup(new Map([['hanging.demo', dual], ['v6-refuses.demo', dual], ['nobody.demo', dual]]));
    return {
      lookup,
      hanging: { name: 'hanging.demo', port: hanging },
      v6Refuses: { name: 'v6-refuses.demo', port: v6Refuses },
      nobody: { name: 'nobody.demo', port: nobody },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
