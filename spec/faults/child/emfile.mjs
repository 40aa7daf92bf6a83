// Runs under a low `ulimit -n` (spec/faults/emfile.spec.ts starts it): opens connects to a loopback server and
// keeps them open until file descriptors run out, then checks that every connect past that point fails with a
// typed EMFILE (per attempt, then `failed`), that listen$ fails with a typed error too, and that once the
// connections are released the process connects again. It watches for uncaught exceptions, unhandled rejections
// and unhandled 'error' events, and prints one JSON report on stdout.
//
//   node emfile.mjs <library dir> <port>

import { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [libDir, portArg] = process.argv.slice(2);
const port = Number(portArg);
const problems = [];
process.on('uncaughtException', (e) => problems.push(`uncaught exception: ${e?.code ?? ''} ${e?.message ?? e}`));
process.on('unhandledRejection', (e) => problems.push(`unhandled rejection: ${e?.code ?? ''} ${e?.message ?? e}`));
for (const [Class, what] of [[Socket, 'net.Socket'], [Server, 'net.Server']]) {
  const emit = Class.prototype.emit;
  Class.prototype.emit = function (event, ...args) {
    if (event === 'error' && this.listenerCount('error') === 0) problems.push(`unhandled 'error' event on a ${what}: ${args[0]?.code}`);
    return emit.call(this, event, ...args);
  };
}

// Everything is imported before descriptors run out.
const { connectAsync$, listen$ } = await import(pathToFileURL(join(libDir, 'index.js')).href);
const { lastValueFrom, toArray } = await import('rxjs');

const label = (e) => {
  switch (e.type) {
    case 'resolved':
      return `resolved ${e.family} ${e.addresses.map((a) => a.address).join(',')}`;
    case 'attempt':
    case 'connected':
      return `${e.type} ${e.attempt} ${e.address.address}`;
    case 'attemptFailed':
      return `attemptFailed ${e.attempt} ${e.address.address} ${e.error.code}`;
    case 'attemptCancelled':
      return `attemptCancelled ${e.attempt} ${e.address.address} ${e.reason}`;
    case 'failed':
      return `failed ${e.error.code}`;
    case 'closed':
      return `closed${e.error ? ` ${e.error.code}` : ''}`;
  }
  return e.type;
};

/** One connect: resolves with its events once connected (kept open in `held`) or once it completes. */
function connectOnce(held, host = '127.0.0.1', options = {}) {
  return new Promise((resolve) => {
    const events = [];
    const sub = connectAsync$(host, port, options).subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'connected') resolve(events);
      },
      error: (e) => {
        events.push({ type: 'error', error: e });
        resolve(events);
      },
      complete: () => resolve(events),
    });
    held.push(sub);
  });
}

const tcpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
const settle = async () => {
  for (let i = 0; i < 200 && tcpHandles() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return tcpHandles();
};

const held = [];
const outcomes = {};
let connected = 0;
let emfile = 0;
const failedMessages = new Set();
for (let i = 0; i < 60; i++) {
  const events = await connectOnce(held);
  const line = events.map(label).join(' | ');
  outcomes[line] = (outcomes[line] ?? 0) + 1;
  if (events.at(-1)?.type === 'connected') connected++;
  if (events.some((e) => e.type === 'attemptFailed' && e.error.code === 'EMFILE')) emfile++;
  const last = events.at(-1);
  if (last?.type === 'failed') failedMessages.add(last.error.message.replace(/\d+ ms/g, 'N ms').replace(/port \d+/g, 'port P'));
}

// Two addresses, both out of descriptors: each attempt fails with EMFILE, and so does the connect.
const lookup = (_host, options, callback) =>
  setImmediate(() => callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }].filter((a) => options.family === 0 || a.family === options.family)));
const dual = (await connectOnce(held, 'dual.test', { lookup, attemptDelay: 10 })).map(label);

// A server cannot open its listener either: listen$ errors with a typed ConnectError.
const listenError = await lastValueFrom(listen$(0, { myaddr: '127.0.0.1' }).pipe(toArray())).then(
  () => undefined,
  (e) => ({ name: e?.name, code: e?.code, message: e?.message }),
);

// Release everything; the process goes on and connects again.
for (const s of held.splice(0)) s.unsubscribe();
const handlesAfterRelease = await settle();
const again = await connectOnce(held);
const recovered = again.at(-1)?.type === 'connected';
for (const s of held.splice(0)) s.unsubscribe();
const handlesAtEnd = await settle();
await new Promise((r) => setTimeout(r, 20));

process.stdout.write(
  `${JSON.stringify({ connected, emfile, outcomes, failedMessages: [...failedMessages], dual, listenError, handlesAfterRelease, recovered, handlesAtEnd, problems })}\n`,
);

