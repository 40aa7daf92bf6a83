import { Observable } from 'rxjs';
import { connectAsync$, connectTimeout } from '../index.js';
import type { ConnectEvent } from '../index.js';
import type { ConnectSettings } from './connect.js';
import { usageText } from './connect.js';
import type { JsonError, JsonEvent } from './report.js';
import { jsonError, toJsonEvent } from './report.js';
import type { ScanTarget } from './scanTargets.js';
import { formatTarget } from './target.js';
import { UsageError } from './usage.js';

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
 * What connects to one target of a scan and emits its {@link ScanResult}: the options are checked and split
 * once for the whole scan. The lean path: only the port (`resolved`), the winner (`connected`) and the error
 * (`failed`) are read from the events, and nothing is copied unless `keepEvents`. Once connected, the
 * subscription ends, which closes the channel at once (a scan only checks). Unsubscribing releases the
 * attempt's sockets and timers.
 */
export function scanConnector(settings: ConnectSettings, keepEvents = false): (target: ScanTarget) => Observable<ScanResult> {
  const { timeout, ...options } = settings;
  const limit = timeout === undefined ? undefined : connectTimeout(timeout);
  return (target) =>
    new Observable<ScanResult>((subscriber) => {
      const { host, index } = target;
      let port = target.port;
      const events: JsonEvent[] | undefined = keepEvents ? [] : undefined;
      let lastElapsed = 0;
      const settle = (result: ScanResult): void => {
        subscriber.next(events === undefined ? result : { ...result, events });
        subscriber.complete();
      };
      let events$: Observable<ConnectEvent>;
      try {
        events$ = connectAsync$(host, port, options);
      } catch (error) {
        throw new UsageError(`${formatTarget(host, port)}: ${usageText(error)}`);
      }
      return (limit === undefined ? events$ : events$.pipe(limit)).subscribe({
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
