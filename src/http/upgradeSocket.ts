import { asyncScheduler } from 'rxjs';
import { ipFamily } from '../core/address.js';
import type { TlsOptions } from '../core/tls.js';
import { timedOutError } from '../errors/codes.js';
import { handshakeFailure } from '../connect/failure.js';
import { nodeTransport } from '../transport/nodeTransport.js';
import type { NetSocket, Transport, TransportSocket } from '../transport/Transport.js';
import { parseTlsOptions } from '../validation/tlsOptions.js';

/**
 * Runs TLS on a socket that is already connected (a proxy's tunnel to `host:port`) and resolves with the
 * `tls.TLSSocket`, handed over as `connectSocket`'s are; rejects with the handshake's `ConnectError` (which names
 * `host:port`), or `ETIMEDOUT` after `timeout` ms, destroying the socket.
 */
export function upgradeSocket(socket: NetSocket, host: string, port: number, options: TlsOptions, timeout: number | undefined): Promise<NetSocket> {
  const transport: Transport = nodeTransport;
  const tls = parseTlsOptions(options, host) as TlsOptions;
  transport.prepareTls?.({ side: 'client', options: tls });
  const adopted = (transport.adopt as (socket: NetSocket) => TransportSocket)(socket);
  const target = { address: host, family: ipFamily(host) === 6 ? 6 : 4, port } as const;
  const started = asyncScheduler.now();
  const failure = (cause: unknown): Error => handshakeFailure(target, asyncScheduler.now() - started, cause, tls.servername ?? host);
  return new Promise<NetSocket>((resolve, reject) => {
    const timer = timeout === undefined ? undefined : asyncScheduler.schedule(() => {
      adopted.destroy();
      reject(failure(timedOutError()));
    }, timeout);
    (transport.startTls as NonNullable<Transport['startTls']>)(adopted, { side: 'client', options: tls, origin: host }, (error) => {
      timer?.unsubscribe();
      if (error !== null) reject(failure(error));
      else resolve((adopted.detach as () => NetSocket)());
    });
  });
}
