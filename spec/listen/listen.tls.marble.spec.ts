import { map } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { listen$ } from '../../src/index.js';
import type { ServerEvent, TlsSession, Transport, TransportSocket } from '../../src/index.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import { newScheduler } from '../helpers/events.js';
import { scriptedSocket } from '../helpers/scriptedSocket.js';

/** One client of the scripted server: when it connects, and how its handshake ends (never, for `stall`). */
type Client = { readonly port: number; readonly at: number; readonly handshake: { readonly after: number; readonly error?: string } | 'stall' };

const SESSION: TlsSession = {
  protocol: 'TLSv1.3',
  alpnProtocol: 'h2',
  authorized: false,
  cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
  peerCertificate: () => null,
};

/**
 * A transport whose listener accepts `clients` at their times and whose handshakes end as scripted; records when
 * each client's socket was destroyed. With `lateDone`, a handshake's end comes even after its socket was
 * destroyed, as a transport that broke its contract would.
 */
function scriptedTls(scheduler: SchedulerLike, clients: readonly Client[], lateDone = false) {
  const destroyed: [port: number, at: number][] = [];
  const transport: Transport = {
    lookup: () => undefined,
    dial: () => {
      throw new Error('no dials here');
    },
    listen(request, events, done) {
      done(null, { address: { ...request.local, port: 4433 }, close: () => undefined });
      for (const client of clients) {
        scheduler.schedule(() => {
          const socket = scriptedSocket(NO_EVENTS, { address: '192.0.2.7', family: 4, port: client.port }, undefined, () => destroyed.push([client.port, scheduler.now()]));
          events.connection(socket);
        }, client.at);
      }
    },
    startTls(socket: TransportSocket, _request, done) {
      const client = clients.find((c) => c.port === socket.remoteAddress?.port);
      const handshake = client?.handshake;
      if (handshake === undefined || handshake === 'stall') return;
      scheduler.schedule(() => {
        if (!lateDone && destroyed.some(([port]) => port === client?.port)) return;
        if (handshake.error === undefined) done(null, SESSION);
        else done(Object.assign(new Error(`scripted ${handshake.error}`), { code: handshake.error }));
      }, handshake.after);
    },
  };
  return { transport, destroyed };
}

function label(event: ServerEvent): string {
  switch (event.type) {
    case 'listening':
      return `listening ${event.socknames.map((s) => s.port).join(',')}`;
    case 'connection':
      return `connection ${event.clientPort} ${event.tls?.protocol ?? ''} ${event.tls?.alpnProtocol ?? ''}`;
    case 'handshakeFailed':
      return `handshakeFailed ${event.clientPort} ${event.error.code} ${event.error.duration ?? ''} ${event.error.handshake}`;
  }
}

describe('listen$ with tls in virtual time', () => {
  it('should emit each connection when its handshake ends, and report a failed or stalled one after handshakeTimeout', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { transport, destroyed } = scriptedTls(scheduler, [
        { port: 1, at: 10, handshake: { after: 30 } },
        { port: 2, at: 20, handshake: { after: 5, error: 'ECONNRESET' } },
        { port: 3, at: 50, handshake: 'stall' },
      ]);
      const events$ = listen$(0, { myaddr: '127.0.0.1', transport, scheduler, tls: { key: 'k', cert: 'c', handshakeTimeout: 200 } });
      expectObservable(events$.pipe(map(label)), '^ 300ms !').toBe('l 24ms f 14ms c 209ms t', {
        l: 'listening 4433',
        f: 'handshakeFailed 2 ECONNRESET 5 true',
        c: 'connection 1 TLSv1.3 h2',
        t: 'handshakeFailed 3 ETIMEDOUT 200 true',
      });
      scheduler.schedule(() => expect(destroyed).toEqual([[2, 25], [3, 250]]), 299);
    });
  });

  it('should destroy a client whose handshake is running on unsubscribe, and emit nothing when its end comes later', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      const { transport, destroyed } = scriptedTls(scheduler, [
        { port: 1, at: 10, handshake: { after: 100 } },
        { port: 2, at: 20, handshake: 'stall' },
      ], true);
      const events$ = listen$(0, { myaddr: '127.0.0.1', transport, scheduler, tls: { key: 'k', cert: 'c', handshakeTimeout: 200 } });
      expectObservable(events$.pipe(map(label)), '^ 50ms !').toBe('l', { l: 'listening 4433' });
      scheduler.schedule(() => expect(destroyed).toEqual([[1, 51], [2, 51]]), 400);
    });
  });
});
