import { EMPTY, Subscription, catchError, filter, finalize, firstValueFrom, mergeMap, share, tap } from 'rxjs';
import type { Observable } from 'rxjs';
import { listen$ } from '../index.js';
import type { LookupFunction, ServerEvent, Transport } from '../index.js';
import { blackhole } from './blackhole.js';
import type { DemoNetwork } from './DemoNetwork.js';

/** A loopback fixture the demo starts; `stop()` releases everything it holds. */
export type Fixture = { readonly port: number; stop(): Promise<void> };

/**
 * Listens on `myaddr` port `port` with `listen$` (on the virtual network when `transport` is its) and serves each
 * client with `serveClient`, whose stream is tied to the listener: stopping closes the listener and every client.
 */
export async function listenFixture(
  port: number,
  myaddr: string | undefined,
  serveClient: (event: Extract<ServerEvent, { type: 'connection' }>) => Observable<unknown>,
  transport?: Transport,
): Promise<Fixture> {
  const events$ = listen$(port, { myaddr, transport }).pipe(share());
  const subscription = new Subscription();
  subscription.add(
    events$
      .pipe(
        mergeMap((event) => {
          if (event.type !== 'connection') return EMPTY;
          return serveClient(event).pipe(
            catchError(() => EMPTY),
            finalize(() => void event.channel.close().catch(() => undefined)),
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
      stop: () => {
        subscription.unsubscribe();
        return Promise.resolve();
      },
    };
  } catch (error) {
    subscription.unsubscribe();
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

/** The IPv6 address of the demo's names; another one (one the host lacks) makes the demo fall back, in specs. */
export const DEMO_IPV6 = '::1';

/**
 * Starts the demo's fixtures on loopback: `hanging.demo`, `v6-refuses.demo` and `nobody.demo`, each on `ipv6`
 * and `127.0.0.1`. Lines that clients send to `hanging.demo`'s `127.0.0.1` go to `onLine`. Rejects when a
 * fixture cannot start (no `ipv6` on this host, say), after stopping those that did.
 */
export async function loopbackDemoNetwork(onLine: (line: string) => void, ipv6: string = DEMO_IPV6): Promise<DemoNetwork> {
  const fixtures: Fixture[] = [];
  const stop = async (): Promise<void> => {
    const all = fixtures.splice(0);
    await Promise.all(all.map((f) => f.stop()));
  };
  try {
    // hanging.demo: ipv6 hangs, 127.0.0.1 on the same port answers and prints what it receives.
    const hanging = await tries(10, async () => {
      const hole = await blackhole(ipv6);
      try {
        const printer = await listenFixture(hole.port, '127.0.0.1', (event) => event.channel.lines$.pipe(tap((line) => onLine(line))));
        fixtures.push(hole, printer);
        return hole.port;
      } catch (error) {
        await hole.stop();
        throw error;
      }
    });
    // v6-refuses.demo: 127.0.0.1 answers; ipv6 on that port was free a moment ago, so it refuses.
    const v6Refuses = await tries(10, async () => {
      const four = await listenFixture(0, '127.0.0.1', (event) => event.channel.data$);
      try {
        const six = await listenFixture(four.port, ipv6, () => EMPTY);
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
      { address: ipv6, family: 6 as const },
      { address: '127.0.0.1', family: 4 as const },
    ];
    const lookup = tableLookup(new Map([['hanging.demo', dual], ['v6-refuses.demo', dual], ['nobody.demo', dual]]));
    return {
      lookup,
      transport: undefined,
      simulated: undefined,
      hanging: { name: 'hanging.demo', ipv6, port: hanging },
      v6Refuses: { name: 'v6-refuses.demo', ipv6, port: v6Refuses },
      nobody: { name: 'nobody.demo', ipv6, port: nobody },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
