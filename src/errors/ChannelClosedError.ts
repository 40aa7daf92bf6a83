/**
 * Thrown by `Channel.write` and `writeLine` after `end()` or `close()`: nothing more can be written.
 *
 * ## Example
 * ```ts
 * import { ChannelClosedError } from 'rxconnect';
 * import type { Channel } from 'rxconnect';
 *
 * declare const channel: Channel;
 * channel.end();
 * try { channel.write('late'); } catch (e) { if (e instanceof ChannelClosedError) console.log(e.code); } // ERR_CHANNEL_CLOSED
 * ```
 */
export class ChannelClosedError extends Error {
  /** Always `'ChannelClosedError'`. */
  override readonly name: string = 'ChannelClosedError';
  /** Always `ERR_CHANNEL_CLOSED`. */
  readonly code = 'ERR_CHANNEL_CLOSED' as const;

  constructor(message = 'channel is closed for writing') {
    super(message);
  }
}
