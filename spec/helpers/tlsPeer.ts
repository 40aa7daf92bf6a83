import { TLSSocket, createSecureContext } from 'node:tls';
import type { Socket } from 'node:net';
import type { KeyAndCert } from './certs.js';

/** How a test's TLS server answers: its certificate, ALPN, client certificates, and what it does once secure. */
export type TlsPeerOptions = {
  readonly identity: KeyAndCert;
  readonly ca?: string;
  readonly ALPNProtocols?: string[];
  readonly requestCert?: boolean;
  /** Once secure (default: echo what comes, end when the client ends). */
  readonly onSecure?: (socket: TLSSocket) => void;
  /** Every TLS error of a client, handshake ones included. */
  readonly onError?: (error: Error) => void;
};

/**
 * A client handler for `loopbackFixtures().server()` that speaks TLS with Node's own TLSSocket: the server under
 * the client specs is Node's, not rxconnect's.
 */
export function tlsPeer(options: TlsPeerOptions): (raw: Socket) => void {
  const secureContext = createSecureContext({ key: options.identity.key, cert: options.identity.cert, ...(options.ca === undefined ? {} : { ca: options.ca }) });
  return (raw) => {
    const socket = new TLSSocket(raw, {
      isServer: true,
      secureContext,
      requestCert: options.requestCert === true,
      rejectUnauthorized: false,
      ...(options.ALPNProtocols === undefined ? {} : { ALPNProtocols: options.ALPNProtocols }),
    });
    socket.on('error', (error: Error) => options.onError?.(error));
    socket.on('secure', () => {
      if (options.onSecure !== undefined) options.onSecure(socket);
      else {
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
        socket.on('end', () => socket.end());
      }
    });
  };
}
