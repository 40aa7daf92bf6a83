import type { DemoNetwork } from './DemoNetwork.js';
import { DEMO_IPV6, loopbackDemoNetwork } from './fixtures.js';
import { simulatedDemoNetwork } from './simulatedNetwork.js';
import { oneLine } from './usage.js';

/** Why the loopback fixtures could not start, in a few words. */
export function loopbackProblem(error: unknown, ipv6: string): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return `this host has no IPv6 loopback address ${ipv6}`;
  return `the loopback fixtures did not start (${oneLine(error)})`;
}

/**
 * The demo's network: loopback fixtures when the host allows them, else the same three names on
 * rxconnect/testing's virtual network in real time, with `simulated` saying why.
 */
export async function startDemoNetwork(onLine: (line: string) => void, ipv6: string = DEMO_IPV6): Promise<DemoNetwork> {
  try {
    return await loopbackDemoNetwork(onLine, ipv6);
  } catch (error) {
    return await simulatedDemoNetwork(onLine, loopbackProblem(error, ipv6));
  }
}
