import type { Subscriber } from 'rxjs';
import { Channel } from '../channel/Channel.js';
import { ConnectError } from '../errors/ConnectError.js';
import { errorCode, listenFailure, lookupFailure, mostRelevant } from '../errors/codes.js';
import { safeLookup } from '../transport/lookup.js';
import { WILDCARD } from '../core/address.js';
import type { ServerEvents, TransportServer, TransportSocket } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { TlsSession } from '../core/tls.js';
import { tlsInfo } from '../core/tlsInfo.js';
import type { ConnectionEvent, HandshakeFailedEvent, ServerEvent } from './ServerEvent.js';
import type { ListenPlan } from './listenPlan.js';
import { ServerHandshake } from './ServerHandshake.js';
import type { HandshakeClient } from './ServerHandshake.js';

/** How often port 0 is tried again when the port the first family got is taken on a later one (as Tcl 9). */
export const PORT_RETRIES = 10;

/** Bind errors that mean "this address or family is not here", skipped when other addresses work. */
const NOT_HERE = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EPFNOSUPPORT']);

/** The events of clients, kept until `listening` has been emitted. */
type ClientEvent = ConnectionEvent | HandshakeFailedEvent;

/**
 * Where a listen is. `start` goes to `resolving` for a `myaddr` name, else to `binding`; the transitions:
 *
 *   resolving  answered (addresses)                          → binding    (IPv4 first, each family in resolver order)
 *   resolving  answered (none)                               → done       (failed)
 *   binding    every candidate bound or skipped, one bound   → listening  (the connections queued meanwhile follow)
 *   binding    every candidate skipped                       → done       (failed with the most relevant error)
 *   binding    port 0's shared port taken on a later address → binding    (all closed, a new round; after
 *                                                                          PORT_RETRIES rounds each takes its own)
 *   binding    any other bind error                          → done       (failed)
 *   any        a server's error                              → done       (failed)
 *   any        teardown                                      → done
 *
 * In `done` every input is ignored on purpose: a lookup answer, bind or accepted socket already on its way has
 * nothing left to join (a server is closed, a socket destroyed).
 */
type Phase = 'resolving' | 'binding' | 'listening' | 'done';

/** The addresses of one listen and the state of their binding round. */
type Binding = {
  readonly candidates: readonly SocketAddress[];
  /** A name's addresses may be skipped when not local; wildcards when their family is missing. */
  readonly skippable: boolean;
  /** Counts the rounds of port 0, from 0: from PORT_RETRIES on, each address takes a port of its own. */
  round: number;
  /** With port 0: the port the first listener of this round got, asked for by the others. */
  sharedPort: number | undefined;
  /** This round's errors of addresses skipped as not here. */
  readonly skipped: unknown[];
};

/**
 * One subscription's listeners: resolves `myaddr`, binds every local address (IPv4 first, one shared port for
 * port 0), announces them, and turns accepted sockets into Channels (with `tls`, once their handshake is over).
 */
export class ListenRun {
  private readonly plan: ListenPlan;
  private readonly subscriber: Subscriber<ServerEvent>;
  private phase: Phase = 'binding';
  private binding: Binding | undefined;
  private servers: TransportServer[] = [];
  /** Clients accepted (and with `tls`, through their handshake) before `listening` was emitted. */
  private readonly queued: ClientEvent[] = [];
  /** With `tls`: the handshakes still running. */
  private readonly handshakes = new Set<ServerHandshake>();
  private cancelLookup: (() => void) | undefined;

  constructor(plan: ListenPlan, subscriber: Subscriber<ServerEvent>) {
    this.plan = plan;
    this.subscriber = subscriber;
  }

  start(): void {
    const { myaddr, myaddrFamily, family, port } = this.plan;
    if (myaddr === undefined) {
      const families = ([4, 6] as const).filter((f) => family === 0 || f === family);
      this.bindAll(families.map((f) => ({ address: WILDCARD[f], family: f, port })), true);
      return;
    }
    if (myaddrFamily !== 0) {
      this.bindAll([{ address: myaddr, family: myaddrFamily, port }], false);
      return;
    }
    this.phase = 'resolving';
    this.lookup(myaddr, (error, addresses) => {
      if (addresses.length === 0) {
        this.fail(new ConnectError(lookupFailure(`local address ${myaddr}`, error, port)));
        return;
      }
      // IPv4 first, as Tcl sorts its passive addresses; resolver order within a family.
      this.bindAll([...addresses.filter((a) => a.family === 4), ...addresses.filter((a) => a.family === 6)], true);
    });
  }

  /**
   * Closes the listeners and drops connections not yet handed out, handshakes still running among them. Accepted,
   * announced channels live on.
   */
  teardown(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.release();
  }

  private release(): void {
    const cancel = this.cancelLookup;
    this.cancelLookup = undefined;
    cancel?.();
    for (const s of this.servers.splice(0)) s.close();
    for (const h of this.handshakes) h.cancel();
    this.handshakes.clear();
    for (const e of this.queued.splice(0)) if (e.type === 'connection') e.channel.destroy();
  }

  private fail(error: ConnectError): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.release();
    this.subscriber.error(error);
  }

  private bindAll(candidates: readonly SocketAddress[], skippable: boolean): void {
    this.phase = 'binding';
    const binding: Binding = { candidates, skippable, round: 0, sharedPort: undefined, skipped: [] };
    this.binding = binding;
    this.bindNext(binding, 0);
  }

  /** Closes this round's listeners and starts the next round from the first candidate. */
  private bindAgain(binding: Binding): void {
    for (const s of this.servers.splice(0)) s.close();
    binding.round++;
    binding.skipped.length = 0;
    binding.sharedPort = undefined;
    this.bindNext(binding, 0);
  }

  /**
   * Binds candidate `i`. With port 0, the first listener's port is reused by the others; if that port is taken
   * on a later address, everything is closed and tried again, up to PORT_RETRIES rounds; after that each
   * address takes a port of its own.
   */
  private bindNext(binding: Binding, i: number): void {
    if (this.phase !== 'binding') return;
    const candidate = binding.candidates[i];
    if (candidate === undefined) {
      this.bound(binding);
      return;
    }
    const requested = this.plan.port;
    const ownPorts = requested === 0 && binding.round >= PORT_RETRIES;
    const local: SocketAddress = { ...candidate, port: ownPorts ? 0 : binding.sharedPort ?? requested };
    const where = { address: local.address, port: local.port };
    let answered = false;
    const done = (error: Error | null, server?: TransportServer): void => {
      if (answered) return;
      answered = true;
      if (this.phase !== 'binding') {
        server?.close();
        return;
      }
      if (error === null && server !== undefined) {
        this.servers.push(server);
        if (requested === 0 && !ownPorts) binding.sharedPort ??= server.address.port;
        this.bindNext(binding, i + 1);
        return;
      }
      const cause = error ?? new Error('the transport gave neither a server nor an error');
      const code = errorCode(cause);
      if (binding.skippable && NOT_HERE.has(code)) {
        binding.skipped.push(cause);
        this.bindNext(binding, i + 1);
        return;
      }
      if (code === 'EADDRINUSE' && requested === 0 && !ownPorts && binding.sharedPort !== undefined) {
        this.bindAgain(binding);
        return;
      }
      this.fail(new ConnectError(listenFailure(cause, where)));
    };
    const { backlog, allowHalfOpen, noDelay, keepAlive } = this.plan;
    try {
      this.plan.transport.listen({ local, backlog, allowHalfOpen, noDelay, keepAlive }, this.serverEvents(local), done);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private bound(binding: Binding): void {
    if (this.servers.length === 0) {
      const best = mostRelevant(binding.skipped, errorCode);
      const c = binding.candidates[0];
      this.fail(new ConnectError(listenFailure(best ?? new Error('no address to listen on'), { address: c?.address, port: this.plan.port })));
      return;
    }
    this.phase = 'listening';
    const socknames = this.servers.map((s) => ({ address: s.address.address, host: s.address.address, port: s.address.port }));
    if (!this.emit({ type: 'listening', socknames })) return;
    while (this.queued.length > 0) if (!this.emit(this.queued.shift() as ClientEvent)) return;
  }

  private serverEvents(local: SocketAddress): ServerEvents {
    return {
      connection: (socket) => this.accepted(socket),
      error: (error) => this.fail(new ConnectError(listenFailure(error, { address: local.address, port: this.binding?.sharedPort ?? local.port }))),
    };
  }

  private accepted(socket: TransportSocket): void {
    if (this.phase === 'done') {
      socket.destroy();
      return;
    }
    const remote = socket.remoteAddress;
    const client: HandshakeClient = { address: remote?.address ?? '', port: remote?.port ?? 0 };
    const { tls, transport, scheduler } = this.plan;
    if (tls === undefined) {
      this.connected(socket, client, undefined);
      return;
    }
    const handshake = new ServerHandshake(socket, client, scheduler, (h, error, session) => this.handshakeEnded(h, error, session));
    this.handshakes.add(handshake);
    handshake.start(transport, tls);
  }

  /**
   * A client's handshake ended: its channel, or its failure as data (the server goes on). Never in `done`: the
   * teardown cancels every handshake, and a cancelled one reports nothing.
   */
  private handshakeEnded(handshake: ServerHandshake, error: ConnectError | null, session: TlsSession | undefined): void {
    this.handshakes.delete(handshake);
    const { socket, client } = handshake;
    if (error === null) this.connected(socket, client, session);
    else this.announce({ type: 'handshakeFailed', error, clientAddress: client.address, clientPort: client.port });
  }

  private connected(socket: TransportSocket, client: HandshakeClient, session: TlsSession | undefined): void {
    const { encoding, translation, maxLineLength, allowHalfOpen, scheduler } = this.plan;
    const channel = new Channel(socket, { encoding, translation, maxLineLength, allowHalfOpen, scheduler });
    const event: ConnectionEvent = { type: 'connection', channel, clientAddress: client.address, clientPort: client.port };
    this.announce(session === undefined ? event : { ...event, tls: tlsInfo(session) });
  }

  /** Emits a client's event once listening; until then, keeps it. */
  private announce(event: ClientEvent): void {
    if (this.phase === 'listening') this.emit(event);
    else this.queued.push(event);
  }

  /** Emits unless the subscriber is gone; returns whether it is still there. */
  private emit(event: ServerEvent): boolean {
    if (this.subscriber.closed) {
      if (event.type === 'connection') event.channel.destroy();
      return false;
    }
    this.subscriber.next(event);
    return !this.subscriber.closed;
  }

  /** Runs the lookup function safely: it may throw, call back twice, or answer with junk. */
  private lookup(host: string, done: (error: unknown, addresses: SocketAddress[]) => void): void {
    const { family, port } = this.plan;
    this.cancelLookup = safeLookup(this.plan.lookup, host, family, port, (error, addresses) => {
      this.cancelLookup = undefined;
      if (this.phase === 'resolving') done(error, addresses);
    });
  }
}
