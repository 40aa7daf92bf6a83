import { isWildcard, WILDCARD } from '../core/address.js';
import type { SocketAddress } from '../core/socket.js';
import type { VirtualServer } from './VirtualServer.js';
import type { VirtualSocket } from './VirtualSocket.js';

/**
 * The virtual network's listeners, local addresses and ports, with Linux's rules for binding and listening, so
 * that a spec on the virtual network meets the errors a Linux host would give.
 */
export class LinuxPortRules {
  /** Ports handed out for port 0 and for unbound clients count up from here, the start of IANA's dynamic range. */
  private nextPort = 49152;
  private readonly servers = new Map<string, VirtualServer>();
  /** The address the client side of a connection appears to come from, per family. */
  private readonly localFor: Readonly<Record<4 | 6, string>>;
  /** The sockets still open (the network keeps the list). */
  private readonly live: readonly VirtualSocket[];

  constructor(localFor: Readonly<Record<4 | 6, string>>, live: readonly VirtualSocket[]) {
    this.localFor = localFor;
    this.live = live;
  }

  /** The next ephemeral port. */
  ephemeralPort(): number {
    return this.nextPort++;
  }

  /** The local address a client bound to `requested` actually uses: the wildcard means the family's local one. */
  usedAddress(requested: string | undefined, family: 4 | 6): string {
    return requested === undefined || isWildcard(requested) ? this.localFor[family] : requested;
  }

  /**
   * Linux's rules for a client bound to a port (libuv sets SO_REUSEADDR): binding where a listener has the port
   * fails with EADDRINUSE; several clients may share a local port, unless their remote ends are the same too,
   * which fails the connect with EADDRNOTAVAIL.
   */
  bindProblem(local: SocketAddress, remote: SocketAddress): 'EADDRINUSE' | 'EADDRNOTAVAIL' | undefined {
    if (this.portInUse(local.address, local.family, local.port)) return 'EADDRINUSE';
    const address = this.usedAddress(local.address, remote.family);
    const sameTuple = this.live.some(
      (s) =>
        s.record.side === 'client' &&
        s.record.local?.port === local.port &&
        this.usedAddress(s.record.local.address, s.record.remote.family) === address &&
        s.record.remote.address === remote.address &&
        s.record.remote.port === remote.port,
    );
    return sameTuple ? 'EADDRNOTAVAIL' : undefined;
  }

  /** Addresses a listener may bind: the wildcards, loopback, and the network's own local addresses. */
  isLocal(address: string, family: 4 | 6): boolean {
    if (address === WILDCARD[family] || address === this.localFor[family]) return true;
    return family === 4 ? address.startsWith('127.') : address === '::1';
  }

  /** Linux's rule for listeners: the same port and family clash when the addresses match or one is a wildcard. */
  portInUse(address: string, family: 4 | 6, port: number): boolean {
    for (const s of this.servers.values()) {
      if (s.address.family !== family || s.address.port !== port) continue;
      if (s.address.address === address || s.address.address === WILDCARD[family] || address === WILDCARD[family]) return true;
    }
    return false;
  }

  /** A free port for a listener on `address` that asked for port 0. */
  freePort(address: string, family: 4 | 6): number {
    let port: number;
    do port = this.nextPort++;
    while (this.portInUse(address, family, port));
    return port;
  }

  /** Adds a listener. */
  add(server: VirtualServer): void {
    this.servers.set(keyOf(server.address.address, server.address.port), server);
  }

  /** Removes a listener that has closed. */
  remove(server: VirtualServer): void {
    this.servers.delete(keyOf(server.address.address, server.address.port));
  }

  /** The listener a dial to `remote` reaches: one on that very address, or on its family's wildcard. */
  serverFor(remote: SocketAddress): VirtualServer | undefined {
    return this.servers.get(keyOf(remote.address, remote.port)) ?? this.servers.get(keyOf(WILDCARD[remote.family], remote.port));
  }

  /** The addresses listened on. */
  listening(): SocketAddress[] {
    return [...this.servers.values()].map((s) => s.address);
  }
}

function keyOf(address: string, port: number): string {
  return `[${address}]:${port}`;
}
