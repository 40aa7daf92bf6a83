// Parent side of server-child.mjs.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { within } from './stats.mjs';

const CHILD = fileURLToPath(new URL('./server-child.mjs', import.meta.url));
const TLS_CHILD = fileURLToPath(new URL('./tls-server-child.mjs', import.meta.url));
const HTTP_CHILD = fileURLToPath(new URL('./http-server-child.mjs', import.meta.url));
const children = new Set();

/**
 * Starts a loopback server process, listening on `ports` ports (1 by default). With `tls` ({ key, cert }), a TLS
 * server (tls-server-child.mjs: modes sink and echo, one port). Mode `http`: an HTTP/1.1 server answering "ok"
 * (http-server-child.mjs, one port). Returns its port(s) and `stop()`.
 */
export async function startServer(mode, { host = '127.0.0.1', bytes = 0, ports = 1, tls } = {}) {
  if (host !== '127.0.0.1' && host !== '::1') throw new Error(`servers listen on loopback only, not ${host}`);
  const child =
    mode === 'http'
      ? fork(HTTP_CHILD, [host], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : tls === undefined
      ? fork(CHILD, [mode, host, String(bytes), String(ports)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : fork(TLS_CHILD, [mode, host], {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          env: { ...process.env, BENCH_TLS_IDENTITY: JSON.stringify({ key: tls.key, cert: tls.cert }) },
        });
  children.add(child);
  const exited = once(child, 'exit');
  const [message] = await within(10_000, Promise.race([once(child, 'message'), exited.then(() => [{ error: 'server exited' }])]), 'server start');
  if (message.error) throw new Error(`server ${mode} on ${host}: ${message.error}`);
  return {
    port: message.port,
    ports: message.ports,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        await within(5000, exited, 'server stop').catch(() => child.kill('SIGKILL'));
      }
      children.delete(child);
    },
  };
}

/** Kills every server still running (for an exit on error). */
export function killServers() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
process.on('exit', killServers);
