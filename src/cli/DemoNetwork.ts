import type { LookupFunction, Transport } from '../index.js';

/** A fixture name, its IPv6 address (it also has `127.0.0.1`) and the port its addresses share. */
export type DemoName = { readonly name: string; readonly ipv6: string; readonly port: number };

/** The demo's network, on loopback or simulated. Names come from `lookup`: no DNS is involved. */
export type DemoNetwork = {
  /** A `dns.lookup`-compatible function that knows the three names below. */
  readonly lookup: LookupFunction;
  /** The transport to connect through: undefined for the real loopback, the virtual network's when simulated. */
  readonly transport: Transport | undefined;
  /** Why the scenes run on the virtual network instead of loopback; undefined when they run on loopback. */
  readonly simulated: string | undefined;
  /** IPv6 hangs (a full accept queue); `127.0.0.1` answers and reports each line it receives. */
  readonly hanging: DemoName;
  /** IPv6 refuses; `127.0.0.1` answers. */
  readonly v6Refuses: DemoName;
  /** IPv6 and `127.0.0.1` both refuse. */
  readonly nobody: DemoName;
  /** Stops every fixture (listeners, clients, the child process). Idempotent. */
  stop(): Promise<void>;
};
