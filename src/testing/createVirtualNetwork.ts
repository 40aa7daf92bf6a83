import type { SchedulerLike, Subscription } from 'rxjs';
import { parseScheduler } from '../validation/validate.js';
import { NO_EVENTS } from '../transport/Transport.js';
import type { DialRequest, ListenRequest, ServerEvents, SocketEvents, TransportServer, TransportSocket } from '../transport/Transport.js';
import type { SocketAddress } from '../core/socket.js';
import type { AddressScript, PeerScript } from './AddressScript.js';
import type { TlsScript } from './TlsScript.js';
import { startVirtualTls } from './virtualTls.js';
import type { VirtualHosts, VirtualNetwork, VirtualNetworkOptions } from './VirtualNetwork.js';
import { checkHosts, checkNetworkOptions } from './validate.js';
import { errnoError } from './errnoError.js';
import { LinuxPortRules } from './LinuxPortRules.js';
import { pairSockets } from './pairSockets.js';
import { runPeer } from './runPeer.js';
import { virtualLookup } from './virtualLookup.js';
import type { MutableLookupRecord } from './virtualLookup.js';
import { VirtualServer } from './VirtualServer.js';
import { VirtualSocket } from './VirtualSocket.js';
import type { MutableSocketRecord } from './VirtualSocket.js';

/**
 * Builds a virtual network on a scheduler, for marble tests of connects in virtual time.
 *
 * `hosts` maps each name to its addresses (in resolver order) and each address to a script: connect after a
 * delay, refuse, time out, hang, or fail with a code. A connected address can run a {@link PeerScript}, so the
 * server side can be scripted with marbles. The network records every socket opened and closed, and every
 * lookup, so a spec can assert that nothing leaked. Dialing an address no host lists is refused at once.
 *
 * The transport runs TLS handshakes (`startTls`) in virtual time too. A client's handshake with a scripted
 * address follows the address's {@link TlsScript} (`connectAfter(ms, { tls })`), and fails at once with
 * `ERR_SSL_WRONG_VERSION_NUMBER` against an address without one. A client of a virtual listener handshakes with
 * the listener's accepted socket: both finish in the instant the later side starts, agreeing on the highest
 * common version and the server's first ALPN protocol the client offers (none in common fails both sides);
 * a server with `requestCert` and `rejectUnauthorized` fails a client without `cert` or `pfx`. Certificates are
 * not simulated between two virtual ends: the client's session is authorized and `peerCertificate()` is null.
 * Bytes that are not TLS arriving during a handshake fail it with `ERR_SSL_WRONG_VERSION_NUMBER`, and the far
 * end closing fails it with `ECONNRESET`. After the owner's `destroy()` the handshake ends without a word.
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
  const families = new Set<4 | 6>(checked.families ?? [4, 6]);
  const sockets: MutableSocketRecord[] = [];
  const live: VirtualSocket[] = [];
  const lookups: MutableLookupRecord[] = [];
  const ports = new LinuxPortRules({ 4: checked.localAddresses?.[4] ?? '127.0.0.1', 6: checked.localAddresses?.[6] ?? '::1' }, live);

  function open(side: 'client' | 'server', events: SocketEvents, remote: SocketAddress, local: SocketAddress | undefined): VirtualSocket {
    const sent: Uint8Array[] = [];
    const record: MutableSocketRecord = {
      id: sockets.length, side, remote, local, openedAt: scheduler.now(), closedAt: undefined, state: 'connecting', tls: undefined, sent,
      sentText: () => new TextDecoder().decode(Buffer.concat(sent)),
    };
    sockets.push(record);
    const socket = new VirtualSocket(scheduler, events, record);
    live.push(socket);
    socket.onDestroy = () => live.splice(live.indexOf(socket), 1);
    return socket;
  }

  function dial(request: DialRequest, events: SocketEvents): TransportSocket {
    const { remote } = request;
    const requested = request.local;
    const problem = requested !== undefined && requested.port !== 0 ? ports.bindProblem(requested, remote) : undefined;
    const socket = open('client', events, remote, requested);
    if (problem !== undefined && requested !== undefined) {
      const syscall = problem === 'EADDRINUSE' ? 'bind' : 'connect';
      scheduler.schedule(() => socket.fail(errnoError(problem, `${syscall} ${problem} ${requested.address}:${requested.port}`, { syscall }), 'failed'));
      return socket;
    }
    const local: SocketAddress = {
      address: ports.usedAddress(requested?.address, remote.family),
      family: remote.family,
      port: requested !== undefined && requested.port !== 0 ? requested.port : ports.ephemeralPort(),
    };
    if (ports.serverFor(remote) !== undefined) accept(socket, local, remote);
    else runScript(socket, scripts.get(remote.address) ?? { outcome: 'refuse', after: 0 }, local, remote);
    return socket;
  }

  /** A dial that reaches a virtual listener: accepted in the next instant, unless the listener has closed meanwhile. */
  function accept(socket: VirtualSocket, local: SocketAddress, remote: SocketAddress): void {
    scheduler.schedule(() => {
      if (socket.isClosed) return;
      const server = ports.serverFor(remote);
      if (server === undefined) {
        socket.fail(errnoError('ECONNREFUSED', `connect ECONNREFUSED ${remote.address}:${remote.port}`, { syscall: 'connect' }), 'refused');
        return;
      }
      const accepted = open('server', NO_EVENTS, local, remote);
      accepted.allowHalfOpen = server.allowHalfOpen;
      pairSockets(scheduler, socket, accepted);
      accepted.connect(remote, local);
      socket.connect(local, remote);
      server.events.connection(accepted);
    });
  }

  /** A dial to a scripted address: the script decides when and how it ends. */
  function runScript(socket: VirtualSocket, script: AddressScript, local: SocketAddress, remote: SocketAddress): void {
    const where = `${remote.address}:${remote.port}`;
    const extra = { syscall: 'connect', address: remote.address, port: remote.port };
    let pending: Subscription | undefined;
    switch (script.outcome) {
      case 'connect':
        pending = scheduler.schedule(() => {
          // The peer is wired first, so what the client writes in its connect handler reaches it. Behind TLS it
          // starts once the handshake has succeeded.
          if (script.tls === undefined) runPeer(socket, script.peer);
          else awaitClientHello(socket, script.tls, script.peer);
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
  }

  /**
   * A scripted TLS server before the handshake: plaintext from the client resets the connection (a TLS server
   * drops a record that is not a ClientHello), and the client's EOF ends it.
   */
  function awaitClientHello(socket: VirtualSocket, tls: TlsScript, peer: PeerScript | undefined): void {
    socket.tlsFarEnd = { kind: 'script', script: tls, peer };
    socket.sink = {
      data: () => scheduler.schedule(() => socket.receiveReset()),
      end: () => socket.receiveEnd(),
      reset: () => {},
    };
  }

  function listen(request: ListenRequest, events: ServerEvents, done: (error: Error | null, server?: TransportServer) => void): void {
    const { local } = request;
    const fail = (code: string, syscall: string): void => {
      const error = errnoError(code, `${syscall} ${code} ${local.address}:${local.port}`, { syscall, address: local.address, port: local.port });
      scheduler.schedule(() => done(error));
    };
    if (!families.has(local.family)) return fail('EAFNOSUPPORT', 'listen');
    if (!ports.isLocal(local.address, local.family)) return fail('EADDRNOTAVAIL', 'listen');
    if (local.port !== 0 && ports.portInUse(local.address, local.family, local.port)) return fail('EADDRINUSE', 'listen');
    const port = local.port === 0 ? ports.freePort(local.address, local.family) : local.port;
    const server: VirtualServer = new VirtualServer({ ...local, port }, events, request.allowHalfOpen === true, () => ports.remove(server));
    ports.add(server);
    scheduler.schedule(() => done(null, server));
  }

  const lookup = virtualLookup(scheduler, hosts, lookups);
  return {
    transport: { lookup, dial, listen, startTls: (socket, request, done) => startVirtualTls(scheduler, socket, request, done) },
    lookup,
    sockets,
    lookups,
    openSockets: () => sockets.filter((s) => s.closedAt === undefined),
    listeners: () => ports.listening(),
  };
}
