import type { Palette } from './colors.js';
import { visible } from './escape.js';
import type { HttpReport } from './report.js';

/** The colour of a status: 2xx green, 3xx cyan, any other yellow (a response all the same). */
export function statusPaint(status: number | undefined, p: Palette): (text: string) => string {
  if (status !== undefined && status >= 200 && status < 300) return p.green;
  if (status !== undefined && status >= 300 && status < 400) return p.cyan;
  return p.yellow;
}

/** The status line as people read it: `HTTP 200 OK` (the reason phrase escaped, as it comes from the network). */
export function statusLine(http: HttpReport): string {
  const reason = http.statusText === undefined || http.statusText === '' ? '' : ` ${visible(http.statusText)}`;
  return `HTTP ${http.status ?? '?'}${reason}`;
}

/**
 * The line under a URL target's timeline: the status and the time to first byte, or why there was no response.
 * Without colour, the mark is `✔` for any response and `✘` for none. Pure.
 */
export function httpOutcome(http: HttpReport, p: Palette): string {
  if (http.error !== undefined || http.ttfb === undefined) {
    const error = http.error ?? { code: 'EUNKNOWN', message: 'no response' };
    return `${p.red('✘')} no response after ${Math.round(http.ended)} ms: ${p.red(visible(error.code))} ${visible(error.message)}`;
  }
  const paint = statusPaint(http.status, p);
  const after = Math.round(http.ttfb - http.sent);
  const headers = http.headers === undefined ? '' : `, ${http.headers} header${http.headers === 1 ? '' : 's'}`;
  return `${paint('✔')} ${paint(statusLine(http))}, first byte at ${Math.round(http.ttfb)} ms ${p.dim(`(${after} ms after the request${headers})`)}`;
}

/** The selected response headers (server, content-type, ...) as rows of label and escaped value. Pure. */
export function httpHeaderRows(http: HttpReport): { readonly label: string; readonly value: string }[] {
  return Object.entries(http.selected ?? {}).map(([label, value]) => ({ label, value: visible(value) }));
}
