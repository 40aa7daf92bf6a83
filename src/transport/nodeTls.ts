import { Buffer } from 'node:buffer';
import type * as Crypto from 'node:crypto';
import type { Socket } from 'node:net';
import type * as Tls from 'node:tls';
import type { ConnectionOptions, PeerCertificate, SecureContext, TLSSocket } from 'node:tls';
import type { TlsCertificate, TlsCipher, TlsOptions, TlsServerOptions, TlsSession } from '../core/tls.js';
import type { TlsRequest } from './Transport.js';
import { tlsMaterialError } from '../errors/codes.js';

// node:tls and node:crypto are loaded at the first TLS use: a program that never uses TLS does not pay for them at
// start-up (docs/design.md, "Builtins are loaded when first used"). process.getBuiltinModule needs no
// import.meta, so the library still loads when a program bundles it into CommonJS.
const nodeTls = (): typeof Tls => process.getBuiltinModule('node:tls');
const nodeCrypto = (): typeof Crypto => process.getBuiltinModule('node:crypto');

/**
 * One SecureContext per server options object: parsing keys and loading CAs costs milliseconds, and a listen
 * passes the same object for each of its clients. Kept weakly, so it goes with the options.
 */
const contexts = new WeakMap<object, SecureContext>();

/** What a SecureContext is made of, in a fixed order. */
type Material = readonly unknown[];

/**
 * The contexts of the last few distinct sets of client material, the newest first: each connect call parses
 * its options anew, so sequential connects with the same `ca` would otherwise each pay for a context (about a
 * third of a loopback handshake's CPU, as the tls-connect benchmark shows). Material is compared by content
 * with a copy taken when the context was made: a list or buffer changed in place since is other material.
 */
const recentClientContexts: { material: Material; context: SecureContext }[] = [];
const RECENT_CLIENT_CONTEXTS = 8;

function materialOf(options: TlsOptions | TlsServerOptions): Material {
  const { ca, cert, key, pfx, passphrase, minVersion, maxVersion, ciphers } = options;
  return [ca, cert, key, pfx, passphrase, minVersion, maxVersion, ciphers];
}

/** A copy of material (text, bytes, lists of them, `{ pem, passphrase }`) that later changes in place do not reach. */
function copyOf(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(copyOf);
  if (typeof value === 'object' && value !== null) {
    const { pem, passphrase } = value as { pem?: unknown; passphrase?: unknown };
    return passphrase === undefined ? { pem: copyOf(pem) } : { pem: copyOf(pem), passphrase };
  }
  return value;
}

/** Whether `given` has the content of `kept`, a copy made by {@link copyOf}. */
function sameContent(kept: unknown, given: unknown): boolean {
  if (kept === given) return true;
  if (kept instanceof Uint8Array) return given instanceof Uint8Array && Buffer.compare(kept, given) === 0;
  if (Array.isArray(kept)) return Array.isArray(given) && kept.length === given.length && kept.every((item, i) => sameContent(item, given[i]));
  if (typeof kept === 'object' && kept !== null && typeof given === 'object' && given !== null && !(given instanceof Uint8Array) && !Array.isArray(given)) {
    const k = kept as { pem?: unknown; passphrase?: unknown };
    const g = given as { pem?: unknown; passphrase?: unknown };
    return k.passphrase === g.passphrase && sameContent(k.pem, g.pem);
  }
  return false;
}

function createContext(material: Material): SecureContext {
  const [ca, cert, key, pfx, passphrase, minVersion, maxVersion, ciphers] = material;
  checkCa(ca);
  const given = Object.entries({ ca, cert, key, pfx, passphrase, minVersion, maxVersion, ciphers }).filter(([, value]) => value !== undefined);
  return nodeTls().createSecureContext(Object.fromEntries(given));
}

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/g;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const CERTIFICATE_LABELS = new Set(['CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CERTIFICATE']);

/**
 * OpenSSL loads a `ca` item that holds no certificate it can parse (a key, a DER file, a damaged block) without a
 * word, and every handshake then fails as if the server were at fault: each item must hold at least one. Other
 * blocks beside a certificate (a key of a combined PEM, a CRL) are left to OpenSSL, as before. Throws an error of
 * code `ERR_TLS_CA_NOT_CERTIFICATE` (tlsMaterialError names the option). Parsing stops at the first good
 * certificate, so a large bundle costs one parse.
 */
function checkCa(ca: unknown): void {
  if (ca === undefined) return;
  const items = Array.isArray(ca) ? ca : [ca];
  items.forEach((item: unknown, i) => {
    const option = Array.isArray(ca) ? `ca[${i}]` : 'ca';
    const text = typeof item === 'string' ? item : Buffer.from(item as Uint8Array).toString('latin1');
    const notCa = (reason: string, cause?: unknown) => Object.assign(new Error(reason, { cause }), { code: 'ERR_TLS_CA_NOT_CERTIFICATE', option, reason });
    const labels = [...text.matchAll(PEM_LABEL)].map((m) => m[1] as string);
    if (labels.length === 0) throw notCa('is not PEM: no "-----BEGIN CERTIFICATE-----" line (a DER certificate needs `openssl x509 -inform der` first)');
    if (!labels.some((label) => CERTIFICATE_LABELS.has(label))) throw notCa(`holds no certificate, only PEM blocks of ${[...new Set(labels)].join(', ')}`);
    const { X509Certificate } = nodeCrypto();
    let firstError: unknown;
    for (const [block, label] of text.matchAll(PEM_BLOCK)) {
      if (!CERTIFICATE_LABELS.has(label as string)) continue;
      try {
        new X509Certificate(block);
        return;
      } catch (error) {
        firstError ??= error;
      }
    }
    const why = firstError === undefined ? 'a BEGIN line without its END line' : (firstError as Error).message;
    throw notCa(`holds no certificate that parses (${why})`, firstError);
  });
}

function clientContext(material: Material): SecureContext {
  const i = recentClientContexts.findIndex((entry) => entry.material.every((value, j) => sameContent(value, material[j])));
  let entry = recentClientContexts[i];
  if (entry === undefined) {
    const kept = material.map(copyOf);
    entry = { material: kept, context: createContext(kept) };
  }
  else recentClientContexts.splice(i, 1);
  recentClientContexts.unshift(entry);
  if (recentClientContexts.length > RECENT_CLIENT_CONTEXTS) recentClientContexts.pop();
  return entry.context;
}

function secureContext(request: TlsRequest): SecureContext {
  // A client's material is compared on every handshake: the same options object comes again on each round of a
  // reconnect, with lists the caller may have changed in place meanwhile.
  if (request.side === 'client') return clientContext(materialOf(request.options));
  let context = contexts.get(request.options);
  if (context === undefined) {
    context = createContext(materialOf(request.options));
    contexts.set(request.options, context);
  }
  return context;
}

/** Makes (and keeps) the SecureContext of `request` now: material OpenSSL cannot load throws, naming `tls`. */
export function prepareTls(request: TlsRequest): void {
  try {
    secureContext(request);
  } catch (error) {
    throw tlsMaterialError(error, 'tls');
  }
}

/**
 * Starts the handshake of `request` on the connected `raw` socket, whose peer is the address `peer`; the TLS
 * socket takes over its handle.
 */
export function wrapInTls(raw: Socket, request: TlsRequest, peer: string | undefined): TLSSocket {
  const context = secureContext(request);
  if (request.side === 'client') {
    const { servername, ALPNProtocols, rejectUnauthorized, session, checkServerIdentity } = request.options;
    // Only the options given: tls.connect's defaults (rejectUnauthorized: true, Node's checkServerIdentity) are
    // overridden by a key that is present, even undefined.
    const options: ConnectionOptions = { socket: raw, secureContext: context };
    if (servername !== undefined) options.servername = servername;
    // Without a servername (an IP literal), Node checks the certificate against `host`, or else against
    // 'localhost': the address dialed is the name to check.
    else options.host = peer;
    if (ALPNProtocols !== undefined) options.ALPNProtocols = ALPNProtocols;
    if (rejectUnauthorized !== undefined) options.rejectUnauthorized = rejectUnauthorized;
    if (session !== undefined) options.session = session as Buffer;
    if (checkServerIdentity !== undefined) {
      // Node calls it from its handshake callback, where a throw would escape to the event loop: what it throws
      // is the certificate's error instead, as in the virtual network.
      options.checkServerIdentity = (host, cert) => {
        try {
          return checkServerIdentity(host, cert as unknown as TlsCertificate);
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      };
    }
    return nodeTls().connect(options);
  }
  const { ALPNProtocols, requestCert, rejectUnauthorized } = request.options;
  return new (nodeTls().TLSSocket)(raw, {
    isServer: true,
    secureContext: context,
    requestCert: requestCert === true,
    rejectUnauthorized: rejectUnauthorized !== false,
    ...(ALPNProtocols === undefined ? {} : { ALPNProtocols: ALPNProtocols as string[] }),
  });
}

/**
 * The verification of a client's certificate by a server TLSSocket that asked for one: null when it verified. Node's tls.Server checks this itself through the socket's handle once the handshake is over, and offers
 * no public call for a TLSSocket made outside a tls.Server; this is the same check. Node's specs of rxconnect
 * (client certificates rejected and accepted) fail should it move.
 */
export function clientVerifyError(socket: TLSSocket): (Error & { code?: string }) | null {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => Error | null } | null })._handle;
  // Fails closed: a certificate nobody could check is not a verified one.
  if (typeof handle?.verifyError !== 'function') return Object.assign(new Error('the client certificate could not be verified'), { code: 'ERR_TLS_CLIENT_CERT_UNVERIFIED' });
  return handle.verifyError();
}

/**
 * The session of a secured socket. What the handshake agreed on is read at once (the `connected` event reads it
 * anyway); the peer's certificate when first asked for, while the socket is open.
 */
export class NodeTlsSession implements TlsSession {
  // Private fields (#): not enumerable, so logging or serialising a session shows what it agreed on, not the socket.
  readonly #socket: TLSSocket;
  readonly authorized: boolean;
  readonly authorizationError?: string;
  readonly protocol: string | null;
  readonly alpnProtocol: string | null;
  readonly cipher: TlsCipher;
  /** The certificates read so far: [brief, detailed]. */
  readonly #certificates: [TlsCertificate | null | undefined, TlsCertificate | null | undefined] = [undefined, undefined];

  constructor(socket: TLSSocket, authorized: boolean, authorizationError: string | undefined) {
    this.#socket = socket;
    this.authorized = authorized;
    if (authorizationError !== undefined) this.authorizationError = authorizationError;
    this.protocol = socket.getProtocol();
    const alpn = socket.alpnProtocol;
    this.alpnProtocol = typeof alpn === 'string' ? alpn : null;
    const { name, standardName, version } = socket.getCipher();
    this.cipher = { name, standardName, version };
  }

  peerCertificate(detailed = false): TlsCertificate | null {
    const at = detailed ? 1 : 0;
    const known = this.#certificates[at];
    if (known !== undefined) return known;
    // Null once the socket has closed (Node's answer then): asked for before, it is kept.
    const cert: PeerCertificate | Record<string, never> | null = this.#socket.getPeerCertificate(detailed);
    const certificate = cert === null || Object.keys(cert).length === 0 ? null : (cert as unknown as TlsCertificate);
    if (cert !== null) this.#certificates[at] = certificate;
    return certificate;
  }
}
