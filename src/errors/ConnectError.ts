import type { SocketAddress } from '../core/socket.js';
import { errorCode, mostRelevant, tclText } from './codes.js';

/** What a {@link ConnectError} is made from. */
export type ConnectErrorInit = {
  /** The errno-style code. */
  readonly code: string;
  /** The remote address. */
  readonly address?: string | undefined;
  /** The remote port. */
  readonly port?: number | undefined;
  /** The attempts' own errors, in attempt order; the message gets one clause each. */
  readonly attempts?: readonly ConnectError[] | undefined;
  /** How long the attempt took, in ms. */
  readonly duration?: number | undefined;
  /** The local address the attempt was bound to. */
  readonly local?: SocketAddress | undefined;
  /** Said in parentheses after the code's text when there are no attempts. */
  readonly detail?: string | undefined;
  /** The underlying error (Node's). */
  readonly cause?: unknown;
  /** The message's lead, when Tcl's text for the code would not say it (a TLS handshake's failure). */
  readonly text?: string | undefined;
  /** The TLS handshake failed (TCP had connected). */
  readonly handshake?: boolean | undefined;
};

/**
 * The error of a connect: of one attempt, or of the whole connect.
 *
 * `code` is a string errno code (`ECONNREFUSED`, `ETIMEDOUT`, `ENOTFOUND`, ...). `message` starts with Tcl's
 * text for that code and names every attempt, e.g.
 * `connection refused (::1 port 8080: connection refused after 1 ms; 127.0.0.1 port 8080: connection refused after 2 ms)`.
 * It is never empty. Node's own error, where there is one, is kept as `cause`.
 *
 * ## Example
 * ```ts
 * import { connectAsync$, ConnectError } from 'rxconnect';
 *
 * connectAsync$('localhost', 1).subscribe((e) => {
 *   if (e.type === 'failed' && e.error instanceof ConnectError) console.log(e.error.code, e.error.attempts.length);
 * });
 * ```
 */
export class ConnectError extends Error {
  /** Always `'ConnectError'`. */
  override readonly name: string = 'ConnectError';
  /** The errno-style code, chosen by relevance when several attempts failed. */
  readonly code: string;
  /** The remote address of the attempt (or, for the whole connect, of the most relevant attempt). */
  readonly address: string | undefined;
  /** The remote port. */
  readonly port: number | undefined;
  /** Every attempt's own error, in attempt order. Empty on an attempt's own error. */
  readonly attempts: readonly ConnectError[];
  /** How long the attempt took, in ms (attempt errors only). */
  readonly duration: number | undefined;
  /** The local address the attempt was bound to, if any. */
  readonly local: SocketAddress | undefined;
  /**
   * True when TCP connected and the TLS handshake then failed (`code` is then Node's: `CERT_HAS_EXPIRED`,
   * `ERR_TLS_CERT_ALTNAME_INVALID`, `ECONNRESET`, ...); for a whole connect, when its handshake failed.
   */
  readonly handshake: boolean;
  /**
   * What went wrong, without the attempts and addresses: Tcl's text for the code (`connection refused`), or a
   * handshake's own (`certificate for localhost has expired`). The message starts with it; a snapshot's `error`
   * is it.
   */
  readonly text: string;

  constructor(init: ConnectErrorInit) {
    const attempts = init.attempts ?? [];
    const text = init.text ?? tclText(init.code, nodeMessage(init.cause));
    super(describe(text, init, attempts), init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.address = init.address;
    this.port = init.port;
    this.attempts = attempts;
    this.duration = init.duration;
    this.local = init.local;
    this.handshake = init.handshake === true;
    this.text = text;
  }

  /** The error of one attempt, from the transport's error (Node's, or a virtual one). */
  static forAttempt(address: SocketAddress, duration: number, cause: unknown, local?: SocketAddress): ConnectError {
    const code = errorCode(cause);
    return new ConnectError({ code, address: address.address, port: address.port, duration, local, cause });
  }

  /**
   * The error of a whole connect from its attempts' errors: the code of the one that got furthest (bind and
   * permission errors, then refused, timed out, host unreachable, network unreachable, resolution errors).
   * A tie goes to the latest attempt. With no attempt errors, `fallback` decides.
   */
  static aggregate(attempts: readonly ConnectError[], fallback: ConnectErrorInit): ConnectError {
    // A failed handshake got furthest of all: TCP had connected.
    const best = attempts.find((a) => a.handshake) ?? mostRelevant(attempts, (a) => a.code);
    if (best === undefined) return new ConnectError(fallback);
    const { code, address, port, cause, handshake } = best;
    return new ConnectError({ code, address, port, attempts, cause, handshake, text: best.text });
  }

  /** @internal The clause of this attempt in a whole connect's message. */
  static clause(e: ConnectError): string {
    const where = e.address === undefined ? '' : `${e.address} port ${e.port ?? '?'}: `;
    const after = e.duration === undefined ? '' : ` after ${Math.round(e.duration)} ms`;
    // The handshake's own text leads the whole message; its clause says where it failed.
    return `${where}${e.handshake ? 'TLS handshake failed' : e.text}${after}`;
  }
}

function nodeMessage(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function describe(text: string, init: ConnectErrorInit, attempts: readonly ConnectError[]): string {
  if (attempts.length > 0) return `${text} (${attempts.map((a) => ConnectError.clause(a)).join('; ')})`;
  if (init.duration !== undefined && init.address !== undefined) {
    return `${text} (${init.address} port ${init.port ?? '?'} after ${Math.round(init.duration)} ms)`;
  }
  return init.detail !== undefined ? `${text} (${init.detail})` : text;
}
