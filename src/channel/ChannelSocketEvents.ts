import type { SocketEvents } from '../transport/Transport.js';

/** What a channel does with its socket's events (the Channel's internal methods). */
export type SocketEventHandlers = {
  onSocketData(chunk: Uint8Array): void;
  onSocketEnd(): void;
  onSocketError(error: Error): void;
  onSocketClose(): void;
  onSocketDrain(): void;
};

/** A channel's socket events, as the methods of one small object rather than six closures per channel. */
export class ChannelSocketEvents implements SocketEvents {
  private readonly channel: SocketEventHandlers;

  constructor(channel: SocketEventHandlers) {
    this.channel = channel;
  }

  connect(): void {}

  data(chunk: Uint8Array): void {
    this.channel.onSocketData(chunk);
  }

  end(): void {
    this.channel.onSocketEnd();
  }

  error(error: Error): void {
    this.channel.onSocketError(error);
  }

  close(): void {
    this.channel.onSocketClose();
  }

  drain(): void {
    this.channel.onSocketDrain();
  }
}
