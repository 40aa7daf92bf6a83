import { once } from 'node:events';
import type { Socket } from 'node:net';
import { firstValueFrom, interval, lastValueFrom, map, mergeMap, Subject, take, toArray } from 'rxjs';
import type { Subscription } from 'rxjs';
import { ChannelClosedError, connectAsync$, createSnapshot, flushOnConnect, listen$, snapshot } from '../../src/index.js';
import type { Channel, ChannelClose, ConnectEvent } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';
import { guardProcess, quiet, waitFor } from './support.js';
import type { ProcessGuard } from './support.js';

// Faults from the far side of a live connection, on loopback: a reset while data flows and while we write, a
// half-close either way, and writing to a peer that has gone (EPIPE). Each spec checks the typed outcome, and
// that the process saw no uncaught exception, no unhandled rejection, no unhandled 'error' event, and that no
// handle is left open.

type Live = { channel: Channel; events: ConnectEvent[]; completed: Promise<void>; subscription: Subscription };

/** Connects to 127.0.0.1:port and resolves with the channel; the connect stays subscribed. */
function connect(port: number, opened: Subscription[], pipe: (e: ReturnType<typeof connectAsync$>) => ReturnType<typeof connectAsync$> = (e) => e): Promise<Live> {
  return new Promise((resolve, reject) => {
    const events: ConnectEvent[] = [];
    let done!: () => void;
    const completed = new Promise<void>((r) => (done = r));
    const subscription = pipe(connectAsync$('127.0.0.1', port)).subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'connected') resolve({ channel: e.channel, events, completed, subscription });
        if (e.type === 'failed') reject(e.error);
      },
      error: reject,
      complete: () => done(),
    });
    opened.push(subscription);
  });
}

const code = (e: unknown): unknown => (e as { code?: unknown } | undefined)?.code;

describe('faults from the peer (loopback)', () => {
  let guard: ProcessGuard;
  let server: TestServer | undefined;
  let opened: Subscription[] = [];

  beforeEach(() => {
    guard = guardProcess();
  });

  afterEach(async () => {
    for (const s of opened) s.unsubscribe();
    opened = [];
    await server?.stop();
    server = undefined;
    await quiet();
    expect(guard.stop()).toEqual([]);
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should report a reset mid-stream as a typed error on data$ and as closed with its error, then complete', async () => {
    // The server sends, waits for the client to have read it (the client answers "ack"), then resets.
    server = await startServer('127.0.0.1', (socket) => {
      socket.write('part one\n');
      socket.once('data', () => socket.resetAndDestroy());
    });
    const state = createSnapshot();
    const { channel, events, completed } = await connect(server.port, opened, (e) => e.pipe(snapshot(state)));
    const chunks: Uint8Array[] = [];
    let readError: unknown;
    channel.data$.subscribe({
      next: (c) => {
        chunks.push(c);
        if (Buffer.concat(chunks).toString() === 'part one\n') channel.write('ack');
      },
      error: (e: unknown) => (readError = e),
    });
    const close: ChannelClose = await firstValueFrom(channel.closed$);
    await completed;
    expect(Buffer.concat(chunks).toString()).toBe('part one\n');
    expect(code(readError)).toBe('ECONNRESET');
    expect((readError as Error).message).not.toBe('');
    expect(code(close.error)).toBe('ECONNRESET');
    expect(events.map(label).slice(-2)).toEqual(['connected 0 127.0.0.1', 'closed ECONNRESET']);
    expect(grammarProblems(events, true)).toEqual([]);
    expect(state.value).toMatchObject({ connecting: false, error: 'connection reset by peer' });
    expect(() => channel.write('more')).toThrow(ChannelClosedError);
    // Nothing written was lost, so close() has nothing to report.
    await expect(channel.close()).resolves.toBeUndefined();
  });

  it('should report a reset mid-write: close() rejects with the reason, and later writes throw ChannelClosedError', async () => {
    server = await startServer('127.0.0.1', (socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    });
    const { channel, completed } = await connect(server.port, opened);
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let written = 0;
    let refused: unknown;
    // Write with backpressure until the channel refuses: the peer resets after its first read.
    while (written < 64 * 1024 * 1024) {
      try {
        if (!channel.write(chunk)) await Promise.race([firstValueFrom(channel.drain$, { defaultValue: undefined }), firstValueFrom(channel.closed$)]);
      } catch (e) {
        refused = e;
        break;
      }
      written += chunk.length;
    }
    const close = await firstValueFrom(channel.closed$);
    await completed;
    expect(refused).toBeInstanceOf(ChannelClosedError);
    expect(code(refused)).toBe('ERR_CHANNEL_CLOSED');
    expect(['ECONNRESET', 'EPIPE']).toContain(code(close.error));
    // Bytes were still queued when the peer reset: close() says so, with the transport's code and a message.
    const failure = await channel.close().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(['ECONNRESET', 'EPIPE']).toContain(code(failure));
    expect((failure as Error).message).not.toBe('');
  });

  it('should fail a flushOnConnect pipeline with ChannelClosedError when the peer resets while values keep coming', async () => {
    server = await startServer('127.0.0.1', (socket) => {
      socket.once('data', () => socket.resetAndDestroy());
    });
    const outgoing = interval(2).pipe(map((i) => `line ${i}\n`));
    const events: ConnectEvent[] = [];
    const error = await new Promise<unknown>((resolve) => {
      opened.push(
        connectAsync$('127.0.0.1', (server as TestServer).port)
          .pipe(flushOnConnect(outgoing))
          .subscribe({ next: (e) => events.push(e), error: resolve, complete: () => resolve(undefined) }),
      );
    });
    // Either the write after the reset was refused, or the reset arrived between writes and closed the connect.
    if (error === undefined) expect(events.at(-1)?.type).toBe('closed');
    else expect(error).toBeInstanceOf(ChannelClosedError);
    expect(grammarProblems(events, false)).toEqual([]);
  });

  it('should end the client when the peer half-closes: data$ completes, closed has no error, writing throws', async () => {
    let serverSawEnd!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket) => {
      serverSawEnd = once(socket, 'end');
      socket.resume();
      socket.end('bye\n');
    });
    const { channel, events, completed } = await connect(server.port, opened);
    const data = await lastValueFrom(channel.data$.pipe(toArray()));
    await completed;
    expect(Buffer.concat(data).toString()).toBe('bye\n');
    expect(events.at(-1)).toMatchObject({ type: 'closed' });
    expect(events.at(-1)).not.toHaveProperty('error');
    expect(() => channel.write('too late')).toThrow(ChannelClosedError);
    await serverSawEnd;
    await expect(channel.close()).resolves.toBeUndefined();
  });

  it('should let a listen$ server with allowHalfOpen answer a client that half-closed', async () => {
    const connections: Channel[] = [];
    const listening = new Subject<number>();
    const serverSub = listen$(0, { myaddr: '127.0.0.1', allowHalfOpen: true })
      .pipe(
        mergeMap((event) => {
          if (event.type === 'listening') {
            listening.next(event.socknames[0]?.port ?? 0);
            return [];
          }
          if (event.type !== 'connection') return [];
          connections.push(event.channel);
          // Read every line until the client's EOF, then answer and close.
          return event.channel.lines$.pipe(
            toArray(),
            mergeMap(async (lines) => {
              event.channel.writeLine(`got ${lines.length}: ${lines.join('|')}`);
              await event.channel.close();
            }),
          );
        }),
      )
      .subscribe();
    opened.push(serverSub);
    const port = await firstValueFrom(listening);
    const { channel, completed } = await connect(port, opened);
    channel.writeLine('one');
    channel.writeLine('two');
    channel.end();
    expect(() => channel.write('after end')).toThrow(ChannelClosedError);
    const answer = await lastValueFrom(channel.lines$.pipe(toArray()));
    await completed;
    expect(answer).toEqual(['got 2: one|two']);
    await waitFor(() => connections.every((c) => c.closed), 'the server channel to close');
    serverSub.unsubscribe();
  });

  it('should report writing to a peer that closed (EPIPE or ECONNRESET) as a closed channel, never a crash', async () => {
    let gone!: Promise<unknown>;
    server = await startServer('127.0.0.1', (socket: Socket) => {
      gone = once(socket, 'close');
      socket.destroy();
    });
    const { channel, events, completed } = await connect(server.port, opened);
    await gone;
    // The channel is not read, so it has not seen the EOF: it writes into a connection the peer closed.
    let refused: unknown;
    const line = 'x'.repeat(1024);
    for (let i = 0; i < 400 && refused === undefined; i++) {
      try {
        channel.write(line);
      } catch (e) {
        refused = e;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const close = await firstValueFrom(channel.closed$);
    await completed;
    expect(refused).toBeInstanceOf(ChannelClosedError);
    expect(['EPIPE', 'ECONNRESET']).toContain(code(close.error));
    expect(events.at(-1)).toMatchObject({ type: 'closed', error: { code: code(close.error) } });
    const outcome = await channel.close().then(
      () => 'resolved',
      (e: unknown) => `rejected ${String(code(e))} ${(e as Error).message !== ''}`,
    );
    expect(['resolved', 'rejected EPIPE true', 'rejected ECONNRESET true']).toContain(outcome);
    expect(grammarProblems(events, true)).toEqual([]);
  });

  it('should survive many peers resetting at random moments while data flows both ways', async () => {
    server = await startServer('127.0.0.1', (socket) => {
      socket.on('data', (c) => socket.write(c));
      setTimeout(() => socket.resetAndDestroy(), Math.floor(Math.random() * 20));
    });
    const port = server.port;
    const results = await lastValueFrom(
      interval(1).pipe(
        take(40),
        mergeMap(
          () =>
            new Promise<string>((resolve) => {
              const sub = connectAsync$('127.0.0.1', port).subscribe({
                next: (e) => {
                  if (e.type === 'connected') {
                    e.channel.data$.subscribe({ error: () => undefined });
                    const timer = setInterval(() => {
                      try {
                        e.channel.write('ping\n');
                      } catch {
                        clearInterval(timer);
                      }
                    }, 1);
                    e.channel.closed$.subscribe(() => clearInterval(timer));
                  }
                  if (e.type === 'closed' || e.type === 'failed') resolve(e.type);
                },
                error: () => resolve('error'),
              });
              opened.push(sub);
            }),
        ),
        toArray(),
      ),
    );
    expect(results).toHaveLength(40);
    expect(results.every((r) => r === 'closed' || r === 'failed')).toBe(true);
  });
});
