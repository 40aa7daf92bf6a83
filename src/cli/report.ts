import type { ConnectEvent, SocketAddress, TlsInfo } from '../index.js';
import type { Target } from './target.js';

/** An error as `--json` shows it. */
export type JsonError = { readonly code: string; readonly message: string };

/** A {@link ConnectEvent} as `--json` shows it: plain data, errors as `{ code, message }`, no channel. */
export type JsonEvent = { readonly elapsed: number } & (
  | { readonly type: 'resolved'; readonly host: string; readonly port: number; readonly family: 0 | 4 | 6; readonly addresses: readonly SocketAddress[] }
  | { readonly type: 'attempt'; readonly attempt: number; readonly address: SocketAddress; readonly local?: SocketAddress }
  | { readonly type: 'attemptFailed'; readonly attempt: number; readonly address: SocketAddress; readonly error: JsonError }
  | { readonly type: 'attemptCancelled'; readonly attempt: number; readonly address: SocketAddress; readonly reason: 'lost' | 'timeout' }
  | { readonly type: 'handshake'; readonly attempt: number; readonly address: SocketAddress }
  | { readonly type: 'connected'; readonly attempt: number; readonly address: SocketAddress; readonly tls?: TlsInfo }
  | { readonly type: 'failed'; readonly error: JsonError }
  | { readonly type: 'closed'; readonly error?: JsonError }
);

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
};

/** The `--json` document of probe and scan. */
export type JsonReport = { readonly targets: readonly TargetReport[] };

/** `{ code, message }` of any error. */
export function jsonError(error: unknown): JsonError {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { code: typeof code === 'string' && code !== '' ? code : 'EUNKNOWN', message: message === '' ? 'unknown error' : message };
}

function address(a: SocketAddress): SocketAddress {
  return { address: a.address, family: a.family, port: a.port };
}

/** A {@link ConnectEvent} as plain data: the channel left out, errors as `{ code, message }`. */
export function toJsonEvent(event: ConnectEvent): JsonEvent {
  const { elapsed } = event;
  switch (event.type) {
    case 'resolved':
      return { type: 'resolved', elapsed, host: event.host, port: event.port, family: event.family, addresses: event.addresses.map(address) };
    case 'attempt':
      return event.local === undefined
        ? { type: 'attempt', elapsed, attempt: event.attempt, address: address(event.address) }
        : { type: 'attempt', elapsed, attempt: event.attempt, address: address(event.address), local: address(event.local) };
    case 'attemptFailed':
      return { type: 'attemptFailed', elapsed, attempt: event.attempt, address: address(event.address), error: jsonError(event.error) };
    case 'attemptCancelled':
      return { type: 'attemptCancelled', elapsed, attempt: event.attempt, address: address(event.address), reason: event.reason };
    case 'handshake':
      return { type: 'handshake', elapsed, attempt: event.attempt, address: address(event.address) };
    case 'connected':
      return event.tls === undefined
        ? { type: 'connected', elapsed, attempt: event.attempt, address: address(event.address) }
        : { type: 'connected', elapsed, attempt: event.attempt, address: address(event.address), tls: event.tls };
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

/** The exit code for a set of reports: 0 when every target connected, else 1. */
export function exitCodeOf(reports: readonly TargetReport[]): 0 | 1 {
  return reports.every((r) => r.outcome === 'connected') ? 0 : 1;
}
