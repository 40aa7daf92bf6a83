import { Subject } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import { parseScheduler } from '../validation/validate.js';
import { ipFamily, isExactIPv4, isWildcard, WILDCARD } from '../core/address.js';
import { NO_EVENTS } from '../transport/Transport.js';
import { NAMES_KEPT } from '../transport/Transport.js';
import type {
  DialRequest,
  ListenRequest,
  LookupAddress,
  LookupCallback,
  LookupFunction,
  LookupOptions,
  ServerEvents,
  SocketEvents,
  Transport,
  TransportServer,
  TransportSocket,
} from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { AddressScript, PeerScript } from './AddressScript.js';
import type { VirtualHosts, VirtualNetwork, VirtualNetworkOptions, VirtualSocketRecord, VirtualLookupRecord, LookupScript, VirtualHost } from './VirtualNetwork.js';
import { checkHosts, checkNetworkOptions } from './validate.js';

type MutableSocketRecord = { -readonly [K in keyof VirtualSocketRecord]: VirtualSocketRecord[K] };
type MutableLookupRecord = { -readonly [K in keyof VirtualLookupRecord]: VirtualLookupRecord[K] };

function errnoError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { code, ...extra });
}

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}

/** One end of a virtual TCP connection, with Node's semantics where rxconnect relies on them. */
class VirtualSocket implements TransportSocket {
  events: SocketEvents;
  remoteAddress: SocketAddress | undefined;
  readonly writableLength = 0;
  readonly writableHighWaterMark = 16384;
  readonly record: MutableSocketRecord;
  /** Where our writes go: the paired socket, or a scripted peer. */
  sink: { data(chunk: Uint8Array): void; end(): void; reset(): void } | undefined;
  onDestroy: (() => void) | undefined;
  /** Stays writable after the far side's EOF (a listener's `allowHalfOpen`). */
  allowHalfOpen = false;
  private readonly scheduler: SchedulerLike;
  private readonly inbox: Uint8Array[] = [];
  private paused = true;
  private flushing: Subscription | undefined;
  private peerEnded = false;
  private endDelivered = false;
  private writeEnded = false;
  private closed = false;
  private local: SocketAddress | undefined;
  /** localAddress was read: it is kept whatever closes the socket (see destroy). */
  private localRead = false;

  constructor(scheduler: SchedulerLike, events: SocketEvents, record: MutableSocketRecord) {
    this.scheduler = scheduler;
    this.events = events;
    this.record = record;
  }

  get [NAMES_KEPT](): true {
    return true;
  }

  get localAddress(): SocketAddress | undefined {
    this.localRead = true;
    return this.local;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(chunk: Uint8Array, done?: (error?: Error | null) => void): boolean {
    if (this.closed || this.writeEnded) {
      const error = errnoError('EPIPE', 'write EPIPE');
      this.later(() => done?.(error));
      return false;
    }
    const copy = Uint8Array.from(chunk);
    (this.record.sent as Uint8Array[]).push(copy);
    this.sink?.data(copy);
    this.later(() => done?.(null));
    return true;
  }

  end(done?: (error?: Error | null) => void): void {
    if (this.closed) {
      this.later(() => done?.(null));
      return;
    }
    if (!this.writeEnded) {
      this.writeEnded = true;
      this.sink?.end();
    }
    this.later(() => {
      done?.(null);
      this.maybeClose();
    });
  }

  destroy(): void {
    if (this.closed) return;
    if (this.record.state === 'connecting') this.record.state = 'cancelled';
    // As rxconnect's Node client sockets: a local name nobody read is not kept past the owner's own destroy(),
    // unless the peer's EOF came first. So a test on the virtual network sees what production would.
    if (this.record.side === 'client' && !this.localRead && !this.endDelivered && !isExactIPv4(this.record.local)) this.local = undefined;
    const sink = this.sink;
    this.sink = undefined;
    // As Node's destroy(): a FIN for the far side, unless unread input makes the kernel send a reset instead.
    if (sink !== undefined) {
      if (this.inbox.length > 0) sink.reset();
      else if (!this.writeEnded) sink.end();
    }
    this.close();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.scheduleFlush();
  }

  /**
   * Delivers on the scheduler, in the same virtual instant but never re-entrantly: as with Node, no 'data' is
   * emitted from inside write() or resume(), so a client answering every message cannot recurse.
   */
  private scheduleFlush(): void {
    this.flushing ??= this.scheduler.schedule(() => {
      this.flushing = undefined;
      this.flush();
    });
  }

  /** Bytes from the far side. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.inbox.push(chunk);
    if (!this.paused) this.scheduleFlush();
  }

  /** EOF from the far side. */
  receiveEnd(): void {
    if (this.closed || this.peerEnded) return;
    this.peerEnded = true;
    if (!this.paused) this.scheduleFlush();
  }

  /** A reset from the far side. */
  receiveReset(code = 'ECONNRESET'): void {
    if (this.closed) return;
    this.sink = undefined;
    const syscall = code === 'EPIPE' ? 'write' : 'read';
    this.events.error(errnoError(code, `${syscall} ${code}`, { syscall }));
    this.close();
  }

  /** The attempt's outcome, as the script decides. */
  fail(error: Error, state: VirtualSocketRecord['state']): void {
    if (this.closed) return;
    this.record.state = state;
    this.events.error(error);
    this.close();
  }

  connect(local: SocketAddress, remote: SocketAddress): void {
    this.local = local;
    this.remoteAddress = remote;
    this.record.state = 'connected';
    this.events.connect();
  }

  private flush(): void {
    while (!this.paused && !this.closed && this.inbox.length > 0) this.events.data(this.inbox.shift() as Uint8Array);
    if (!this.paused && !this.closed && this.peerEnded && this.inbox.length === 0 && !this.endDelivered) {
      this.endDelivered = true;
      this.events.end();
      // Unless half-open (as Node's client sockets are not), EOF from the peer ends our side too.
      if (!this.writeEnded && !this.allowHalfOpen) this.end();
      else this.maybeClose();
    }
  }

  private maybeClose(): void {
    if (this.writeEnded && this.endDelivered) this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flushing?.unsubscribe();
    this.record.closedAt = this.scheduler.now();
    if (this.record.state === 'connected') this.record.state = 'closed';
    this.onDestroy?.();
    const events = this.events;
    this.later(() => events.close());
  }

  private later(work: () => void): void {
    this.scheduler.schedule(work);
  }
}

class VirtualServer implements TransportServer {
  readonly address: SocketAddress;
  readonly events: ServerEvents;
  readonly allowHalfOpen: boolean;
  private readonly onClose: () => void;
  private open = true;

  constructor(address: SocketAddress, events: ServerEvents, allowHalfOpen: boolean, onClose: () => void) {
    this.address = address;
    this.events = events;
    this.allowHalfOpen = allowHalfOpen;
    this.onClose = onClose;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.onClose();
  }
}

/**
 * Builds a virtual network on a scheduler, for marble tests of connects in virtual time.
 *
 * `hosts` maps each name to its addresses (in resolver order) and each address to a script: connect after a
 * delay, refuse, time out, hang, or fail with a code. A connected address can run a {@link PeerScript}, so the
 * server side can be scripted with marbles. The network records every socket opened and closed, and every
 * lookup, so a spec can assert that nothing leaked. Dialing an address no host lists is refused at once.
 *
 * ## Example
 * ```ts
 * import { TestScheduler } from 'rxjs/testing';
 * import { connectAsync$ } from 'rxconnect';
 * import { connectAfter, createVirtualNetwork, hang } from 'rxconnect/testing';
 *
 * const scheduler = new TestScheduler((a, e) => expect(a).toStrictEqual(e));
 * scheduler.run(() => {
 *   const network = createVirtualNetwork(scheduler, {
 *     'dual.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(10) } },
 *   });
 *   connectAsync$('dual.test', 80, { transport: network.transport }).subscribe();
 * });
 * ```
 *
 * @param scheduler The scheduler virtual time comes from (a `TestScheduler`, usually).
 * @param hosts The names, addresses and scripts.
 * @param options The client's apparent local addresses.
 * @returns The {@link VirtualNetwork}.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError for a bad scheduler, host, script or option; its
 * `argument` names the piece, e.g. `hosts["a.test"].addresses["192.0.2.1"].after`.
 */
export function createVirtualNetwork(scheduler: SchedulerLike, hosts: VirtualHosts, options: VirtualNetworkOptions = {}): VirtualNetwork {
  parseScheduler(scheduler, 'scheduler', undefined);
  const scripts = checkHosts(hosts);
  const checked = checkNetworkOptions(options);
  const localFor = { 4: checked.localAddresses?.[4] ?? '127.0.0.1', 6: checked.localAddresses?.[6] ?? '::1' };
  const families = new Set<4 | 6>(checked.families ?? [4, 6]);
  const sockets: MutableSocketRecord[] = [];
  const live: VirtualSocket[] = [];
  const lookups: MutableLookupRecord[] = [];
  const servers = new Map<string, VirtualServer>();
  let nextPort = 49152;
  const key = (address: string, port: number): string => `[${address}]:${port}`;

  function record(side: 'client' | 'server', remote: SocketAddress, local: SocketAddress | undefined): MutableSocketRecord {
    const sent: Uint8Array[] = [];
    const r: MutableSocketRecord = {
      id: sockets.length, side, remote, local, openedAt: scheduler.now(), closedAt: undefined, state: 'connecting', sent,
      sentText: () => new TextDecoder().decode(Buffer.concat(sent)),
    };
    sockets.push(r);
    return r;
  }

  function open(side: 'client' | 'server', events: SocketEvents, remote: SocketAddress, local: SocketAddress | undefined): VirtualSocket {
    const socket = new VirtualSocket(scheduler, events, record(side, remote, local));
    live.push(socket);
    socket.onDestroy = () => live.splice(live.indexOf(socket), 1);
    return socket;
  }

  /**
   * Linux's rules for a client bound to a port (libuv sets SO_REUSEADDR): binding where a listener has the port
   * fails with EADDRINUSE; several clients may share a local port, unless their remote ends are the same too,
   * which fails the connect with EADDRNOTAVAIL.
   */
  function bindProblem(local: SocketAddress, remote: SocketAddress): 'EADDRINUSE' | 'EADDRNOTAVAIL' | undefined {
    if (portInUse(local.address, local.family, local.port)) return 'EADDRINUSE';
    const address = usedAddress(local.address, remote.family);
    const sameTuple = live.some(
      (s) =>
        s.record.side === 'client' &&
        s.record.local?.port === local.port &&
        usedAddress(s.record.local.address, s.record.remote.family) === address &&
        s.record.remote.address === remote.address &&
        s.record.remote.port === remote.port,
    );
    return sameTuple ? 'EADDRNOTAVAIL' : undefined;
  }

  /** The local address a client bound to `requested` actually uses: the wildcard means the family's local one. */
  function usedAddress(requested: string, family: 4 | 6): string {
    return isWildcard(requested) ? localFor[family] : requested;
  }

  function answer(host: string, family: 4 | 6, spec: VirtualHost): { after: number; error: string | undefined; addresses: string[] } {
    const script = family === 4 ? spec.lookup?.ipv4 : spec.lookup?.ipv6;
    const after = typeof script === 'number' ? script : script?.after ?? 0;
    const error = typeof script === 'object' ? script.error : undefined;
    const addresses = Object.keys(spec.addresses).filter((a) => ipFamily(a) === family);
    return { after, error: error ?? (addresses.length === 0 ? 'ENOTFOUND' : undefined), addresses };
  }

  const lookup: LookupFunction = (hostname: string, opts: LookupOptions, callback: LookupCallback) => {
    const family = opts.family;
    const r: MutableLookupRecord = { host: hostname, family, at: scheduler.now(), answeredAt: undefined, error: undefined, addresses: [] };
    lookups.push(r);
    let after = 0;
    let error: string | undefined;
    let addresses: string[] = [];
    const literal = ipFamily(hostname);
    const spec = Object.prototype.hasOwnProperty.call(hosts, hostname) ? hosts[hostname] : undefined;
    if (literal !== 0) {
      addresses = family === 0 || family === literal ? [hostname] : [];
      error = addresses.length === 0 ? 'ENOTFOUND' : undefined;
    } else if (spec === undefined) {
      error = 'ENOTFOUND';
    } else if (family !== 0) {
      ({ after, error, addresses } = answer(hostname, family, spec));
    } else {
      const six = answer(hostname, 6, spec);
      const four = answer(hostname, 4, spec);
      after = Math.max(six.after, four.after);
      const ok = new Set([...(six.error === undefined ? six.addresses : []), ...(four.error === undefined ? four.addresses : [])]);
      addresses = Object.keys(spec.addresses).filter((a) => ok.has(a));
      error = addresses.length > 0 ? undefined : four.error ?? six.error;
    }
    const action = scheduler.schedule(() => {
      r.answeredAt = scheduler.now();
      if (error !== undefined) {
        r.error = error;
        callback(errnoError(error, `getaddrinfo ${error} ${hostname}`, { hostname, syscall: 'getaddrinfo' }));
        return;
      }
      r.addresses = addresses;
      const list: LookupAddress[] = addresses.map((address) => ({ address, family: ipFamily(address) }));
      callback(null, list);
    }, after);
    return { cancel: () => action.unsubscribe() };
  };

  function dial(request: DialRequest, events: SocketEvents): TransportSocket {
    const { remote } = request;
    const requested = request.local;
    const problem = requested !== undefined && requested.port !== 0 ? bindProblem(requested, remote) : undefined;
    const socket = open('client', events, remote, requested);
    if (problem !== undefined && requested !== undefined) {
      const syscall = problem === 'EADDRINUSE' ? 'bind' : 'connect';
      scheduler.schedule(() => socket.fail(errnoError(problem, `${syscall} ${problem} ${requested.address}:${requested.port}`, { syscall }), 'failed'));
      return socket;
    }
    const local: SocketAddress = {
      address: requested === undefined ? localFor[remote.family] : usedAddress(requested.address, remote.family),
      family: remote.family,
      port: requested !== undefined && requested.port !== 0 ? requested.port : nextPort++,
    };
    if (serverFor(remote) !== undefined) {
      scheduler.schedule(() => {
        if (socket.isClosed) return;
        // The listener may have closed meanwhile: then nobody accepts.
        const server = serverFor(remote);
        if (server === undefined) {
          socket.fail(errnoError('ECONNREFUSED', `connect ECONNREFUSED ${remote.address}:${remote.port}`, { syscall: 'connect' }), 'refused');
          return;
        }
        const accepted = open('server', NO_EVENTS, local, remote);
        accepted.allowHalfOpen = server.allowHalfOpen;
        pair(socket, accepted);
        accepted.connect(remote, local);
        socket.connect(local, remote);
        server.events.connection(accepted);
      });
      return socket;
    }
    const script: AddressScript = scripts.get(remote.address) ?? { outcome: 'refuse', after: 0 };
    const where = `${remote.address}:${remote.port}`;
    const extra = { syscall: 'connect', address: remote.address, port: remote.port };
    let pending: Subscription | undefined;
    switch (script.outcome) {
      case 'connect':
        pending = scheduler.schedule(() => {
          // The peer is wired first, so what the client writes in its connect handler reaches it.
          runPeer(socket, script.peer);
          if (!socket.isClosed) socket.connect(local, remote);
        }, script.after);
        break;
      case 'refuse':
        pending = scheduler.schedule(() => socket.fail(errnoError('ECONNREFUSED', `connect ECONNREFUSED ${where}`, extra), 'refused'), script.after);
        break;
      case 'timeout':
        pending = scheduler.schedule(() => socket.fail(errnoError('ETIMEDOUT', `connect ETIMEDOUT ${where}`, extra), 'timed out'), script.after);
        break;
      case 'fail':
        pending = scheduler.schedule(() => socket.fail(errnoError(script.code, `connect ${script.code} ${where}`, extra), 'failed'), script.after);
        break;
      case 'hang':
        break;
    }
    const before = socket.onDestroy;
    socket.onDestroy = () => {
      pending?.unsubscribe();
      before?.();
    };
    return socket;
  }

  function pair(a: VirtualSocket, b: VirtualSocket): void {
    a.sink = sinkTo(a, b);
    b.sink = sinkTo(b, a);
  }

  /** From one end to the other. Writing to an end that has closed gets a reset back, as on Linux (EPIPE). */
  function sinkTo(from: VirtualSocket, to: VirtualSocket): NonNullable<VirtualSocket['sink']> {
    return {
      data: (c) => {
        if (to.isClosed) scheduler.schedule(() => from.receiveReset('EPIPE'));
        else to.receive(c);
      },
      end: () => to.receiveEnd(),
      reset: () => to.receiveReset(),
    };
  }

  function runPeer(socket: VirtualSocket, peer: PeerScript | undefined): void {
    const fromClient = new Subject<Uint8Array>();
    let subscription: Subscription | undefined;
    socket.sink = {
      data: (c) => fromClient.next(c),
      end: () => fromClient.complete(),
      reset: () => {
        fromClient.complete();
        subscription?.unsubscribe();
      },
    };
    const before = socket.onDestroy;
    socket.onDestroy = () => {
      fromClient.complete();
      subscription?.unsubscribe();
      before?.();
    };
    if (peer === undefined) return;
    subscription = peer(fromClient.asObservable()).subscribe({
      next: (value) => socket.receive(toBytes(value)),
      error: () => socket.receiveReset(),
      complete: () => socket.receiveEnd(),
    });
  }


  /** The listener a dial to `remote` reaches: one on that very address, or on its family's wildcard. */
  function serverFor(remote: SocketAddress): VirtualServer | undefined {
    return servers.get(key(remote.address, remote.port)) ?? servers.get(key(WILDCARD[remote.family], remote.port));
  }

  /** Addresses a listener may bind: the wildcards, loopback, and the network's own local addresses. */
  function isLocal(address: string, family: 4 | 6): boolean {
    if (address === WILDCARD[family] || address === localFor[family]) return true;
    return family === 4 ? address.startsWith('127.') : address === '::1';
  }

  /** Linux's rule for listeners: the same port and family clash when the addresses match or one is a wildcard. */
  function portInUse(address: string, family: 4 | 6, port: number): boolean {
    for (const s of servers.values()) {
      if (s.address.family !== family || s.address.port !== port) continue;
      if (s.address.address === address || s.address.address === WILDCARD[family] || address === WILDCARD[family]) return true;
    }
    return false;
  }

  function listen(request: ListenRequest, events: ServerEvents, done: (error: Error | null, server?: TransportServer) => void): void {
    const { local } = request;
    const fail = (code: string, syscall: string): void => {
      const error = errnoError(code, `${syscall} ${code} ${local.address}:${local.port}`, { syscall, address: local.address, port: local.port });
      scheduler.schedule(() => done(error));
    };
    if (!families.has(local.family)) return fail('EAFNOSUPPORT', 'listen');
    if (!isLocal(local.address, local.family)) return fail('EADDRNOTAVAIL', 'listen');
    let port = local.port;
    if (port === 0) {
      do port = nextPort++;
      while (portInUse(local.address, local.family, port));
    } else if (portInUse(local.address, local.family, port)) {
      return fail('EADDRINUSE', 'listen');
    }
    const k = key(local.address, port);
    const server = new VirtualServer({ ...local, port }, events, request.allowHalfOpen === true, () => servers.delete(k));
    servers.set(k, server);
    scheduler.schedule(() => done(null, server));
  }

  return {
    transport: { lookup, dial, listen },
    lookup,
    sockets,
    lookups,
    openSockets: () => sockets.filter((s) => s.closedAt === undefined),
    listeners: () => [...servers.values()].map((s) => s.address),
  };
}
