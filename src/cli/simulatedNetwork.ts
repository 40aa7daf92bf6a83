import { asyncScheduler, tap } from 'rxjs';
import { createVirtualNetwork, hang, refuseAfter } from '../testing/index.js';
import type { DemoNetwork } from './DemoNetwork.js';
import type { Fixture } from './fixtures.js';
import { listenFixture, tableLookup } from './fixtures.js';

/** How long the simulated loopback takes to refuse, in ms. */
const ROUND_TRIP = 1;

/** The ports of the simulated names (any will do: nothing real is bound). */
const PORTS = { hanging: 7001, v6Refuses: 7002, nobody: 7003 } as const;

/**
 * The demo's three names on rxconnect/testing's virtual network, in real time on `asyncScheduler`. An address
 * script holds for every port, so each name has its own IPv6 address: `hanging.demo`'s `::1` never answers,
 * `v6-refuses.demo`'s `::2` and `nobody.demo`'s `::3` refuse. On `127.0.0.1`, virtual listeners serve as the
 * real fixtures do: `hanging.demo`'s hands each line it receives to `onLine`, `v6-refuses.demo`'s echoes, and
 * `nobody.demo`'s port has none, so it refuses. `simulated` carries `why` for the demo to say.
 */
export async function simulatedDemoNetwork(onLine: (line: string) => void, why: string): Promise<DemoNetwork> {
  const network = createVirtualNetwork(asyncScheduler, {
    'hanging.demo': { addresses: { '::1': hang() } },
    'v6-refuses.demo': { addresses: { '::2': refuseAfter(ROUND_TRIP) } },
    'nobody.demo': { addresses: { '::3': refuseAfter(ROUND_TRIP) } },
  });
  const fixtures: Fixture[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  };
  try {
    fixtures.push(await listenFixture(PORTS.hanging, '127.0.0.1', (event) => event.channel.lines$.pipe(tap((line) => onLine(line))), network.transport));
    fixtures.push(await listenFixture(PORTS.v6Refuses, '127.0.0.1', (event) => event.channel.data$, network.transport));
  } catch (error) {
    await stop();
    throw error;
  }
  const names = { hanging: '::1', v6Refuses: '::2', nobody: '::3' } as const;
  const both = (ipv6: string) => [
    { address: ipv6, family: 6 as const },
    { address: '127.0.0.1', family: 4 as const },
  ];
  return {
    lookup: tableLookup(new Map([['hanging.demo', both(names.hanging)], ['v6-refuses.demo', both(names.v6Refuses)], ['nobody.demo', both(names.nobody)]])),
    transport: network.transport,
    simulated: why,
    hanging: { name: 'hanging.demo', ipv6: names.hanging, port: PORTS.hanging },
    v6Refuses: { name: 'v6-refuses.demo', ipv6: names.v6Refuses, port: PORTS.v6Refuses },
    nobody: { name: 'nobody.demo', ipv6: names.nobody, port: PORTS.nobody },
    stop,
  };
}
