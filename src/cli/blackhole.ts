import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from '../index.js';
import type { Channel } from '../index.js';

/** A loopback address where connects hang; `stop()` releases the child and the queued clients. */
export type Blackhole = { readonly port: number; stop(): Promise<void> };

// The child listens with a backlog of 1, reports its port, then blocks in a synchronous read of stdin: its event
// loop never runs again, so nothing accepts, and it exits when its stdin closes (also when this process dies).
const LISTEN_AND_BLOCK = `
const net = require('node:net');
const fs = require('node:fs');
const [host, port] = process.argv.slice(1);
const server = net.createServer();
server.on('error', (error) => { fs.writeSync(2, (error.code || 'EUNKNOWN') + ' ' + error.message + '\\n'); process.exit(1); });
server.listen({ host, port: Number(port), backlog: 1, ipv6Only: host.includes(':') }, () => {
  fs.writeSync(1, server.address().port + '\\n');
  const buffer = Buffer.alloc(64);
  try { while (fs.readSync(0, buffer) > 0); } catch {}
  process.exit(0);
});
`;

/** How long a loopback handshake may take before the accept queue counts as full. */
const QUEUE_FULL_AFTER = 300;
/** Accept queues longer than this are not filled (a kernel that ignores the backlog). */
const MAX_QUEUED = 16;

/** The errno code a failed black hole carries, so that callers can tell EADDRINUSE from the rest. */
function childError(stderr: string, fallback: string): Error {
  const last = stderr.trim().split('\n').pop() ?? '';
  const code = /^([A-Z][A-Z0-9_]+) /.exec(last)?.[1];
  return Object.assign(new Error(last === '' ? fallback : last.slice((code?.length ?? -1) + 1)), { code: code ?? 'EUNKNOWN' });
}

/**
 * `address` port `port` (0: any) where connects hang, with Node only: a child process listens and never accepts,
 * and this process fills its accept queue with clients of its own (connecting until one does not get through
 * within {@link QUEUE_FULL_AFTER} ms), so the kernel drops later SYNs. Rejects when the child cannot listen
 * (`code` EADDRINUSE, EADDRNOTAVAIL, ...) or when the queue does not fill up.
 */
export async function blackhole(address: string, port = 0): Promise<Blackhole> {
  const child = spawn(process.execPath, ['-e', LISTEN_AND_BLOCK, address, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = once(child, 'exit');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const failure = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start a node child for the hanging address: ${error.message}`)));
    child.once('exit', () => reject(childError(stderr, 'the hanging address exited before it was ready')));
  });
  failure.catch(() => undefined);
  const queued: Channel[] = [];
  const stop = async (): Promise<void> => {
    // The queued clients carry no data, and their peer never accepts them (nor sends an EOF): destroyed, not closed.
    for (const channel of queued.splice(0)) channel.destroy();
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    child.kill();
    await exited;
  };
  try {
    const [chunk] = (await Promise.race([once(child.stdout, 'data'), failure])) as [Buffer];
    const chosen = Number(String(chunk).trim());
    for (;;) {
      const channel = await connect(address, chosen, { timeout: QUEUE_FULL_AFTER }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code === 'ETIMEDOUT') return undefined;
        throw error;
      });
      if (channel === undefined) return { port: chosen, stop };
      queued.push(channel);
      if (queued.length > MAX_QUEUED) throw new Error(`the accept queue of ${address} does not fill up, so connects to it do not hang`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
