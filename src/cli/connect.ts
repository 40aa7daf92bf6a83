import type { Observable } from 'rxjs';
import { ArgumentOutOfRangeError, InvalidArgumentError, connectAsync$, connectTimeout } from '../index.js';
import type { ConnectEvent, ConnectOptions } from '../index.js';
import type { JsonEvent } from './report.js';
import { jsonError, toJsonEvent } from './report.js';
import type { Target } from './target.js';
import { UsageError } from './usage.js';

/** How probe and scan connect. */
export type ConnectSettings = ConnectOptions & {
  /** Overall limit in ms (`connectTimeout`); none when undefined. */
  readonly timeout?: number | undefined;
};

/** The command's flag for each library option that a flag sets: a usage error names what the user typed. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  'tls.servername': '--servername',
  family: '--family',
  strategy: '--strategy',
  attemptDelay: '--attempt-delay',
  attemptTimeout: '--attempt-timeout',
};

/** What the library says is wrong with an argument: its error's message without the `${argument}: ` it begins with. */
export function problemOf(error: InvalidArgumentError | ArgumentOutOfRangeError): string {
  return error.message.slice(error.argument.length + ': '.length);
}

/** The message of an error from the library, with an option that a flag set named as that flag. Pure. */
export function usageText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof InvalidArgumentError || error instanceof ArgumentOutOfRangeError)) return message;
  const flag = FLAG_OF_OPTION[error.argument];
  return flag === undefined ? message : `${flag}: ${problemOf(error)}`;
}

/**
 * The connect for one target, not started yet (the Observable is cold). Bad input (an unknown service, a
 * malformed host, a family that does not match an IP literal) throws a {@link UsageError} now, naming the target.
 */
export function planConnect(target: Target, settings: ConnectSettings): Observable<ConnectEvent> {
  const { timeout, ...options } = settings;
  try {
    const events$ = connectAsync$(target.host, target.port, options);
    return timeout === undefined ? events$ : events$.pipe(connectTimeout(timeout));
  } catch (error) {
    throw new UsageError(`${target.text}: ${usageText(error)}`);
  }
}

/**
 * Runs a planned connect to its end: on `connected` it closes the channel at once (a probe only checks), and
 * waits for the stream to complete. Resolves with every event as plain data (no channel).
 */
export function runConnect(events$: Observable<ConnectEvent>): Promise<JsonEvent[]> {
  return new Promise<JsonEvent[]>((resolve) => {
    const events: JsonEvent[] = [];
    events$.subscribe({
      next: (event) => {
        events.push(toJsonEvent(event));
        if (event.type === 'connected') event.channel.close().catch(() => undefined);
      },
      // `failed` is data; an error notification means a bug or a misuse, reported as a failure all the same.
      error: (error: unknown) => {
        events.push({ type: 'failed', elapsed: events[events.length - 1]?.elapsed ?? 0, error: jsonError(error) });
        resolve(events);
      },
      complete: () => resolve(events),
    });
  });
}

/** A short description of the settings for a timeline's heading. */
export function describeSettings(settings: ConnectSettings): string {
  const parts: string[] = [settings.strategy ?? 'happy-eyeballs'];
  if ((settings.strategy ?? 'happy-eyeballs') === 'happy-eyeballs') parts.push(`attempt delay ${settings.attemptDelay ?? 250} ms`);
  if (settings.attemptTimeout !== undefined) parts.push(`attempt timeout ${settings.attemptTimeout} ms`);
  if (settings.timeout !== undefined) parts.push(`timeout ${settings.timeout} ms`);
  if (settings.family !== undefined && settings.family !== 0) parts.push(`IPv${settings.family} only`);
  const tls = settings.tls;
  if (tls !== undefined && tls !== false) {
    const o = tls === true ? {} : tls;
    parts.push('TLS');
    if (o.servername !== undefined) parts.push(`servername ${o.servername}`);
    if (o.ALPNProtocols !== undefined) parts.push(`ALPN ${o.ALPNProtocols.join(' ')}`);
    if (o.rejectUnauthorized === false) parts.push('insecure');
  }
  return parts.join(', ');
}
