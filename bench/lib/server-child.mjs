// A loopback server in its own process, so its work does not run on the measuring process's event loop.
// Started by server.mjs with fork(); exits when its parent goes (IPC disconnect).
//   node server-child.mjs <mode> <host> [bytes] [ports]
//   sink:  reads and discards; ends when the client ends (allowHalfOpen false)
//   blob:  sends <bytes> bytes to every client, then ends
//   lines: sends <bytes> bytes of 32-byte lines ("...\n") to every client, then ends
//   crlf-lines: the same with "\r\n" line ends
//   long-crlf-lines: sends <bytes> bytes of 256 KiB lines ending in "\r\n" (each line spans several reads)
import { createServer } from 'node:net';

const [mode, host, bytesArg, portsArg] = process.argv.slice(2);
const total = Number(bytesArg ?? 0);
/** How many ports to listen on (the same handler on each); the parent gets them all. */
const portCount = Number(portsArg ?? 1);

const CHUNK = 64 * 1024;
let chunk;
if (mode === 'lines' || mode === 'crlf-lines') {
  const end = mode === 'lines' ? '\n' : '\r\n';
  const lines = [];
  for (let i = 0; i < CHUNK / 32; i++) lines.push(`line ${String(i).padStart(6, '0')}: a short text`.padEnd(32 - end.length, '.') + end);
  chunk = Buffer.from(lines.join(''), 'latin1');
  if (chunk.length !== CHUNK) throw new Error(`line chunk is ${chunk.length} bytes`);
} else if (mode === 'long-crlf-lines') {
  // Four chunks make one line: 256 KiB - 2 bytes of text, then \r\n at the end of the fourth.
  chunk = Buffer.alloc(CHUNK, 0x61);
} else {
  chunk = Buffer.alloc(CHUNK, 0x61);
}

const LONG_LINE_END = Buffer.concat([Buffer.alloc(CHUNK - 2, 0x61), Buffer.from('\r\n')]);
/** The fourth chunk of a long line: the same bytes, ending in \r\n. */
function lineEnd(piece) {
  return piece.length === CHUNK ? LONG_LINE_END : piece;
}

function send(socket) {
  let left = total;
  const pump = () => {
    while (left > 0) {
      let piece = left >= CHUNK ? chunk : chunk.subarray(0, left);
      if (mode === 'long-crlf-lines' && ((total - left) / CHUNK) % 4 === 3) piece = lineEnd(piece);
      left -= piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  pump();
}

function onClient(socket) {
  socket.on('error', () => undefined);
  if (mode === 'sink') socket.resume();
  else {
    socket.resume();
    send(socket);
  }
}

const ports = [];
for (let i = 0; i < portCount; i++) {
  const server = createServer({ noDelay: true }, onClient);
  server.on('error', (error) => {
    process.send?.({ error: error.message });
    process.exit(1);
  });
  await new Promise((resolve) => server.listen({ host, port: 0, backlog: 4096, ipv6Only: host === '::1' }, resolve));
  ports.push(server.address().port);
}
process.send({ port: ports[0], ports });
process.on('disconnect', () => process.exit(0));
