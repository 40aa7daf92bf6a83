// A loopback HTTP/1.1 server in its own process (node:http), for the fetch-* benchmarks. Started by server.mjs with
// fork(); exits when its parent goes (IPC disconnect). Every request gets 200 and the body "ok"; the connection is
// kept open unless the client asks for `connection: close`.
//   node http-server-child.mjs <host>
import { createServer } from 'node:http';

const [host] = process.argv.slice(2);
const BODY = Buffer.from('ok');

const server = createServer({ noDelay: true, keepAliveTimeout: 60_000 }, (request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  response.end(BODY);
});
server.on('clientError', (_error, socket) => socket.destroy());
server.on('error', (error) => {
  process.send?.({ error: error.message });
  process.exit(1);
});
server.listen({ host, port: 0, backlog: 4096, ipv6Only: host === '::1' }, () => {
  const { port } = server.address();
  process.send({ port, ports: [port] });
});
process.on('disconnect', () => process.exit(0));
