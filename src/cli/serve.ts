import { EMPTY, catchError, defer, finalize, mergeMap, repeat, take, takeWhile } from 'rxjs';
import type { Observable } from 'rxjs';
import { listen$ } from '../index.js';
import type { Channel, ServerEvent, SocketName, TlsInfo, TlsServerOptions } from '../index.js';
import { colorEnabled, palette } from './colors.js';
import type { CliIo } from './io.js';
import { visible } from './escape.js';
import { formatTarget } from './target.js';
import { commonName } from './tlsDetails.js';
import { EXIT, UsageError, oneLine } from './usage.js';

/** Options of `rxconnect serve`. */
export type ServeOptions = {
  /** The local address (or name) to listen on; default every address. */
  readonly myaddr?: string | undefined;
  /** Echo what each client sends (the default). */
  readonly echo?: boolean | undefined;
  /** The time server of Tcl's socket man page instead. */
  readonly time?: boolean | undefined;
  /** Serve TLS with these settings (key and certificate read already). */
  readonly tls?: TlsServerOptions | undefined;
};

const pad2 = (n: number): string => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tcl's default `clock format`: `%a %b %d %H:%M:%S %Z %Y` in local time, e.g. `Fri Nov 21 11:12:00 UTC 2025`. Pure. */
export function tclClockFormat(date: Date): string {
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${pad2(date.getDate())} ${time} ${zone} ${date.getFullYear()}`;
}

/** Where a server listens, for people: `0.0.0.0 port 9900, :: port 9900`. */
export function describeSocknames(names: readonly SocketName[]): string {
  return names.map((n) => `${n.address} port ${n.port}`).join(', ');
}

/** What a TLS client's handshake agreed on, for its `connected` line: ` (TLSv1.3, ALPN h2, client CN=...)`. */
export function describeTlsClient(tls: TlsInfo | undefined, channel: Channel): string {
  if (tls === undefined) return '';
  const parts = [tls.protocol ?? 'TLS'];
  if (tls.alpnProtocol !== null) parts.push(`ALPN ${tls.alpnProtocol}`);
  const certificate = channel.tls?.peerCertificate() ?? null;
  if (certificate !== null) {
    const verified = tls.authorized ? 'verified' : `not verified: ${tls.authorizationError ?? 'unknown'}`;
    parts.push(`client certificate ${commonName(certificate.subject)} (${verified})`);
  }
  return ` (${parts.join(', ')})`;
}

/**
 * The server pipeline: on each connection, `--time` writes the two lines of Tcl's time server and closes;
 * echo writes back every chunk until the client closes, and stops reading while the client does not read
 * (its write queue past the high-water mark) until the queue drains. Each client's channel is tied to the subscription, so
 * unsubscribing closes the listeners and every client. `log` gets one line per event worth telling, with every
 * control character from the network (addresses, error messages) escaped.
 */
export function server$(events$: Observable<ServerEvent>, mode: 'echo' | 'time', print: (line: string) => void, startTime: number = Date.now()): Observable<unknown> {
  const log = (line: string): void => print(visible(line));
  return events$.pipe(
    mergeMap((event) => {
      if (event.type === 'listening') {
        log(`listening on ${describeSocknames(event.socknames)}`);
        return EMPTY;
      }
      const who = formatTarget(event.clientAddress, event.clientPort);
      if (event.type === 'handshakeFailed') {
        log(`${who} dropped: ${event.error.code} ${event.error.message}`);
        return EMPTY;
      }
      const { channel } = event;
      if (mode === 'time') {
        // The man page's Server proc.
        log(`Connection from ${event.clientAddress} registered${describeTlsClient(event.tls, channel)}`);
        const now = Date.now();
        channel.writeLine(tclClockFormat(new Date(now)));
        channel.writeLine(`${Math.floor((now - startTime) / 1000)} since start`);
        channel.close().catch((error: unknown) => log(`${who}: ${oneLine(error)}`));
        return EMPTY;
      }
      log(`${who} connected${describeTlsClient(event.tls, channel)}`);
      let bytes = 0;
      let full = false;
      // Reading stops while the write queue is full (the client does not read): unsubscribing from data$ pauses
      // the socket; drain$ starts the next round. drain$ completes on close, and so does the echo.
      const round$ = defer(() => {
        full = false;
        return channel.data$.pipe(
          takeWhile((chunk) => {
            bytes += chunk.byteLength;
            full = !channel.write(chunk);
            return !full;
          }),
        );
      });
      return round$.pipe(
        repeat({ delay: () => (full ? channel.drain$.pipe(take(1)) : EMPTY) }),
        catchError((error: unknown) => {
          log(`${who}: ${oneLine(error)}`);
          return EMPTY;
        }),
        finalize(() => {
          channel.close().catch(() => undefined);
          log(`${who} closed (${bytes} byte${bytes === 1 ? '' : 's'} echoed)`);
        }),
      );
    }),
  );
}

/**
 * `rxconnect serve PORT`: an echo server, or with `time` the time server of Tcl's socket man page, on
 * `listen$`, over TLS with `tls`. It prints each connection (and each client dropped in its handshake) and runs
 * until Ctrl-C, which closes the listeners and every client and resolves with 0. A server that cannot listen
 * resolves with 1.
 */
export function serve(portText: string, options: ServeOptions, io: CliIo): Promise<number> {
  if (options.echo === true && options.time === true) throw new UsageError('choose one of --echo and --time');
  const mode = options.time === true ? 'time' : 'echo';
  const port: number | string = /^\d+$/.test(portText) ? Number(portText) : portText;
  let events$: Observable<ServerEvent>;
  try {
    events$ = listen$(port, { myaddr: options.myaddr, tls: options.tls });
  } catch (error) {
    throw new UsageError(oneLine(error));
  }
  const p = palette(colorEnabled(io.stdout, io.env));
  const stamp = (): string => p.dim(new Date().toTimeString().slice(0, 8));
  const log = (line: string): void => void io.stdout.write(`${stamp()}  ${line}\n`);
  return new Promise<number>((resolve) => {
    let stopInterrupt = (): void => undefined;
    const subscription = server$(events$, mode, (line) => {
      log(line);
      if (line.startsWith('listening on ')) log(`${mode === 'time' ? 'time server (Tcl man page)' : 'echo server'}${options.tls === undefined ? '' : ' over TLS'}; Ctrl-C stops`);
    }).subscribe({
      error: (error: unknown) => {
        stopInterrupt();
        io.stderr.write(`rxconnect serve: ${visible(oneLine(error))}\n`);
        resolve(EXIT.failed);
      },
    });
    stopInterrupt = io.onInterrupt(() => {
      stopInterrupt();
      subscription.unsubscribe();
      log('stopped: listeners and clients closed');
      resolve(EXIT.ok);
    });
    if (subscription.closed) stopInterrupt();
  });
}
