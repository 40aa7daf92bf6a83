import { Observable } from 'rxjs';
import type { TlsOptions } from '../index.js';
import type { ConnectSettings } from './connect.js';
import { planConnect } from './connect.js';
import { runHttpProbe } from './httpProbe.js';
import { jsonError } from './report.js';
import type { TargetReport } from './report.js';
import type { Check, TryResult } from './waitLoop.js';
import type { StatusRanges, WaitTarget } from './waitTarget.js';
import { describeStatuses, statusAccepted } from './waitTarget.js';

/** How wait's tries connect: `timeout` is the limit of one try; `tls` for tls:// targets, `https` for https:// URLs. */
export type CheckSettings = ConnectSettings & {
  readonly https?: TlsOptions | undefined;
  readonly statuses: StatusRanges;
};

/** The code of a response whose status `--status` does not accept. */
export const STATUS_CODE = 'EHTTPSTATUS';

/** A try of an http(s):// target: up when the response's status is accepted. */
export function httpResult(report: TargetReport, statuses: StatusRanges): TryResult {
  if (report.outcome !== 'connected') return { up: false, error: report.error ?? { code: 'EUNKNOWN', message: 'the connect failed' } };
  const http = report.http;
  if (http === undefined || http.status === undefined) return { up: false, error: http?.error ?? { code: 'EUNKNOWN', message: 'no response' } };
  const status = `HTTP ${http.status}${http.statusText === undefined || http.statusText === '' ? '' : ` ${http.statusText}`}`;
  if (statusAccepted(http.status, statuses)) return { up: true, address: report.address, detail: status };
  return { up: false, error: { code: STATUS_CODE, message: `${status} (expected ${describeStatuses(statuses)})` } };
}

function connectCheck(events$: ReturnType<typeof planConnect>): Check {
  return () =>
    new Observable<TryResult>((subscriber) => {
      const subscription = events$.subscribe({
        next: (event) => {
          if (event.type === 'connected') {
            // A try only checks: the channel is closed at once (and again, harmlessly, by the unsubscribe).
            event.channel.close().catch(() => undefined);
            const detail = event.tls === undefined ? undefined : event.tls.protocol ?? 'TLS';
            subscriber.next({ up: true, address: event.address.address, detail });
            subscriber.complete();
          } else if (event.type === 'failed') {
            subscriber.next({ up: false, error: jsonError(event.error) });
            subscriber.complete();
          }
        },
        error: (error: unknown) => {
          subscriber.next({ up: false, error: jsonError(error) });
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}

function httpCheck(target: Extract<WaitTarget, { kind: 'http' }>, settings: ConnectSettings, statuses: StatusRanges): Check {
  return () =>
    new Observable<TryResult>((subscriber) => {
      const abort = new AbortController();
      void runHttpProbe(target.url, settings, abort.signal).then((report) => {
        subscriber.next(httpResult(report, statuses));
        subscriber.complete();
      });
      return () => abort.abort();
    });
}

/**
 * The check of one target, for {@link waitLoop}: a TCP connect (closed as soon as it is made), a connect and a TLS
 * handshake, or a connect and a GET whose status must be in `statuses`. The connect is planned now, so that bad
 * input (an unknown service) throws a UsageError before any try.
 */
export function checkOf(target: WaitTarget, settings: CheckSettings): Check {
  const { https, statuses, tls, ...connect } = settings;
  switch (target.kind) {
    case 'tcp':
      return connectCheck(planConnect(target.target, connect));
    case 'tls':
      return connectCheck(planConnect(target.target, { ...connect, tls: tls ?? true }));
    case 'http': {
      const http = { ...connect, tls: target.url.secure ? (https ?? true) : undefined };
      planConnect({ text: target.text, host: target.url.host, port: target.url.port }, http);
      return httpCheck(target, http, statuses);
    }
  }
}
