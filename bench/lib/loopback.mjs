// Node side of loopback.py: hanging and slow listeners on 127.0.0.1 / ::1.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { within } from './stats.mjs';

const SCRIPT = fileURLToPath(new URL('./loopback.py', import.meta.url));

export async function startLoopbackHelper() {
  const child = spawn('python3', ['-u', SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  const ask = (command) => {
    const answer = queue.then(async () => {
      child.stdin.write(`${command}\n`);
      const { value, done } = await within(10_000, replies.next(), `loopback helper: ${command}`);
      if (done) throw new Error('loopback helper exited');
      const [status, id, port] = value.split(' ');
      if (status !== 'ok') throw new Error(`loopback helper: ${command}: ${value}`);
      return { id: Number(id), port: Number(port) };
    });
    queue = answer.catch(() => undefined);
    return answer;
  };
  const listener = async (command) => {
    const { id, port } = await ask(command);
    return { port, close: () => ask(`close ${id}`) };
  };
  return {
    /** Connects to family:port hang (SYNs dropped). */
    hang: (family, port = 0) => listener(`hang ${family} ${port}`),
    /** Connects hang until `secs` after creation, then get through on the SYN retry. */
    slow: (family, port, secs) => listener(`slow ${family} ${port} ${secs}`),
    /** The same as slow, and each accepted connection answers HTTP/1.1 GETs with 200 and the body "ok". */
    slowHttp: (family, port, secs) => listener(`slowhttp ${family} ${port} ${secs}`),
    async stop() {
      child.stdin.end();
      await within(5000, once(child, 'exit'), 'loopback helper exit').catch(kill);
      process.off('exit', kill);
    },
  };
}
