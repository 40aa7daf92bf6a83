import type { Observable } from 'rxjs';
import type { TlsScript } from './TlsScript.js';

/**
 * The server side of a virtual connection. It gets the bytes the client writes (completing when the client
 * half-closes or closes) and returns what the server sends: each value is delivered to the client, completion
 * is the server's EOF, and an error resets the connection (`ECONNRESET`).
 */
export type PeerScript = (fromClient: Observable<Uint8Array>) => Observable<string | Uint8Array>;

/** The options of {@link connectAfter}: the server side, and the TLS server in front of it. */
export type ConnectScriptOptions = {
  /** The server side, once connected (with `tls`, once the handshake has succeeded). */
  readonly peer?: PeerScript | undefined;
  /** How the server answers a TLS handshake; without it the address is plain TCP. */
  readonly tls?: TlsScript | undefined;
};

/** What one virtual address does when dialed. Build these with {@link connectAfter}, {@link refuseAfter}, ... */
export type AddressScript =
  | {
      /** Accepts the connection. */
      readonly outcome: 'connect';
      /** After this many ms of virtual time. */
      readonly after: number;
      /**
       * The server side, once connected (with `tls`, once the handshake has succeeded); without it the server
       * stays silent and open.
       */
      readonly peer?: PeerScript | undefined;
      /**
       * The TLS server that answers a client's handshake. Without it the address is plain TCP: a handshake fails
       * in the same instant with `ERR_SSL_WRONG_VERSION_NUMBER`, as when a plain server answers a ClientHello.
       */
      readonly tls?: TlsScript | undefined;
    }
  | {
      /** Refuses (`ECONNREFUSED`). */
      readonly outcome: 'refuse';
      /** After this many ms of virtual time. */
      readonly after: number;
    }
  | {
      /** Times out (`ETIMEDOUT`). */
      readonly outcome: 'timeout';
      /** After this many ms of virtual time. */
      readonly after: number;
    }
  | {
      /** Fails with `code`. */
      readonly outcome: 'fail';
      /** After this many ms of virtual time. */
      readonly after: number;
      /** The errno code (`EHOSTUNREACH`, `ENETUNREACH`, ...). */
      readonly code: string;
    }
  | {
      /** Never answers. */
      readonly outcome: 'hang';
    };
