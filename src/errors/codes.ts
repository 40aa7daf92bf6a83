import { InvalidArgumentError } from './InvalidArgumentError.js';

// Tcl's texts for errno codes (Tcl_ErrnoMsg), so messages read as Tcl users know them.
const TEXTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host is unreachable',
  ENETUNREACH: 'network is unreachable',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ECONNRESET: 'connection reset by peer',
  ECONNABORTED: 'software caused connection abort',
  EPIPE: 'broken pipe',
  ENOTCONN: 'socket is not connected',
  EMFILE: 'too many open files',
  ENFILE: 'file table overflow',
  ENOBUFS: 'no buffer space available',
  EAFNOSUPPORT: 'address family not supported by protocol',
  EINVAL: 'invalid argument',
  ECANCELED: 'operation canceled',
  // Not errno codes: an AbortSignal's abort (Node's code for it), a TCP socket that connected to itself.
  ABORT_ERR: 'operation aborted',
  ESELFCONNECT: 'socket connected to itself',
  // Resolver answers, as getaddrinfo's gai_strerror words them.
  ENOTFOUND: 'Name or service not known',
  ENODATA: 'No address associated with hostname',
  EAI_AGAIN: 'Temporary failure in name resolution',
  EAI_FAIL: 'Non-recoverable failure in name resolution',
  ESERVFAIL: 'Non-recoverable failure in name resolution',
  ETIMEOUT: 'Temporary failure in name resolution',
  EREFUSED: 'Temporary failure in name resolution',
};

/** Tcl's text for an error code; an unknown code falls back to the given text, then to the code itself. */
export function tclText(code: string, fallback?: string): string {
  return TEXTS[code] ?? (fallback !== undefined && fallback !== '' ? fallback : code);
}

/** The string code of any error-like value; `EUNKNOWN` when it has none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code !== '' ? code : 'EUNKNOWN';
}

/**
 * Tcl's text for any error-like value: a ConnectError's own `text`, else the text for its code, else the
 * resolver's (the cause's) message, else its own message.
 */
export function errorText(error: unknown): string {
  // A ConnectError says it itself (a handshake's text has no code of Tcl's).
  const text = (error as { text?: unknown } | null | undefined)?.text;
  if (typeof text === 'string' && text !== '') return text;
  const cause = (error as { cause?: { message?: unknown } } | null | undefined)?.cause?.message;
  const own = (error as { message?: unknown } | null | undefined)?.message;
  const fallback = typeof cause === 'string' && cause !== '' ? cause : typeof own === 'string' && own !== '' ? own : String(error);
  return tclText(errorCode(error), fallback);
}

/**
 * The error of an attempt or a connect that ran out of time: code `ETIMEDOUT`, Tcl's text as its message (the
 * same shape as Node's socket errors, so that it reads like one wherever it is the `cause`).
 */
export function timedOutError(): Error & { readonly code: string } {
  return Object.assign(new Error(tclText('ETIMEDOUT')), { code: 'ETIMEDOUT' });
}

/**
 * The error an attempt ends with when the connect's AbortSignal is aborted: code `ABORT_ERR` and name
 * `AbortError`, as Node's own, with the signal's reason as `cause`.
 */
export function abortedError(reason: unknown): Error & { readonly code: string } {
  return Object.assign(new Error(tclText('ABORT_ERR'), { cause: reason }), { code: 'ABORT_ERR', name: 'AbortError' });
}

/**
 * The error of an attempt whose socket connected to itself: bound to the port it dialed on this host with nothing
 * listening there, TCP's simultaneous open makes the socket its own peer (code `ESELFCONNECT`).
 */
export function selfConnectError(): Error & { readonly code: string } {
  return Object.assign(new Error(tclText('ESELFCONNECT')), { code: 'ESELFCONNECT' });
}

/**
 * What a {@link ConnectError} made here is made from (a `ConnectErrorInit`): `new ConnectError(decision)`. The
 * decisions return it rather than the error itself because ConnectError is built on this file.
 */
export type ErrorDecision = {
  readonly code: string;
  readonly address?: string | undefined;
  readonly port: number | undefined;
  readonly detail: string;
  readonly cause: unknown;
};

/**
 * The code of a lookup failure; a resolver that throws a plain error counts as a resolution error, and so does a
 * resolver's own AbortError (its per-query timeout, say): `ABORT_ERR` on a connect means its signal was aborted.
 */
export function lookupCode(error: unknown): string {
  const code = errorCode(error);
  return code === 'EUNKNOWN' || code === 'ABORT_ERR' ? 'ERR_LOOKUP' : code;
}

/** A lookup of `what` that found nothing: the resolver's code (`ENOTFOUND` without an error) and its text. */
export function lookupFailure(what: string, error: unknown, port: number | undefined): ErrorDecision {
  const code = error === undefined ? 'ENOTFOUND' : lookupCode(error);
  return { code, port, detail: `lookup of ${what} failed`, cause: error };
}

/** A listen failure: its code, and where (`address already in use (listen on 0.0.0.0 port 80)`). */
export function listenFailure(cause: unknown, where: { readonly address: string | undefined; readonly port: number }): ErrorDecision {
  const detail = where.address === undefined ? `listen on port ${where.port}` : `listen on ${where.address} port ${where.port}`;
  return { code: errorCode(cause), address: where.address, port: where.port, detail, cause };
}

/**
 * A socket error as rxconnect reports it: Tcl's text for `code` (`connection reset by peer`), or the error's
 * own message for a code Tcl has no text for, never an empty one; the code, and `error` as `cause`.
 */
export function socketError(error: Error, code: string): Error & { readonly code: string } {
  return Object.assign(new Error(tclText(code, error.message !== '' ? error.message : 'socket error'), { cause: error }), { code });
}

/**
 * The error of a channel that closed with written bytes the OS never got: Tcl's text for `code` (why they were
 * not sent) and how many there were, as the message says and `unsent` counts; `cause` is the underlying error.
 */
export function unsentError(code: string, unsent: number, cause?: unknown): Error & { readonly code: string; readonly unsent: number } {
  const error = new Error(`${tclText(code)} (${unsent} ${unsent === 1 ? 'byte' : 'bytes'} unsent)`, cause === undefined ? undefined : { cause });
  return Object.assign(error, { code, unsent });
}

const RESOLUTION = new Set(['ENOTFOUND', 'ENODATA', 'EAI_AGAIN', 'EAI_FAIL', 'ESERVFAIL', 'ETIMEOUT', 'EREFUSED', 'ERR_LOOKUP']);

/**
 * How far a failure with this code got, higher being further: bind and permission errors, then refused, timed
 * out, host unreachable, network unreachable, other errors, and resolution errors last.
 */
export function relevance(code: string): number {
  switch (code) {
    case 'EADDRINUSE':
    case 'EADDRNOTAVAIL':
    case 'EACCES':
    case 'EPERM':
      return 6;
    case 'ECONNREFUSED':
      return 5;
    case 'ETIMEDOUT':
      return 4;
    case 'EHOSTUNREACH':
      return 3;
    case 'ENETUNREACH':
      return 2;
    default:
      return RESOLUTION.has(code) ? 0 : 1;
  }
}

/** Of several failures, the one whose code got furthest (see `relevance`); a tie goes to the later one. */
export function mostRelevant<T>(items: readonly T[], code: (item: T) => string): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || relevance(code(item)) >= relevance(code(best))) best = item;
  return best;
}

/** Verification codes of a certificate, and what each says about it (after "certificate for localhost"). */
const CERTIFICATE_TEXTS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'has a self-signed certificate in its chain that is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by an unknown authority',
  CERT_UNTRUSTED: 'is not trusted',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet',
  CERT_REVOKED: 'is revoked',
  CERT_SIGNATURE_FAILURE: 'has a bad signature',
  INVALID_PURPOSE: 'is not meant for this use',
};

/** OpenSSL's handshake errors that have a plainer way to say them. */
const HANDSHAKE_TEXTS: Readonly<Record<string, string>> = {
  ERR_SSL_WRONG_VERSION_NUMBER: 'TLS handshake failed: the peer does not speak TLS',
  ERR_SSL_HTTP_REQUEST: 'TLS handshake failed: the peer sent plain HTTP',
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'TLS handshake failed: the server accepts none of the ALPN protocols offered',
  ERR_SSL_NO_APPLICATION_PROTOCOL: 'TLS handshake failed: none of the ALPN protocols offered is accepted',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'TLS handshake failed: no protocol version in common',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'TLS handshake failed: no protocol version in common',
  ERR_SSL_NO_PROTOCOLS_AVAILABLE: 'TLS handshake failed: no protocol version in common',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'TLS handshake failed: the peer refused it',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'TLS handshake failed: the server requires a client certificate',
  ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE: 'TLS handshake failed: the client sent no certificate',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'TLS handshake failed: the peer rejected the certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'TLS handshake failed: the peer does not trust the certificate\'s authority',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'TLS handshake failed: the peer found the certificate expired',
  ERR_TLS_CLIENT_CERT_REJECTED: 'TLS handshake failed: the client certificate does not verify',
};

/**
 * The readable text of a failed TLS handshake, naming whose certificate it is about (`certificate for
 * localhost is self-signed`), from Node's error: its code, its `reason` (OpenSSL's), its message.
 *
 * @param whose What the certificate is of: `certificate for localhost`, or `client certificate`.
 */
export function handshakeText(error: unknown, whose: string): string {
  const code = errorCode(error);
  const certificate = CERTIFICATE_TEXTS[code];
  if (certificate !== undefined) return `${whose} ${certificate}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (error as { cert?: { subjectaltname?: unknown } } | null)?.cert?.subjectaltname;
    return typeof names === 'string' && names !== '' ? `${whose} does not match: it names ${names}` : `${whose} does not match the name`;
  }
  const plain = HANDSHAKE_TEXTS[code];
  if (plain !== undefined) return plain;
  if (Object.hasOwn(TEXTS, code)) return `${TEXTS[code] ?? code} during the TLS handshake`;
  const reason = (error as { reason?: unknown } | null)?.reason;
  const message = (error as { message?: unknown } | null)?.message;
  const why = typeof reason === 'string' && reason !== '' ? reason : typeof message === 'string' && message !== '' ? message : code;
  return `TLS handshake failed: ${why}`;
}

/** What the error of a client's failed TLS handshake is made from: `new ConnectError(decision)`. */
export type ClientHandshakeDecision = {
  readonly code: string;
  readonly address: string;
  readonly port: number;
  readonly duration: number;
  readonly cause: unknown;
  readonly text: string;
  readonly handshake: true;
};

/**
 * The error of a client whose TLS handshake with a server failed, or did not finish within the server's
 * `handshakeTimeout` (`cause` then has code `ETIMEDOUT`): Node's code, a text about the client's certificate or
 * the handshake (`client certificate is self-signed`), the client's address and port, and how long it took
 * (`client certificate is self-signed (127.0.0.1 port 50312 after 4 ms)`).
 */
export function clientHandshakeFailure(cause: unknown, client: { readonly address: string; readonly port: number }, duration: number): ClientHandshakeDecision {
  return { code: errorCode(cause), address: client.address, port: client.port, duration, cause, text: handshakeText(cause, 'client certificate'), handshake: true };
}

/**
 * The error of TLS key material that OpenSSL would not load (a certificate given as the key, a key that does not
 * belong to the certificate, a PEM that does not parse), thrown when `connectAsync$` or `listen$` is called:
 * it names the option when the code tells which, with OpenSSL's reason and its error as `cause`.
 */
export function tlsMaterialError(error: unknown, argument: string): InvalidArgumentError {
  const code = errorCode(error);
  const reason = (error as { reason?: unknown } | null)?.reason;
  const message = (error as { message?: unknown } | null)?.message;
  const why = typeof reason === 'string' && reason !== '' ? reason : typeof message === 'string' && message !== '' ? message : code;
  switch (code) {
    case 'ERR_OSSL_X509_KEY_VALUES_MISMATCH':
      return new InvalidArgumentError(`${argument}.key`, `does not belong to ${argument}.cert (${why})`, 'ERR_INVALID_ARG_VALUE', error);
    case 'ERR_OSSL_UNSUPPORTED':
      return new InvalidArgumentError(`${argument}.key`, `is not a private key OpenSSL can read (${why})`, 'ERR_INVALID_ARG_VALUE', error);
    case 'ERR_OSSL_PEM_NO_START_LINE':
      return new InvalidArgumentError(`${argument}.cert`, `is not a PEM certificate (${why})`, 'ERR_INVALID_ARG_VALUE', error);
    case 'ERR_TLS_CA_NOT_CERTIFICATE':
      // The transport's own check (OpenSSL takes such a ca silently): the option it names, and the reason alone.
      return new InvalidArgumentError(`${argument}.${String((error as { option?: unknown }).option)}`, why, 'ERR_INVALID_ARG_VALUE', (error as Error).cause);
    default:
      return new InvalidArgumentError(argument, `has key material OpenSSL cannot load (${why})`, 'ERR_INVALID_ARG_VALUE', error);
  }
}
