import type { Channel } from '../channel/Channel.js';
import type { SocketName } from '../core/socket.js';
import type { TlsInfo } from '../core/tls.js';
import type { ConnectError } from '../errors/ConnectError.js';

/**
 * The events of {@link listen$}: `listening` once every address is bound, then one `connection` per client.
 *
 * - `listening.socknames`: one {@link SocketName} per bound address, IPv4 first (Tcl's `-sockname` of a
 *   server). With port 0 it shows the port that was picked.
 * - `connection.channel`: the accepted client as a {@link Channel}, paused until you read it; it is yours to
 *   close. `clientAddress` and `clientPort` are the client's numeric address and port, as Tcl passes them to the
 *   accept command. With `tls`, it comes once the client's handshake has finished, and carries what it agreed on.
 * - `handshakeFailed` (with `tls` only): a client whose handshake failed or took longer than `handshakeTimeout`
 *   was dropped. It is data, not an error: the server goes on.
 */
export type ServerEvent = ListeningEvent | ConnectionEvent | HandshakeFailedEvent;

/** The server listens: one name per bound address, IPv4 first. */
export type ListeningEvent = {
  /** Always `'listening'`: what this event is. */
  readonly type: 'listening';
  /** One per bound address; with port 0, the chosen port. */
  readonly socknames: readonly SocketName[];
};

/** A client connected. */
export type ConnectionEvent = {
  /** Always `'connection'`: what this event is. */
  readonly type: 'connection';
  /** The accepted connection. It lives until closed, even after the server's subscription ends. */
  readonly channel: Channel;
  /** The client's numeric address. */
  readonly clientAddress: string;
  /** The client's port. */
  readonly clientPort: number;
  /** With `tls`: what the handshake agreed on (`authorized` tells whether a client certificate verified). */
  readonly tls?: TlsInfo;
};

/** With `tls`: a client's handshake failed or stalled, and the client was dropped. */
export type HandshakeFailedEvent = {
  /** Always `'handshakeFailed'`: what this event is. */
  readonly type: 'handshakeFailed';
  /**
   * Why: Node's code (`ERR_SSL_HTTP_REQUEST`, `ECONNRESET`, `ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE`,
   * `DEPTH_ZERO_SELF_SIGNED_CERT`, ...) or `ETIMEDOUT` after `handshakeTimeout`, with `handshake: true`, the
   * client's address and port, how long the handshake ran (`duration`), and Node's error as `cause`. The message
   * reads `client certificate is self-signed (192.0.2.7 port 50312 after 4 ms)`.
   */
  readonly error: ConnectError;
  /** The client's numeric address. */
  readonly clientAddress: string;
  /** The client's port. */
  readonly clientPort: number;
};
