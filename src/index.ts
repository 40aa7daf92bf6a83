export { connectAsync$ } from './connect/connectAsync.js';
export { connect } from './promise/connect.js';
export { connectSocket } from './promise/connectSocket.js';
export type { ConnectPromiseOptions } from './promise/connect.js';
export { connected } from './operators/connected.js';
export { Channel } from './channel/Channel.js';
export type { ChannelClose, ChannelOptions } from './channel/Channel.js';
export { ConnectError } from './errors/ConnectError.js';
export type { ConnectErrorInit } from './errors/ConnectError.js';
export { InvalidArgumentError } from './errors/InvalidArgumentError.js';
export { ArgumentOutOfRangeError } from './errors/ArgumentOutOfRangeError.js';
export { ChannelClosedError } from './errors/ChannelClosedError.js';
export type { ChannelEncoding, ChannelTranslation } from './channel/encoding.js';
export type {
  AttemptCancelledEvent,
  AttemptEvent,
  AttemptFailedEvent,
  ClosedEvent,
  ConnectedEvent,
  ConnectEvent,
  ConnectEventOf,
  FailedEvent,
  HandshakeEvent,
  ResolvedEvent,
} from './connect/ConnectEvent.js';
export type { TlsCertificate, TlsCipher, TlsInfo, TlsKey, TlsKeyWithPassphrase, TlsMaterial, TlsOptions, TlsServerOptions, TlsSession, TlsVersion } from './core/tls.js';
export type { ConnectOptions, ConnectStrategy, FamilyOrder } from './connect/ConnectOptions.js';
export { createConnectHistory } from './connect/ConnectHistory.js';
export type { ConnectHistory, ConnectHistoryEntry, ConnectHistoryFailure, ConnectHistoryOptions, ConnectHistoryWinner } from './connect/ConnectHistory.js';
export type { SnapshotSubject, SocketAddress, SocketName, SocketSnapshot } from './core/socket.js';
export type {
  DialRequest,
  ListenRequest,
  LookupAddress,
  LookupCallback,
  LookupFunction,
  LookupOptions,
  NetSocket,
  ServerEvents,
  SocketEvents,
  TlsDone,
  TlsRequest,
  Transport,
  TransportServer,
  TransportSocket,
} from './transport/Transport.js';
export { connectTimeout } from './operators/connectTimeout.js';
export { flushOnConnect } from './operators/flushOnConnect.js';
export type { FlushOnConnectOptions, OutgoingValue } from './operators/flushOnConnect.js';
export { snapshot } from './operators/snapshot.js';
export { createSnapshot } from './operators/createSnapshot.js';
export { reconnect } from './operators/reconnect.js';
export type { ReconnectEvent, ReconnectPolicy } from './operators/reconnect.js';
export { WriteQueueOverflowError } from './errors/WriteQueueOverflowError.js';
export { listen$ } from './listen/listen.js';
export type { ListenOptions } from './listen/ListenOptions.js';
export type { ConnectionEvent, HandshakeFailedEvent, ListeningEvent, ServerEvent } from './listen/ServerEvent.js';
export { LineTooLongError } from './errors/LineTooLongError.js';
