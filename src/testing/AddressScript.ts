import type { Observable } from 'rxjs';

/**
 * The server side of a virtual connection. It gets the bytes the client writes (completing when the client
 * half-closes or closes) and returns what the server sends: each value is delivered to the client, completion
 * is the server's EOF, and an error resets the connection (`ECONNRESET`).
 */
export type PeerScript = (fromClient: Observable<Uint8Array>) => Observable<string | Uint8Array>;

/** What one virtual address does when dialed. Build these with {@link connectAfter}, {@link refuseAfter}, ... */
export type AddressScript =
  | {
      /** Accepts the connection. */
      readonly outcome: 'connect';
      /** After this many ms of virtual time. */
      readonly after: number;
      /** The server side, once connected; without it the server stays silent and open. */
      readonly peer?: PeerScript | undefined;
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
