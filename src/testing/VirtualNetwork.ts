import type { LookupFunction, Transport } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { AddressScript } from './AddressScript.js';

/** How a virtual lookup of one family answers: after a delay (a number), or with an error code. */
export type LookupScript =
  | number
  | {
      /** When the lookup answers, in ms of virtual time. */
      readonly after: number;
      /** The errno code it fails with (`ENOTFOUND`, `EAI_AGAIN`, ...); absent for a normal answer. */
      readonly error?: string | undefined;
    };

/** One virtual host name: its addresses in resolver order, each with its script, and how its lookups answer. */
export type VirtualHost = {
  /** Address literal → script. Key order is the resolver order of a family-0 lookup. */
  readonly addresses: Readonly<Record<string, AddressScript>>;
  /** Per family: the lookup's delay in ms, or `{ after, error }`. Default: answers at once. */
  readonly lookup?:
    | {
        /** How the IPv4 lookup answers. */
        readonly ipv4?: LookupScript | undefined;
        /** How the IPv6 lookup answers. */
        readonly ipv6?: LookupScript | undefined;
      }
    | undefined;
};

/** Host name → {@link VirtualHost}. */
export type VirtualHosts = Readonly<Record<string, VirtualHost>>;

/** Options of {@link createVirtualNetwork}. */
export type VirtualNetworkOptions = {
  /** The address the client side of a virtual connection appears to come from, per family. */
  readonly localAddresses?:
    | {
        /** The IPv4 one. Default `127.0.0.1`. */
        readonly 4?: string;
        /** The IPv6 one. Default `::1`. */
        readonly 6?: string;
      }
    | undefined;
  /**
   * The address families this host has, for listeners: listening on a family not listed fails with
   * `EAFNOSUPPORT`, as on a host without IPv6. Default `[4, 6]`.
   */
  readonly families?: readonly (4 | 6)[] | undefined;
};

/** What happened to one virtual socket. */
export type VirtualSocketRecord = {
  /** Counts up from 0 in the order sockets were opened. */
  readonly id: number;
  /** `client` for dialed sockets, `server` for sockets accepted by a virtual listener. */
  readonly side: 'client' | 'server';
  /** The far end. */
  readonly remote: SocketAddress;
  /** The local binding asked for (client sockets), or the local end (server sockets). */
  readonly local: SocketAddress | undefined;
  /** Virtual time it opened. */
  readonly openedAt: number;
  /** Virtual time it closed; undefined while open. */
  readonly closedAt: number | undefined;
  /** Where it is: connecting, then connected and closed, or how its connect ended. */
  readonly state: 'connecting' | 'connected' | 'refused' | 'timed out' | 'failed' | 'cancelled' | 'closed';
  /**
   * The TLS handshake on it: undefined when none was started, `running` while under way, then `secured`,
   * `failed`, or `cancelled` when the socket was destroyed during it.
   */
  readonly tls: 'running' | 'secured' | 'failed' | 'cancelled' | undefined;
  /** The bytes the far side received from this socket (plaintext, also over TLS), in order. */
  readonly sent: readonly Uint8Array[];
  /** `sent` decoded as UTF-8. */
  sentText(): string;
};

/** One virtual lookup. */
export type VirtualLookupRecord = {
  /** The name looked up. */
  readonly host: string;
  /** The family asked for (0 for both). */
  readonly family: 0 | 4 | 6;
  /** Virtual time it was asked. */
  readonly at: number;
  /** Virtual time it answered; undefined if it has not (or was cancelled). */
  readonly answeredAt: number | undefined;
  /** The errno code it failed with, if it failed. */
  readonly error: string | undefined;
  /** The addresses it answered with. */
  readonly addresses: readonly string[];
};

/** A virtual network: a {@link Transport} for `connectAsync$`/`listen$`, and the record of what happened. */
export interface VirtualNetwork {
  /** Pass this as the `transport` option. */
  readonly transport: Transport;
  /** The network's `dns.lookup`-compatible resolver (also `transport.lookup`). */
  readonly lookup: LookupFunction;
  /** Every socket opened, in order. */
  readonly sockets: readonly VirtualSocketRecord[];
  /** Every lookup made, in order. */
  readonly lookups: readonly VirtualLookupRecord[];
  /** The sockets not closed yet: empty after a leak-free run. */
  openSockets(): VirtualSocketRecord[];
  /** The virtual listeners still listening. */
  listeners(): SocketAddress[];
}
