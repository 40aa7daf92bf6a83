import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import type { Socket } from 'node:net';
import { firstValueFrom, lastValueFrom, share, switchMap, take, tap, toArray } from 'rxjs';
import { runCli } from '../../src/cli/cli.js';
import { server$ } from '../../src/cli/serve.js';
import { connectAsync$, connected, listen$ } from '../../src/index.js';
import type { Channel } from '../../src/index.js';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import { fakeIo, startServe, until } from './support.js';

describe('rxconnect serve (in-process, loopback)', () => {
  afterEach(async () => {
    expect(await settledTcpHandles()).toBe(0);
  });

  it('echoes what a client sends, prints each connection, and stops cleanly on Ctrl-C with exit 0', async () => {
    const { f, port, exit } = await startServe(['0', '--myaddr', '127.0.0.1']);
    expect(f.stdout.text()).toContain(`listening on 127.0.0.1 port ${port}`);
    expect(f.stdout.text()).toContain('echo server; Ctrl-C stops');
    const echoed = await firstValueFrom(
      connectAsync$('127.0.0.1', port).pipe(
        connected(),
        switchMap((channel) => {
          channel.writeLine('hello, echo');
          return channel.lines$.pipe(take(1));
        }),
      ),
    );
    expect(echoed).toBe('hello, echo');
    await until(() => /closed \(13 bytes echoed\)/.test(f.stdout.text()), 2000, 'the close to be printed');
    expect(f.stdout.text()).toMatch(/127\.0\.0\.1:\d+ connected/);

    // A client still connected at Ctrl-C is closed too.
    const open = await firstValueFrom(connectAsync$('127.0.0.1', port).pipe(connected()));
    await until(() => (f.stdout.text().match(/ connected\n/g) ?? []).length === 2, 2000, 'the second client');
    expect(f.listeners()).toBe(1);
    f.interrupt();
    expect(await exit).toBe(0);
    expect(f.stdout.text()).toContain('stopped: listeners and clients closed');
    await firstValueFrom(open.closed$);
    expect(f.listeners()).toBe(0);
    expect(f.stderr.text()).toBe('');
  });

  it("serves the time as the man page's time server: two lines, then close", async () => {
    const { f, port, exit } = await startServe(['0', '--time', '--myaddr', '127.0.0.1']);
    expect(f.stdout.text()).toContain('time server (Tcl man page)');
    const lines = await lastValueFrom(connectAsync$('127.0.0.1', port).pipe(connected(), switchMap((c) => c.lines$), toArray()));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\w{3} \w{3} \d{2} \d{2}:\d{2}:\d{2} \S+ \d{4}$/);
    expect(lines[1]).toMatch(/^\d+ since start$/);
    expect(f.stdout.text()).toContain('Connection from 127.0.0.1 registered');
    f.interrupt();
    expect(await exit).toBe(0);
  });

  it('listens on every address without --myaddr (both families where the host has them)', async () => {
    const { f, port, exit } = await startServe(['0']);
    const six = await firstValueFrom(connectAsync$('::1', port).pipe(connected()));
    await six.close();
    expect(f.stdout.text()).toMatch(/listening on 0\.0\.0\.0 port \d+/);
    f.interrupt();
    expect(await exit).toBe(0);
  });

  it('exits 1 with one line when it cannot listen', async () => {
    const taken = await startServer('127.0.0.1');
    try {
      const f = fakeIo();
      expect(await runCli(['serve', String(taken.port), '--myaddr', '127.0.0.1'], f.io)).toBe(1);
      expect(f.stderr.text()).toMatch(/^rxconnect serve: address already in use .*\n$/);
      expect(f.listeners()).toBe(0);
    } finally {
      await taken.stop();
    }
  });

  it.each([
    [['serve', '0', '--echo', '--time'], /^rxconnect serve: option '--echo' cannot be used with option '--time'/],
    [['serve', '70000'], /^rxconnect serve: port: must be an integer from 0 to 65535 or a service name, got 70000$/],
    [['serve', '0', '--myaddr', 'not a host'], /^rxconnect serve: myaddr: is not a host name or IP address/],
    [['serve'], /^rxconnect serve: missing required argument 'port'/],
  ])('exits 2 with one line for %j', async (argv, message) => {
    const f = fakeIo();
    expect(await runCli(argv, f.io)).toBe(2);
    expect(f.stderr.text().trimEnd().split('\n')).toHaveLength(1);
    expect(f.stderr.text().trimEnd()).toMatch(message);
    expect(f.listeners()).toBe(0);
  });
});

describe('rxconnect serve: a client that writes without reading', () => {
  afterEach(async () => {
    expect(await settledTcpHandles()).toBe(0);
  });

  it('stops reading while the echo is not read, so the queue stays bounded, and echoes every byte once the client reads', async () => {
    const TOTAL = 16 * 1024 * 1024;
    const BOUND = 1024 * 1024;
    let channel: Channel | undefined;
    const events$ = listen$(0, { myaddr: '127.0.0.1' }).pipe(
      tap((event) => {
        if (event.type === 'connection') channel = event.channel;
      }),
      share(),
    );
    const log: string[] = [];
    const subscription = server$(events$, 'echo', (line) => log.push(line)).subscribe();
    let client: Socket | undefined;
    let sampler: ReturnType<typeof setInterval> | undefined;
    try {
      await until(() => log.some((line) => line.startsWith('listening on')), 5000, 'the server to listen');
      const port = Number(/port (\d+)/.exec(log[0]!)![1]);
      client = netConnect({ host: '127.0.0.1', port });
      client.pause();
      await once(client, 'connect');
      const payload = Buffer.alloc(TOTAL);
      for (let i = 0; i < TOTAL; i += 4) payload.writeUInt32LE(i, i);
      client.end(payload);
      await until(() => channel !== undefined, 2000, 'the connection');

      // The client reads nothing for a while: the server's write queue must not grow with what it sent.
      let largest = 0;
      const sample = (): void => void (largest = Math.max(largest, channel!.bufferedAmount));
      sampler = setInterval(sample, 2);
      await new Promise((r) => setTimeout(r, 500));
      sample();
      expect(largest).toBeLessThan(BOUND);

      // Then it reads: every byte comes back, in order, and the queue stayed bounded all along.
      const hash = createHash('sha256');
      let received = 0;
      client.on('data', (chunk: Buffer) => {
        received += chunk.length;
        hash.update(chunk);
      });
      client.resume();
      await once(client, 'end');
      expect(received).toBe(TOTAL);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
      expect(largest).toBeLessThan(BOUND);
      await until(() => log.some((line) => line.endsWith(`closed (${TOTAL} bytes echoed)`)), 2000, 'the close to be printed');
    } finally {
      clearInterval(sampler);
      client?.destroy();
      subscription.unsubscribe();
    }
  }, 30_000);
});
