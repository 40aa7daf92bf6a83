import type { SchedulerLike, Subscription } from 'rxjs';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { TlsCertificate, TlsCipher, TlsInfo, TlsOptions, TlsServerOptions, TlsSession, TlsVersion } from '../core/tls.js';
import type { TlsDone, TlsRequest, TransportSocket } from '../transport/Transport.js';
import type { PeerScript } from './AddressScript.js';
import type { TlsScript } from './TlsScript.js';
import { runPeer } from './runPeer.js';
import { tlsError } from './tlsError.js';
import { VirtualSocket } from './VirtualSocket.js';
import type { HandshakeHooks } from './VirtualSocket.js';

const VERSIONS: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const TLS13_CIPHER: TlsCipher = { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' };
const TLS12_CIPHER: TlsCipher = { name: 'ECDHE-RSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' };

/** A virtual session: what the script (or the two ends) agreed on. */
class VirtualTlsSession implements TlsSession {
  readonly protocol: string | null;
  readonly alpnProtocol: string | null;
  readonly authorized: boolean;
  readonly authorizationError?: string;
  readonly cipher: TlsCipher;
  private readonly certificate: TlsCertificate | null;

  constructor(info: TlsInfo, certificate: TlsCertificate | undefined) {
    this.protocol = info.protocol;
    this.alpnProtocol = info.alpnProtocol;
    this.authorized = info.authorized;
    if (info.authorizationError !== undefined) this.authorizationError = info.authorizationError;
    this.cipher = info.cipher;
    this.certificate = certificate ?? null;
  }

  peerCertificate(): TlsCertificate | null {
    return this.certificate;
  }
}

/** One side's handshake: it ends once, by `succeed` or `fail`, or silently when its socket is destroyed. */
class VirtualHandshake implements HandshakeHooks {
  readonly socket: VirtualSocket;
  readonly request: TlsRequest;
  running = true;
  private readonly scheduler: SchedulerLike;
  private readonly done: TlsDone;
  private timer: Subscription | undefined = undefined;

  constructor(scheduler: SchedulerLike, socket: VirtualSocket, request: TlsRequest, done: TlsDone) {
    this.scheduler = scheduler;
    this.socket = socket;
    this.request = request;
    this.done = done;
  }

  /** The name the client checks the certificate against, for error messages. */
  get host(): string {
    const { request, socket } = this;
    return (request.side === 'client' ? request.options.servername : undefined) ?? socket.remoteAddress?.address ?? '';
  }

  /** Runs `work` after `ms` of virtual time (replacing what was planned), unless the handshake ends first. */
  after(ms: number, work: () => void): void {
    this.timer?.unsubscribe();
    this.timer = this.scheduler.schedule(() => {
      this.timer = undefined;
      work();
    }, ms);
  }

  plaintext(): void {
    this.after(0, () => this.fail(tlsError('ERR_SSL_WRONG_VERSION_NUMBER', this.host)));
  }

  disconnected(): void {
    this.after(0, () => this.fail(tlsError('ECONNRESET', this.host)));
  }

  cancel(): void {
    this.running = false;
    this.timer?.unsubscribe();
    this.socket.record.tls = 'cancelled';
  }

  /** Fails with `error`, then the socket goes (as Node destroys a TLS socket whose handshake failed). */
  fail(error: Error): void {
    if (!this.end()) return;
    this.socket.record.tls = 'failed';
    this.done(error);
    this.socket.destroy();
  }

  /** Succeeds: the socket delivers again, `beforeDone` wires the server side, then the owner is told. */
  succeed(session: TlsSession, beforeDone?: () => void): void {
    if (!this.secure(session)) return;
    beforeDone?.();
    this.done(null, session);
  }

  /** Ends the handshake with `session`, the owner not told yet; false when it had ended. */
  secure(session: TlsSession): boolean {
    if (!this.end()) return false;
    this.socket.record.tls = 'secured';
    this.socket.secured(session);
    return true;
  }

  /** Tells the owner of a handshake that `secure` ended. */
  report(session: TlsSession): void {
    this.done(null, session);
  }

  private end(): boolean {
    if (!this.running) return false;
    this.running = false;
    this.timer?.unsubscribe();
    this.socket.handshake = undefined;
    return true;
  }
}

/**
 * The virtual network's `startTls`: the handshake is decided by the address's {@link TlsScript}, by the other
 * end of a pair (a client of a virtual listener), or fails at once against a plain-TCP script.
 */
export function startVirtualTls(scheduler: SchedulerLike, socket: TransportSocket, request: TlsRequest, done: TlsDone): void {
  if (!(socket instanceof VirtualSocket)) throw new InvalidArgumentError('socket', 'must be a socket of this virtual network', 'ERR_INVALID_ARG_TYPE');
  if (socket.handshake !== undefined || socket.tls !== undefined) throw new InvalidArgumentError('socket', 'already has a TLS handshake or session');
  socket.keepNames();
  const handshake = new VirtualHandshake(scheduler, socket, request, done);
  socket.record.tls = 'running';
  if (socket.isClosed) {
    handshake.after(0, () => handshake.fail(tlsError('ECONNRESET', handshake.host)));
    return;
  }
  socket.handshake = handshake;
  // What the far end sent before the ClientHello is not TLS; an EOF means it is gone.
  if (socket.hasUnreadBytes) return handshake.plaintext();
  if (socket.farEnded) return handshake.disconnected();
  const far = socket.tlsFarEnd;
  switch (far.kind) {
    case 'plain':
      return handshake.plaintext();
    case 'script':
      return runScript(handshake, far.script, far.peer);
    case 'pair': {
      // The later of the two sides completes both, in the same virtual instant.
      const other = far.socket.handshake;
      if (other instanceof VirtualHandshake) handshake.after(0, () => meet(handshake, other));
      return;
    }
  }
}

/** A scripted TLS server answers the client after `script.handshake` ms; its peer script starts on success. */
function runScript(handshake: VirtualHandshake, script: TlsScript, peer: PeerScript | undefined): void {
  const { request, socket } = handshake;
  // Two servers: each reads the other's first flight as a message out of place.
  if (request.side === 'server') return handshake.after(0, () => handshake.fail(tlsError('ERR_SSL_UNEXPECTED_MESSAGE', handshake.host)));
  if (script.hang === true) return;
  handshake.after(script.handshake ?? 0, () => {
    const outcome = scriptOutcome(script, request.options, handshake.host);
    if (outcome instanceof Error) handshake.fail(outcome);
    else handshake.succeed(new VirtualTlsSession(outcome, script.certificate), () => runPeer(socket, peer));
  });
}

/** What a client with `options` makes of the script's server: the session's info, or the error it fails with. */
function scriptOutcome(script: TlsScript, options: TlsOptions, host: string): TlsInfo | Error {
  const { certificate } = script;
  if (script.fail !== undefined) return tlsError(script.fail, host, certificate);
  const protocol = script.protocol ?? 'TLSv1.3';
  if (!inRange(protocol, options.minVersion, options.maxVersion)) return tlsError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', host);
  const offered = options.ALPNProtocols;
  const alpn = script.alpn === undefined || offered === undefined ? null : script.alpn;
  if (alpn !== null && !offered?.includes(alpn)) return tlsError('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', host);
  // As Node: the CA check first, then the name check, whose error a client with rejectUnauthorized: false keeps.
  const authorized = script.authorized ?? script.authorizationError === undefined;
  let verifyError: Error | undefined = authorized ? undefined : tlsError(script.authorizationError ?? 'CERT_UNTRUSTED', host, certificate);
  if (verifyError === undefined && options.checkServerIdentity !== undefined && certificate !== undefined) {
    verifyError = checkIdentity(options.checkServerIdentity, host, certificate);
  }
  if (verifyError !== undefined && options.rejectUnauthorized !== false) return verifyError;
  const cipher = script.cipher ?? (protocol === 'TLSv1.3' ? TLS13_CIPHER : TLS12_CIPHER);
  if (verifyError === undefined) return { protocol, alpnProtocol: alpn, authorized: true, cipher };
  const code = (verifyError as { code?: unknown }).code;
  return { protocol, alpnProtocol: alpn, authorized: false, authorizationError: typeof code === 'string' ? code : verifyError.message, cipher };
}

/** The client's own check; one that throws fails the handshake with what it threw. */
function checkIdentity(check: NonNullable<TlsOptions['checkServerIdentity']>, host: string, certificate: TlsCertificate): Error | undefined {
  try {
    return check(host, certificate) ?? undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Two virtual ends that have both started: they agree, or both fail, in this instant (the client first). */
function meet(a: VirtualHandshake, b: VirtualHandshake): void {
  if (!a.running || !b.running) return;
  if (a.request.side === b.request.side) {
    a.fail(tlsError('ERR_SSL_UNEXPECTED_MESSAGE', a.host));
    b.fail(tlsError('ERR_SSL_UNEXPECTED_MESSAGE', b.host));
    return;
  }
  const [client, server] = a.request.side === 'client' ? [a, b] : [b, a];
  const c = client.request.options as TlsOptions;
  const s = server.request.options as TlsServerOptions;
  const failBoth = (clientCode: string, serverCode: string): void => {
    client.fail(tlsError(clientCode, client.host));
    server.fail(tlsError(serverCode, server.host));
  };
  const protocol = highestCommon(c, s);
  if (protocol === undefined) return failBoth('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL');
  const offered = c.ALPNProtocols;
  const accepted = s.ALPNProtocols;
  const alpn = offered === undefined || accepted === undefined ? null : (accepted.find((p) => offered.includes(p)) ?? undefined);
  if (alpn === undefined) return failBoth('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'ERR_SSL_NO_APPLICATION_PROTOCOL');
  const clientCertificate = c.cert !== undefined || c.pfx !== undefined;
  if (s.requestCert === true && !clientCertificate && s.rejectUnauthorized !== false) {
    return failBoth('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE');
  }
  const cipher = protocol === 'TLSv1.3' ? TLS13_CIPHER : TLS12_CIPHER;
  const clientSession = new VirtualTlsSession({ protocol, alpnProtocol: alpn, authorized: true, cipher }, undefined);
  const serverSession = new VirtualTlsSession({ protocol, alpnProtocol: alpn, authorized: s.requestCert === true && clientCertificate, cipher }, undefined);
  // Both ends are secured before either owner hears of it: what the client writes at once is the server's data.
  client.secure(clientSession);
  server.secure(serverSession);
  client.report(clientSession);
  // The client's owner may have destroyed its end meanwhile; the server's still hears, unless its socket has gone.
  if (!server.socket.isClosed) server.report(serverSession);
}

function inRange(version: TlsVersion, min: TlsVersion | undefined, max: TlsVersion | undefined): boolean {
  const at = VERSIONS.indexOf(version);
  return at >= VERSIONS.indexOf(min ?? 'TLSv1.2') && at <= VERSIONS.indexOf(max ?? 'TLSv1.3');
}

/** The highest version both ends allow (Node's defaults: TLSv1.2 to TLSv1.3), or undefined when none is. */
function highestCommon(c: TlsOptions, s: TlsServerOptions): TlsVersion | undefined {
  const low = Math.max(VERSIONS.indexOf(c.minVersion ?? 'TLSv1.2'), VERSIONS.indexOf(s.minVersion ?? 'TLSv1.2'));
  const high = Math.min(VERSIONS.indexOf(c.maxVersion ?? 'TLSv1.3'), VERSIONS.indexOf(s.maxVersion ?? 'TLSv1.3'));
  return high >= low ? VERSIONS[high] : undefined;
}
