import { lookup as dnsLookup } from 'node:dns';
import { Socket } from 'node:net';
import type { SocketAddress } from '../core/socket.js';
import type { TlsSession } from '../core/tls.js';
import { isExactIPv4 } from '../core/address.js';
import { NAMES_KEPT, NO_EVENTS } from './Transport.js';
import type {
  DialRequest,
  NetSocket,
  ListenRequest,
  ServerEvents,
  SocketEvents,
  TlsDone,
  TlsRequest,
  Transport,
  TransportServer,
  TransportSocket,
} from './Transport.js';
import { prepareTls, wrapInTls } from './nodeTls.js';
import { HANDSHAKE, NodeHandshake, TLS_SESSION } from './NodeHandshake.js';
import { listenOn } from './nodeListen.js';

function endpoint(address: string | undefined, family: string | number | undefined, port: number | undefined): SocketAddress | undefined {
  if (address === undefined || port === undefined) return undefined;
  const fam = family === 'IPv6' || family === 6 ? 6 : 4;
  return { address, family: fam, port };
}

/** The NodeSocket that owns a net.Socket, for the listeners below. */
const OWNER = Symbol('rxconnect.NodeSocket');
type OwnedSocket = Socket & { [OWNER]: NodeSocket };

// NodeSocket.flags bits (one field: there is one NodeSocket per connection).
/** resume() has been called: the socket reads, and its 'data' and 'end' are listened to. */
const READ_STARTED = 1;
/** A write has returned false: 'drain' is listened to. */
const DRAIN_WATCHED = 2;
/** The owner called destroy(): a local name not read by then is not read, unless the peer's EOF came first. */
const OWN_DESTROY = 4;
/**
 * lingeringClose() was called before the peer's EOF: incoming data is read and discarded until that EOF, the
 * socket no longer pauses, and the owner closed it (for the local name, as OWN_DESTROY).
 */
const LINGERING = 8;

/** How much a lingering close reads and discards before it gives up on the peer's EOF and releases the socket. */
const LINGER_MAX_BYTES = 1024 * 1024;
/** The `bytesRead` past which a lingering socket stops waiting; set on the net.Socket when the linger starts. */
const LINGER_READ_LIMIT = Symbol('rxconnect.lingerReadLimit');
type LingeringSocket = OwnedSocket & { [LINGER_READ_LIMIT]: number };

/**
 * A client socket that reads its names just before Node lets go of the handle, unless its owner closed it first
 * (not after the peer's EOF, nor after an error): Node drops the handle, and with it the local name, in
 * `_destroy`, before it emits 'error' or 'close'.
 */
class DialedSocket extends Socket {
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A socket handed over (detach) has no owner left to keep names for.
    const owner = (this as unknown as Partial<OwnedSocket>)[OWNER];
    // An owner that closes on the peer's EOF races Node's own destroy: the peer still closed first. A lingering
    // close is the owner's own, although Node destroys the socket at the peer's EOF.
    const flags = owner?.flags ?? LINGERING;
    if ((flags & LINGERING) === 0 && ((flags & OWN_DESTROY) === 0 || this.readableEnded)) owner?.keepNames();
    super._destroy(error, callback);
  }
}

// One set of listener functions for every socket (`this` is the net.Socket), rather than six closures each.
function onConnect(this: OwnedSocket): void {
  const owner = this[OWNER];
  owner.connected();
  owner.events.connect();
}
function onData(this: OwnedSocket, chunk: Buffer): void {
  const owner = this[OWNER];
  if ((owner.flags & LINGERING) === 0) owner.events.data(chunk);
  // A peer that keeps sending while we linger would keep the socket (and a core) busy until the owner's bound.
  else if (this.bytesRead > (this as LingeringSocket)[LINGER_READ_LIMIT]) this.destroy();
}
function onEnd(this: OwnedSocket): void {
  this[OWNER].events.end();
}
function onError(this: OwnedSocket, error: Error): void {
  this[OWNER].events.error(error);
}
function onClose(this: OwnedSocket): void {
  const owner = this[OWNER];
  owner.events.close();
  // 'finish' will not come now; an end(done) still waiting is told after the owner has heard of the close.
  owner.ended(this.errored);
}
function onFinish(this: OwnedSocket): void {
  this[OWNER].ended(this.errored);
}
function onDrain(this: OwnedSocket): void {
  this[OWNER].events.drain();
}

/**
 * A net.Socket behind the TransportSocket interface. Its names are read once and kept.
 *
 * A client socket's peer is the IPv4 address it dialed (an IPv4 literal has one spelling, getpeername's), or else
 * is read at connect. Its local name is the IPv4 address and port it was bound to, if both were given, or else is
 * read when first asked for or, when the peer or an error closes the socket, just before the handle goes
 * (DialedSocket): Tcl's channel still answers after the peer has gone. A local name nobody read before the
 * owner's own destroy() (with no EOF from the peer before it) stays unknown, as in Node: reading it for every
 * connect costs a system call per connection that is mostly never used. Accepted sockets read both names at once.
 */
class NodeSocket implements TransportSocket {
  events: SocketEvents;
  /** The net.Socket, or once startTls() has begun, the TLSSocket that took over its handle. */
  private socket: Socket;
  /** The address a client socket dialed, until it has connected: undefined means connected. */
  private dialed: SocketAddress | undefined;
  private local: SocketAddress | undefined;
  private peer: SocketAddress | undefined;
  /** READ_STARTED, DRAIN_WATCHED, OWN_DESTROY and LINGERING. */
  flags = 0;
  /** The callback of end(done), until the flush is over or the socket has closed. */
  private endDone: ((error?: Error | null) => void) | undefined;

  constructor(socket: Socket, events: SocketEvents, dialed?: SocketAddress, bound?: SocketAddress) {
    this.socket = socket;
    this.events = events;
    this.dialed = dialed;
    // Bound to an IPv4 address and a port: that is the local name, no getsockname needed.
    if (isExactIPv4(bound)) this.local = bound;
    (socket as OwnedSocket)[OWNER] = this;
    // Paused until the owner asks for data: nothing is read that nobody wants yet.
    socket.pause();
    // 'data' and 'end' are listened to from the first resume(), and 'drain' from the first full write: a paused
    // socket emits neither, and 'drain' follows only a write that returned false. Idle sockets hold fewer listeners.
    socket.on('connect', onConnect);
    socket.on('error', onError);
    socket.on('close', onClose);
    // Node's own Socket: nothing tells before its handle goes, so read the names now.
    if (dialed === undefined) this.keepNames();
  }

  get [NAMES_KEPT](): true {
    return true;
  }

  get localAddress(): SocketAddress | undefined {
    if (this.local === undefined && this.dialed === undefined) {
      const s = this.socket;
      this.local = endpoint(s.localAddress, s.localFamily, s.localPort);
    }
    return this.local;
  }

  get remoteAddress(): SocketAddress | undefined {
    if (this.peer === undefined && this.dialed === undefined) {
      const s = this.socket;
      this.peer = endpoint(s.remoteAddress, s.remoteFamily, s.remotePort);
    }
    return this.peer;
  }

  /** The connect succeeded (a client socket's 'connect'). */
  connected(): void {
    const dialed = this.dialed;
    this.dialed = undefined;
    // 0.0.0.0 means this host, and an IPv6 peer may be spelled differently by the kernel: those are read now, as
    // getpeername has nothing to say once the peer has gone.
    if (isExactIPv4(dialed)) this.peer = dialed;
    else void this.remoteAddress;
  }

  /** Reads the names that are not read yet, while the handle is there. */
  keepNames(): void {
    if (this.dialed !== undefined) return;
    void this.localAddress;
    void this.remoteAddress;
  }

  /**
   * The bytes not yet handed to the OS: Node's queue, less the write in progress, plus what of it libuv still
   * holds. Node counts a write in progress whole until all of it is in the kernel, and a big write (or a batch of
   * writes) is in progress for as long as the peer takes to read it.
   */
  get writableLength(): number {
    const s = this.socket as Socket & { _writableState?: { writing?: boolean; writelen?: number }; _handle?: { writeQueueSize?: number } | null };
    const queued = s.writableLength;
    const state = s._writableState;
    if (s.connecting || state?.writing !== true) return queued;
    return queued - (state.writelen ?? 0) + (s._handle?.writeQueueSize ?? 0);
  }

  get writableHighWaterMark(): number {
    return this.socket.writableHighWaterMark;
  }

  write(chunk: Uint8Array, done?: (error?: Error | null) => void): boolean {
    const ok = this.socket.write(chunk, done);
    // Node emits 'drain' after this returns (next tick at the earliest), so a listener added now hears it.
    if (!ok && (this.flags & DRAIN_WATCHED) === 0) {
      this.flags |= DRAIN_WATCHED;
      this.socket.on('drain', onDrain);
    }
    return ok;
  }

  end(done?: (error?: Error | null) => void): void {
    if (done === undefined) {
      this.socket.end();
      return;
    }
    const s = this.socket;
    const waiting = this.endDone;
    // A second end(done) while the first waits is told when the first is (the channel calls it once).
    if (waiting !== undefined) {
      this.endDone = (error) => {
        waiting(error);
        done(error);
      };
      return;
    }
    // Already flushed and ended (an earlier end()), or gone: 'finish' will not come again, nor maybe 'close'.
    if (s.writableFinished || s.destroyed) {
      process.nextTick(() => done(s.errored));
      return;
    }
    // One shared listener and a field, rather than a closure and two listeners added and removed per close.
    this.endDone = done;
    s.on('finish', onFinish);
    s.end();
  }

  /**
   * Half-closes after the queued bytes, then reads the peer's bytes away until its EOF: Node then releases the
   * socket (its write side has finished and its read side ended), with no reset that would discard the tail of
   * what was written.
   */
  lingeringClose(done: (error?: Error | null) => void): void {
    // A socket that never wrote has nothing a reset could lose: it closes once its FIN is queued, as after end().
    if (this.socket.bytesWritten === 0) {
      this.end((error) => {
        done(error);
        this.destroy();
      });
      return;
    }
    // After the peer's EOF nothing more comes, and the peer closed first.
    if (!this.socket.readableEnded) {
      this.flags |= LINGERING;
      (this.socket as LingeringSocket)[LINGER_READ_LIMIT] = this.socket.bytesRead + LINGER_MAX_BYTES;
      this.resume();
    }
    this.end(done);
  }

  /** The flush of end(done) is over ('finish'), or the socket closed first. */
  ended(error: Error | null | undefined): void {
    const done = this.endDone;
    if (done === undefined) return;
    this.endDone = undefined;
    done(error);
  }

  /**
   * Hands the connected socket to a TLSSocket, which reads and writes through the same handle from now on: the
   * raw socket's listeners go (the TLSSocket reports its errors and close), and the names are read now, while
   * the raw socket still answers for them.
   */
  startTls(request: TlsRequest, done: TlsDone): void {
    this.keepNames();
    const raw = this.socket;
    raw.off('connect', onConnect);
    raw.off('error', onError);
    raw.off('close', onClose);
    const origin = request.side === 'client' ? request.origin : undefined;
    const secure = wrapInTls(raw, request, origin ?? this.remoteAddress?.address ?? raw.remoteAddress);
    (secure as unknown as OwnedSocket)[OWNER] = this;
    this.socket = secure;
    secure.pause();
    new NodeHandshake(this, secure, request, done).listen();
  }

  /** The TLS session, once the handshake has finished: kept on the TLSSocket, so a TCP socket has no field for it. */
  get tls(): TlsSession | undefined {
    return (this.socket as Socket & { [TLS_SESSION]?: TlsSession })[TLS_SESSION];
  }

  /**
   * Hands the socket over: every listener of rxconnect's goes, and the pause this object made is undone, so that
   * the next owner's 'data' listener starts the flow as on a socket nobody has touched.
   */
  detach(): Socket {
    const s = this.socket;
    s.off('connect', onConnect);
    s.off('error', onError);
    s.off('close', onClose);
    s.off('data', onData);
    s.off('end', onEnd);
    s.off('drain', onDrain);
    s.off('finish', onFinish);
    (s as Socket & { [HANDSHAKE]?: NodeHandshake })[HANDSHAKE]?.stopListening();
    delete (s as Partial<OwnedSocket>)[OWNER];
    // Node resumes a socket for a new 'data' listener unless its flow was stopped on purpose, as pause() does.
    if (s.readableFlowing === false) (s as { readableFlowing: boolean | null }).readableFlowing = null;
    return s;
  }

  /** Whether the owner called destroy(). */
  get destroyedByOwner(): boolean {
    return (this.flags & OWN_DESTROY) !== 0;
  }

  destroy(): void {
    this.flags |= OWN_DESTROY;
    // Node's destroy() is idempotent.
    this.socket.destroy();
  }

  pause(): void {
    if ((this.flags & LINGERING) === 0) this.socket.pause();
  }

  resume(): void {
    // A paused socket reads nothing, so its data and EOF can only come once resumed: listening from the first
    // resume spares an idle socket a listener, and the array a second 'end' listener (beside Node's own) costs.
    if ((this.flags & READ_STARTED) === 0) {
      this.flags |= READ_STARTED;
      this.socket.on('data', onData);
      this.socket.on('end', onEnd);
    }
    this.socket.resume();
  }
}

/** The transport over real sockets: `node:net` and `node:dns`. */
export const nodeTransport: Transport = {
  lookup: dnsLookup,

  startTls(socket: TransportSocket, request: TlsRequest, done: TlsDone): void {
    (socket as NodeSocket).startTls(request, done);
  },

  prepareTls,

  adopt(socket: NetSocket): TransportSocket {
    return new NodeSocket(socket, NO_EVENTS);
  },

  dial(request: DialRequest, events: SocketEvents): TransportSocket {
    // No options object: Node 20's Socket constructor costs 8.6 to 12 µs more with one that has a property in it
    // (about a sixth of a refused connect's CPU; bench/README.md, "scan results, fourth measurement"), and
    // allowHalfOpen is false by default.
    const socket = new DialedSocket();
    const wrapped = new NodeSocket(socket, events, request.remote, request.local);
    const { remote, local } = request;
    // Node 20 reads noDelay/keepAlive from the Socket constructor's options only, not from connect()'s: set
    // them before connecting, and Node applies them to the handle once connected.
    if (request.noDelay !== undefined) socket.setNoDelay(request.noDelay);
    if (request.keepAlive !== undefined) socket.setKeepAlive(request.keepAlive);
    // rxconnect races addresses itself; Node's own fallback aborts slow attempts.
    if (local === undefined) socket.connect({ host: remote.address, port: remote.port, family: remote.family, autoSelectFamily: false });
    else {
      socket.connect({
        host: remote.address,
        port: remote.port,
        family: remote.family,
        autoSelectFamily: false,
        localAddress: local.address,
        localPort: local.port,
      });
    }
    return wrapped;
  },

  listen(request: ListenRequest, events: ServerEvents, done: (error: Error | null, server?: TransportServer) => void): void {
    listenOn(request, events, done, (socket) => new NodeSocket(socket, NO_EVENTS));
  },
};

