// A loopback TLS server in its own process (Node's tls.Server), for the tls-* benchmarks. Started by server.mjs
// with fork(), its key and certificate in the environment (BENCH_TLS_IDENTITY, JSON { key, cert }: made by the
// parent at run time, never written to disk); exits when its parent goes (IPC disconnect).
//   node tls-server-child.mjs <mode> <host>
//   sink: reads and discards; ends when the client ends (allowHalfOpen false)
//   echo: sends back what it reads; ends when the client ends
import { createServer } from 'node:tls';

const [mode, host] = process.argv.slice(2);
const { key, cert } = JSON.parse(process.env.BENCH_TLS_IDENTITY ?? '{}');

const server = createServer({ key, cert, noDelay: true }, (socket) => {
  // A client that closes at once after its handshake may reset the server's late session tickets: not a failure.
  socket.on('error', () => undefined);
  if (mode === 'echo') socket.pipe(socket);
  else socket.resume();
});
server.on('tlsClientError', () => undefined);
server.on('error', (error) => {
  process.send?.({ error: error.message });
  process.exit(1);
});
server.listen({ host, port: 0, backlog: 4096, ipv6Only: host === '::1' }, () => {
  const { port } = server.address();
  process.send({ port, ports: [port] });
});
process.on('disconnect', () => process.exit(0));
