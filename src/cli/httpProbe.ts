import type { IncomingMessage } from 'node:http';
import { timer } from 'rxjs';
import type { Subscription } from 'rxjs';
import type { NetSocket } from '../index.js';
import { nodeHttp } from './builtins.js';
import type { ConnectSettings } from './connect.js';
import { planConnect } from './connect.js';
import type { HttpReport, JsonError, JsonEvent, TargetReport } from './report.js';
import { jsonError, targetReport, toJsonEvent } from './report.js';
import type { UrlTarget } from './url.js';

/** The response headers `--json` and the timeline name, when present. */
const SELECTED_HEADERS = ['server', 'content-type', 'content-length', 'location'] as const;

/** What the request of a URL probe came to. */
type Exchange = { readonly ttfb: number; readonly response: IncomingMessage } | { readonly ended: number; readonly error: JsonError };

/**
 * Sends `GET path` on the connected `socket` with node:http (its `createConnection` hands the socket over) and
 * settles at the response's headers, the time to first byte, or at the first error; `deadline` (ms from `t0`)
 * ends the wait as `ETIMEDOUT`. The socket is destroyed once settled: the body is not read.
 */
function exchange(target: UrlTarget, socket: NetSocket, t0: number, deadline: number | undefined, signal?: AbortSignal): Promise<Exchange> {
  return new Promise<Exchange>((resolve) => {
    let limit: Subscription | undefined;
    let settled = false;
    const onAbort = (): void => settle({ ended: Date.now() - t0, error: { code: 'ABORT_ERR', message: 'aborted' } });
    const settle = (outcome: Exchange): void => {
      if (settled) return;
      settled = true;
      limit?.unsubscribe();
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      socket.destroy();
      resolve(outcome);
    };
    const req = nodeHttp().request(
      {
        method: 'GET',
        host: target.host,
        port: target.port,
        path: target.path,
        headers: { host: target.hostHeader, 'user-agent': 'rxconnect-probe', accept: '*/*', connection: 'close' },
        createConnection: () => socket,
      },
      (response) => settle({ ttfb: Date.now() - t0, response }),
    );
    req.on('error', (error) => settle({ ended: Date.now() - t0, error: jsonError(error) }));
    if (deadline !== undefined) {
      limit = timer(Math.max(0, deadline - (Date.now() - t0))).subscribe(() =>
        settle({ ended: Date.now() - t0, error: { code: 'ETIMEDOUT', message: `no response within ${deadline} ms` } }),
      );
    }
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    if (!settled) req.end();
  });
}

function httpReport(target: UrlTarget, sent: number, outcome: Exchange): HttpReport {
  const base = { url: target.text, method: 'GET', sent } as const;
  if ('error' in outcome) return { ...base, ended: outcome.ended, error: outcome.error };
  const { response, ttfb } = outcome;
  const selected: Record<string, string> = {};
  for (const name of SELECTED_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') selected[name] = value;
  }
  return {
    ...base,
    ended: ttfb,
    ttfb,
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? '',
    httpVersion: response.httpVersion,
    headers: response.rawHeaders.length / 2,
    selected,
  };
}

/**
 * Probes a URL: connects with `connectAsync$` (so that every lookup, attempt and the handshake is seen), takes
 * the winning socket out of the channel (`detach`), and makes one GET request on it with node:http. `timeout`
 * covers the whole, from the start to the response's headers. Resolves with the target's report, `http` set
 * once connected; never rejects. Aborting `signal` ends the connect or the request at once (and closes the
 * socket): the report then says `ABORT_ERR`.
 */
export function runHttpProbe(target: UrlTarget, settings: ConnectSettings, signal?: AbortSignal): Promise<TargetReport> {
  const events$ = planConnect({ text: target.text, host: target.host, port: target.port }, settings);
  const asTarget = { text: target.text, host: target.host, port: target.port };
  return new Promise<TargetReport>((resolve) => {
    const events: JsonEvent[] = [];
    let socket: NetSocket | undefined;
    let notHandedOver: JsonError | undefined;
    const t0 = Date.now();
    const subscription = events$.subscribe({
      next: (event) => {
        events.push(toJsonEvent(event));
        if (event.type !== 'connected') return;
        try {
          socket = event.channel.detach();
        } catch (error) {
          event.channel.destroy();
          notHandedOver = jsonError(error);
        }
      },
      error: (error: unknown) => {
        events.push({ type: 'failed', elapsed: events[events.length - 1]?.elapsed ?? 0, error: jsonError(error) });
        resolve(targetReport(asTarget, events));
      },
      complete: () => {
        const report = targetReport(asTarget, events);
        const sent = Date.now() - t0;
        if (notHandedOver !== undefined) {
          resolve({ ...report, http: { url: target.text, method: 'GET', sent, ended: sent, error: notHandedOver } });
          return;
        }
        if (socket === undefined || report.outcome !== 'connected') {
          socket?.destroy();
          resolve(report);
          return;
        }
        void exchange(target, socket, t0, settings.timeout, signal).then((outcome) => resolve({ ...report, http: httpReport(target, sent, outcome) }));
      },
    });
    // Before the handshake is over, an abort ends the connect (its teardown closes every socket).
    const onAbort = (): void => {
      if (socket !== undefined || subscription.closed) return;
      subscription.unsubscribe();
      events.push({ type: 'failed', elapsed: Date.now() - t0, error: { code: 'ABORT_ERR', message: 'aborted' } });
      resolve(targetReport(asTarget, events));
    };
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
