import type { Subscriber } from 'rxjs';
import { Channel } from '../channel/Channel.js';
import { ConnectError } from '../errors/ConnectError.js';
import { errorCode, listenFailure, lookupFailure, mostRelevant } from '../errors/codes.js';
import { safeLookup } from '../transport/lookup.js';
import { WILDCARD } from '../core/address.js';
import type { ServerEvents, TransportServer, TransportSocket } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { ServerEvent } from './ServerEvent.js';
import type { ListenPlan } from './listenPlan.js';

/** How often port 0 is tried again when the port the first family got is taken on a later one (as Tcl 9). */
export const PORT_RETRIES = 10;


/** Bind errors that mean "this address or family is not here", skipped when other addresses work. */
const NOT_HERE = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EPROTONOSUPPORT', 'EPFNOSUPPORT']);

type ConnectionEvent = Extract<ServerEvent, { type: 'connection' }>;

/**
 * One subscription's listeners: resolves `myaddr`, binds every local address (IPv4 first, one shared port for
 * port 0), announces them, and turns accepted sockets into Channels.
 */
export class ListenRun {
  private readonly plan: ListenPlan;
  private readonly subscriber: Subscriber<ServerEvent>;
  /** Torn down, or failed: nothing more is bound or emitted. */
  private done = false;
  private listening = false;
  private candidates: SocketAddress[] = [];
  /** A name's addresses may be skipped when not local; wildcards when their family is missing. */
  private skippable = false;
  private servers: TransportServer[] = [];
  private readonly skipped: unknown[] = [];
  private sharedPort: number | undefined;
  private round = 0;
  /** Connections accepted before `listening` was emitted. */
  private readonly queued: ConnectionEvent[] = [];
  private cancelLookup: (() => void) | undefined;

  constructor(plan: ListenPlan, subscriber: Subscriber<ServerEvent>) {
    this.plan = plan;
    this.subscriber = subscriber;
  }

  start(): void {
    const { myaddr, myaddrFamily, family, port } = this.plan;
    if (myaddr === undefined) {
      this.skippable = true;
      this.bindAll(([4, 6] as const).filter((f) => family === 0 || f === family).map((f) => ({ address: WILDCARD[f], family: f, port })));
      return;
    }
    if (myaddrFamily !== 0) {
      this.bindAll([{ address: myaddr, family: myaddrFamily, port }]);
      return;
    }
    this.lookup(myaddr, (error, addresses) => {
      if (addresses.length === 0) {
        this.fail(new ConnectError(lookupFailure(`local address ${myaddr}`, error, port)));
        return;
      }
      this.skippable = true;
      // IPv4 first, as Tcl sorts its passive addresses; resolver order within a family.
      this.bindAll([...addresses.filter((a) => a.family === 4), ...addresses.filter((a) => a.family === 6)]);
    });
  }

  /** Closes the listeners and drops connections not yet handed out. Accepted, announced channels live on. */
  teardown(): void {
    if (this.done) return;
    this.done = true;
    this.release();
  }

  private release(): void {
    const cancel = this.cancelLookup;
    this.cancelLookup = undefined;
    try {
      cancel?.();
    } catch {
      // A resolver's cancel that throws changes nothing: its answer is ignored anyway.
    }
    for (const s of this.servers.splice(0)) s.close();
    for (const e of this.queued.splice(0)) e.channel.destroy();
  }

  private fail(error: ConnectError): void {
    if (this.done) return;
    this.done = true;
    this.release();
    this.subscriber.error(error);
  }

  private bindAll(candidates: SocketAddress[]): void {
    this.candidates = candidates;
    this.round = 0;
    this.bindRound();
  }

  private bindRound(): void {
    for (const s of this.servers.splice(0)) s.close();
    this.skipped.length = 0;
    this.sharedPort = undefined;
    this.bindNext(0);
  }

  /**
   * Binds candidate `i`. With port 0, the first listener's port is reused by the others; if that port is taken
   * on a later address, everything is closed and tried again, up to PORT_RETRIES rounds; after that each
   * address takes a port of its own.
   */
  private bindNext(i: number): void {
    if (this.done) return;
    const candidate = this.candidates[i];
    if (candidate === undefined) {
      this.bound();
      return;
    }
    const requested = this.plan.port;
    const ownPorts = requested === 0 && this.round >= PORT_RETRIES;
    const local: SocketAddress = { ...candidate, port: ownPorts ? 0 : this.sharedPort ?? requested };
    const where = { address: local.address, port: local.port };
    let answered = false;
    const done = (error: Error | null, server?: TransportServer): void => {
      if (answered) return;
      answered = true;
      if (this.done) {
        server?.close();
        return;
      }
      if (error === null && server !== undefined) {
        this.servers.push(server);
        if (requested === 0 && !ownPorts) this.sharedPort ??= server.address.port;
        this.bindNext(i + 1);
        return;
      }
      const cause = error ?? new Error('the transport gave neither a server nor an error');
      const code = errorCode(cause);
      if (this.skippable && NOT_HERE.has(code)) {
        this.skipped.push(cause);
        this.bindNext(i + 1);
        return;
      }
      if (code === 'EADDRINUSE' && requested === 0 && !ownPorts && this.sharedPort !== undefined) {
        this.round++;
        this.bindRound();
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

  private bound(): void {
    if (this.servers.length === 0) {
      const best = mostRelevant(this.skipped, errorCode);
      const c = this.candidates[0];
      this.fail(new ConnectError(listenFailure(best ?? new Error('no address to listen on'), { address: c?.address, port: this.plan.port })));
      return;
    }
    this.listening = true;
    const socknames = this.servers.map((s) => ({ address: s.address.address, host: s.address.address, port: s.address.port }));
    if (!this.emit({ type: 'listening', socknames })) return;
    while (this.queued.length > 0) if (!this.emit(this.queued.shift() as ConnectionEvent)) return;
  }

  private serverEvents(local: SocketAddress): ServerEvents {
    return {
      connection: (socket) => this.accepted(socket),
      error: (error) => this.fail(new ConnectError(listenFailure(error, { address: local.address, port: this.sharedPort ?? local.port }))),
    };
  }

  private accepted(socket: TransportSocket): void {
    if (this.done) {
      socket.destroy();
      return;
    }
    const { encoding, translation, maxLineLength, allowHalfOpen } = this.plan;
    const channel = new Channel(socket, { encoding, translation, maxLineLength, allowHalfOpen });
    const remote = socket.remoteAddress;
    const event: ConnectionEvent = { type: 'connection', channel, clientAddress: remote?.address ?? '', clientPort: remote?.port ?? 0 };
    if (this.listening) this.emit(event);
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
      if (!this.done) done(error, addresses);
    });
  }
}
