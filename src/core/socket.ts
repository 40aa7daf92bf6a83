import type { BehaviorSubject } from 'rxjs';

/** One remote or local endpoint: an IP literal, its family and a port. */
export type SocketAddress = {
  /** The IP literal (`::1`, `127.0.0.1`). */
  readonly address: string;
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The TCP port. */
  readonly port: number;
};

/** Tcl's `{address hostname port}` triple, as `-sockname` and `-peername` report it. */
export type SocketName = {
  /** The numeric address. */
  readonly address: string;
  /** The host name; the numeric address, since rxconnect does no reverse lookups. */
  readonly host: string;
  /** The TCP port. */
  readonly port: number;
};

/** TIP 427's introspection of one socket, as a value. */
export type SocketSnapshot = {
  /** `-connecting`: true from subscription until connected or failed. */
  readonly connecting: boolean;
  /** `-error`: `''` until a final failure, then its Tcl text (`connection refused`). */
  readonly error: string;
  /** `-sockname`: null while connecting and after failure. */
  readonly sockname: SocketName | null;
  /** `-peername`: null while connecting and after failure. */
  readonly peername: SocketName | null;
  /** Beyond Tcl: the addresses being tried right now. */
  readonly inFlight: readonly SocketAddress[];
};

/** A live {@link SocketSnapshot}. */
export type SnapshotSubject = BehaviorSubject<SocketSnapshot>;
