import type { ConnectEvent, SocketAddress, TlsCertificate, TlsInfo } from '../index.js';
import type { Target } from './target.js';

/** An error as `--json` shows it. */
export type JsonError = { readonly code: string; readonly message: string };

/** A name of a certificate (subject or issuer) as `--json` shows it: `{ "CN": "localhost", "O": "..." }`. */
export type JsonName = Readonly<Record<string, string | readonly string[]>>;

/** The peer's certificate as `--json` shows it: Node's field names, without the DER bytes. */
export type JsonCertificate = {
  readonly subject: JsonName;
  readonly issuer: JsonName;
  readonly subjectaltname?: string;
  readonly valid_from: string;
  readonly valid_to: string;
  readonly fingerprint256: string;
  readonly serialNumber: string;
};

/** A {@link ConnectEvent} as `--json` shows it: plain data, errors as `{ code, message }`, no channel. */
export type JsonEvent = { readonly elapsed: number } & (
  | { readonly type: 'resolved'; readonly host: string; readonly port: number; readonly family: 0 | 4 | 6; readonly addresses: readonly SocketAddress[] }
  | {
      readonly type: 'attempt';
      readonly attempt: number;
      readonly address: SocketAddress;
      readonly local?: SocketAddress;
      /** Present (true) when the connect's history chose this attempt's place, as on the {@link ConnectEvent}. */
      readonly history?: true;
    }
  | { readonly type: 'attemptFailed'; readonly attempt: number; readonly address: SocketAddress; readonly error: JsonError }
  | { readonly type: 'attemptCancelled'; readonly attempt: number; readonly address: SocketAddress; readonly reason: 'lost' | 'timeout' }
  | { readonly type: 'handshake'; readonly attempt: number; readonly address: SocketAddress }
  | {
      readonly type: 'connected';
      readonly attempt: number;
      readonly address: SocketAddress;
      readonly tls?: TlsInfo;
      /** With `tls`: the peer's certificate, read when the connect succeeded (null when it sent none). */
      readonly certificate?: JsonCertificate | null;
    }
  | { readonly type: 'failed'; readonly error: JsonError }
  | { readonly type: 'closed'; readonly error?: JsonError }
);

/** The request of a URL target, as `--json` shows it; times are ms from the start of the connect. */
export type HttpReport = {
  /** The URL as it was written. */
  readonly url: string;
  readonly method: 'GET';
  /** When the request was written, once connected. */
  readonly sent: number;
  /** When the request settled: at the response's headers (then equal to `ttfb`) or at its error. */
  readonly ended: number;
  /** Time to first byte: when the response's headers arrived. Absent when there was no response. */
  readonly ttfb?: number;
  /** The status code (a non-2xx status is still a response). */
  readonly status?: number;
  readonly statusText?: string;
  /** `1.1` or `1.0`. */
  readonly httpVersion?: string;
  /** How many header fields the response had. */
  readonly headers?: number;
  /** A few headers that say what answered: server, content-type, content-length, location (those present). */
  readonly selected?: Readonly<Record<string, string>>;
  /** Why there was no response (no status then). */
  readonly error?: JsonError;
};

/** The outcome of connecting to one target: one entry of `--json`'s `targets`. */
export type TargetReport = {
  /** The host as given (without brackets). */
  readonly host: string;
  /** The port number (a service name is shown as the number it resolved to). */
  readonly port: number | string;
  readonly outcome: 'connected' | 'failed';
  /** Set when the outcome is `failed`. */
  readonly error?: JsonError;
  /** Milliseconds from the start to `connected` or `failed`. */
  readonly ms: number;
  /** The address that won, when connected. */
  readonly address?: string;
  readonly events: readonly JsonEvent[];
  /** For a URL target that connected: its request and response. */
  readonly http?: HttpReport;
};

/** The `--json` document of probe and scan. */
export type JsonReport = { readonly targets: readonly TargetReport[] };

/** `{ code, message }` of any error. */
export function jsonError(error: unknown): JsonError {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  // An Error of another realm (a vm context) fails instanceof, and String() would prefix its name.
  const own = (error as { message?: unknown } | null | undefined)?.message;
  const message = error instanceof Error ? error.message : typeof own === 'string' && typeof error === 'object' ? own : String(error);
  return { code: typeof code === 'string' && code !== '' ? code : 'EUNKNOWN', message: message === '' ? 'unknown error' : message };
}

function address(a: SocketAddress): SocketAddress {
  return { address: a.address, family: a.family, port: a.port };
}

function jsonName(name: TlsCertificate['subject'] | undefined): JsonName {
  return Object.fromEntries(Object.entries(name ?? {}));
}

/** A certificate as plain data: the names as plain objects, the DER bytes and the chain left out. */
export function jsonCertificate(certificate: TlsCertificate): JsonCertificate {
  const c = certificate;
  const base = { subject: jsonName(c.subject), issuer: jsonName(c.issuer) };
  const alt = c.subjectaltname === undefined ? {} : { subjectaltname: c.subjectaltname };
  return { ...base, ...alt, valid_from: c.valid_from, valid_to: c.valid_to, fingerprint256: c.fingerprint256, serialNumber: c.serialNumber };
}

/**
 * A {@link ConnectEvent} as plain data: the channel left out, errors as `{ code, message }`. A TLS `connected`
 * keeps its `tls` and gains the peer's `certificate`, read from the channel now (call this before closing it).
 */
export function toJsonEvent(event: ConnectEvent): JsonEvent {
  const { elapsed } = event;
  switch (event.type) {
    case 'resolved':
      return { type: 'resolved', elapsed, host: event.host, port: event.port, family: event.family, addresses: event.addresses.map(address) };
    case 'attempt': {
      const base = { type: 'attempt', elapsed, attempt: event.attempt, address: address(event.address) } as const;
      const local = event.local === undefined ? {} : { local: address(event.local) };
      // Only an attempt that a history placed has the field: the others keep their shape.
      return event.history === true ? { ...base, ...local, history: true } : { ...base, ...local };
    }
    case 'attemptFailed':
      return { type: 'attemptFailed', elapsed, attempt: event.attempt, address: address(event.address), error: jsonError(event.error) };
    case 'attemptCancelled':
      return { type: 'attemptCancelled', elapsed, attempt: event.attempt, address: address(event.address), reason: event.reason };
    case 'handshake':
      return { type: 'handshake', elapsed, attempt: event.attempt, address: address(event.address) };
    case 'connected': {
      const base = { type: 'connected', elapsed, attempt: event.attempt, address: address(event.address) } as const;
      if (event.tls === undefined) return base;
      const certificate = event.channel.tls?.peerCertificate() ?? null;
      return { ...base, tls: event.tls, certificate: certificate === null ? null : jsonCertificate(certificate) };
    }
    case 'failed':
      return { type: 'failed', elapsed, error: jsonError(event.error) };
    case 'closed':
      return event.error === undefined ? { type: 'closed', elapsed } : { type: 'closed', elapsed, error: jsonError(event.error) };
  }
}

/**
 * The report of one target from its events (as `toJsonEvent` made them). Without a terminal event (which the
 * event grammar rules out) the outcome is `failed`.
 */
export function targetReport(target: Target, events: readonly JsonEvent[]): TargetReport {
  const resolved = events.find((e) => e.type === 'resolved');
  const terminal = events.find((e) => e.type === 'connected' || e.type === 'failed');
  const port = resolved?.type === 'resolved' ? resolved.port : target.port;
  const base = { host: target.host, port };
  if (terminal?.type === 'connected') {
    return { ...base, outcome: 'connected', ms: terminal.elapsed, address: terminal.address.address, events };
  }
  if (terminal?.type === 'failed') return { ...base, outcome: 'failed', error: terminal.error, ms: terminal.elapsed, events };
  const last = events[events.length - 1];
  return { ...base, outcome: 'failed', error: { code: 'EUNKNOWN', message: 'the connect ended without an outcome' }, ms: last?.elapsed ?? 0, events };
}

/**
 * The exit code for a set of reports: 0 when every target connected (and every URL target got a response,
 * whatever its status), else 1.
 */
export function exitCodeOf(reports: readonly TargetReport[]): 0 | 1 {
  return reports.every((r) => r.outcome === 'connected' && r.http?.error === undefined) ? 0 : 1;
}
