import { Observable } from 'rxjs';
import type { ConnectSettings } from './connect.js';
import { planConnect } from './connect.js';
import type { JsonError, JsonEvent } from './report.js';
import { jsonError, toJsonEvent } from './report.js';
import type { ScanTarget } from './scanTargets.js';
import { formatTarget } from './target.js';

/** The outcome of one target of a scan: a `--jsonl` line, a row of the table. */
export type ScanResult = {
  /** The place of the target in the whole list (0-based), for the table's order. */
  readonly index: number;
  readonly host: string;
  /** The port number (a service name as the number it resolved to, when it was looked up). */
  readonly port: number | string;
  readonly outcome: 'connected' | 'failed';
  /** Milliseconds from the start of the connect to `connected` or `failed`. */
  readonly ms: number;
  /** The address that won, when connected. */
  readonly address?: string | undefined;
  /** Why it failed. */
  readonly error?: JsonError | undefined;
  /** Every event as plain data, kept only when asked for (`--json`). */
  readonly events?: readonly JsonEvent[];
};

/**
 * Connects to one target of a scan and emits its {@link ScanResult}. The lean path: only the port (`resolved`),
 * the winner (`connected`) and the error (`failed`) are read from the events, and nothing is copied unless
 * `keepEvents`. Once connected, the subscription ends, which closes the channel at once (a scan only checks).
 * Unsubscribing releases the attempt's sockets and timers.
 */
export function scanConnect(target: ScanTarget, settings: ConnectSettings, keepEvents = false): Observable<ScanResult> {
  return new Observable<ScanResult>((subscriber) => {
    const { host, index } = target;
    let port = target.port;
    const events: JsonEvent[] | undefined = keepEvents ? [] : undefined;
    let lastElapsed = 0;
    const settle = (result: ScanResult): void => {
      subscriber.next(events === undefined ? result : { ...result, events });
      subscriber.complete();
    };
    const events$ = planConnect({ text: formatTarget(host, port), host, port }, settings);
    return events$.subscribe({
      next: (event) => {
        lastElapsed = event.elapsed;
        events?.push(toJsonEvent(event));
        switch (event.type) {
          case 'resolved':
            port = event.port;
            break;
          case 'connected':
            settle({ index, host, port, outcome: 'connected', ms: event.elapsed, address: event.address.address });
            break;
          case 'failed':
            settle({ index, host, port, outcome: 'failed', ms: event.elapsed, error: jsonError(event.error) });
            break;
          default:
        }
      },
      // `failed` is data; an error notification means a bug or a misuse, reported as a failure all the same.
      error: (error: unknown) => settle({ index, host, port, outcome: 'failed', ms: lastElapsed, error: jsonError(error) }),
      complete: () => settle({ index, host, port, outcome: 'failed', ms: lastElapsed, error: { code: 'EUNKNOWN', message: 'the connect ended without an outcome' } }),
    });
  });
}
