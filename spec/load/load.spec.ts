import { randomBytes } from 'node:crypto';
import { filter, finalize, firstValueFrom, lastValueFrom, mergeMap, range, reduce, Subject, switchMap, take, tap } from 'rxjs';
import { connectAsync$, connected, listen$ } from '../../src/index.js';
import { settledTcpHandles } from '../helpers/loopback.js';

// Load: 10,000 connects, 500 in flight, against a listen$ echo server on 127.0.0.1. Each client writes one line
// and reads it back; every line must come back byte for byte, and nothing may stay open. Time and peak RSS are
// printed, not asserted (machines differ); LOAD_CONNECTS and LOAD_IN_FLIGHT change the shape for a local run.

const CONNECTS = Number(process.env['LOAD_CONNECTS'] ?? 10_000);
const IN_FLIGHT = Number(process.env['LOAD_IN_FLIGHT'] ?? 500);

describe('load', () => {
  it(`should echo a line over each of ${CONNECTS} connects, ${IN_FLIGHT} in flight, losing nothing and leaking nothing`, async () => {
    // The echo server: every accepted channel writes back what it reads, and closes when the client has.
    const port$ = new Subject<number>();
    let accepted = 0;
    const server = listen$(0, { myaddr: '127.0.0.1', backlog: 2048 })
      .pipe(
        mergeMap((event) => {
          if (event.type === 'listening') {
            port$.next(event.socknames[0]?.port ?? 0);
            return [];
          }
          accepted++;
          const { channel } = event;
          return channel.data$.pipe(
            tap((bytes) => channel.write(bytes)),
            finalize(() => void channel.close().catch(() => undefined)),
          );
        }),
      )
      .subscribe();
    const portPromise = firstValueFrom(port$);
    const port = await portPromise;

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const started = performance.now();
    let inFlight = 0;
    let maxInFlight = 0;

    const outcome = await lastValueFrom(
      range(0, CONNECTS).pipe(
        mergeMap((i) => {
          // Each line is its own: a number and random bytes in hex, so a mix-up between connections would show.
          const line = `${i} ${randomBytes(24).toString('hex')}`;
          return connectAsync$('127.0.0.1', port).pipe(
            tap({
              subscribe: () => (maxInFlight = Math.max(maxInFlight, ++inFlight)),
              finalize: () => inFlight--,
            }),
            connected(),
            switchMap((channel) => {
              channel.writeLine(line);
              return channel.lines$;
            }),
            take(1),
            // Unsubscribing after the answer closes the channel (flushing first).
            filter((answer) => answer === line),
          );
        }, IN_FLIGHT),
        reduce((n) => n + 1, 0),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    server.unsubscribe();
    const left = await settledTcpHandles();

    console.log(
      `load: ${CONNECTS} connects (${IN_FLIGHT} in flight, max seen ${maxInFlight}) in ${seconds.toFixed(2)} s ` +
        `= ${Math.round(CONNECTS / seconds)} connects/s; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak ${(peakRss / 2 ** 20).toFixed(0)} MiB ` +
        `(process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB); ${left} TCP handles left`,
    );
    expect(outcome).toBe(CONNECTS);
    expect(accepted).toBe(CONNECTS);
    expect(maxInFlight).toBe(Math.min(IN_FLIGHT, CONNECTS));
    expect(left).toBe(0);
  }, 60_000);
});
