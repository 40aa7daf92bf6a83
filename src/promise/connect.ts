import type { Channel } from '../channel/Channel.js';
import { connectTimeout } from '../operators/connectTimeout.js';
import { parseDelay, parseOptions } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import { CONNECT_OPTIONS, NODE_CONNECT_NAMES } from '../connect/connectPlan.js';
import type { ConnectOptions } from '../connect/ConnectOptions.js';
import { connectAsync$ } from '../connect/connectAsync.js';

/** Options of {@link connect}: those of `connectAsync$`, and an overall deadline. */
export type ConnectPromiseOptions = ConnectOptions & {
  /** Milliseconds for the whole connect, lookups and a TLS handshake included, as {@link connectTimeout}. Default: none. */
  readonly timeout?: number | undefined;
};

/** The keys of {@link ConnectPromiseOptions}: connectAsync$'s and `timeout`. */
const CONNECT_PROMISE_OPTIONS: KnownKeys<ConnectPromiseOptions> = { ...CONNECT_OPTIONS, timeout: true };

/**
 * Connects and resolves with the channel, for linear `async`/`await` programs.
 *
 * <span class="informal">`connectAsync$` with `connected()`, as a Promise whose channel outlives it: the
 * channel stays open until you close it (or the peer does).</span>
 *
 * ```
 * events:  --r-a---c------------d|     (the connect runs until the channel closes)
 * promise: --------C                   resolves with c's channel; rejects with a failed's ConnectError
 * ```
 *
 * `firstValueFrom(connectAsync$(...).pipe(connected()))` would close the channel at once, since unsubscribing
 * closes it. `connect` keeps the subscription until the channel has closed, so nothing leaks as long as you
 * close the channel. Bad input throws at once, before a Promise exists.
 *
 * ## Example
 * ```ts
 * import { connect } from 'rxconnect';
 * import { firstValueFrom } from 'rxjs';
 *
 * const channel = await connect('localhost', 7, { timeout: 5000 });
 * channel.writeLine('HELO');
 * const reply = await firstValueFrom(channel.lines$);
 * await channel.close();
 * ```
 *
 * @param host A host name or an IP literal.
 * @param port An integer from 1 to 65535, or a service name.
 * @param options `connectAsync$`'s options, and `timeout` for the whole connect.
 * @returns A Promise of the connected {@link Channel}; it rejects with the `ConnectError` of a failed connect
 * (with `code: 'ABORT_ERR'` and `name: 'AbortError'` when the `signal` option is aborted first).
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the argument, for bad input.
 */
export function connect(host: string, port: number | string, options?: ConnectPromiseOptions): Promise<Channel> {
  const { timeout, ...rest } = parseOptions<ConnectPromiseOptions>(options, 'options', CONNECT_PROMISE_OPTIONS, NODE_CONNECT_NAMES);
  const ms = parseDelay(timeout, 'timeout', undefined);
  const events$ = connectAsync$(host, port, rest);
  const bounded$ = ms === undefined ? events$ : events$.pipe(connectTimeout(ms, rest.scheduler));
  return new Promise<Channel>((resolve, reject) => {
    bounded$.subscribe({
      next: (event) => {
        if (event.type === 'connected') resolve(event.channel);
        else if (event.type === 'failed') reject(event.error);
      },
      error: reject,
    });
  });
}
