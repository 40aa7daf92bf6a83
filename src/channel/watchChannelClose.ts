import type { Channel } from './Channel.js';
import type { ChannelCloseWatcher } from './ChannelOptions.js';

/**
 * Internal (not exported by the package): tells `watcher`, the channel's one owner, when `channel` has closed,
 * at once if it has. Cheaper than `channel.closed$.subscribe(...)`, which costs a subscriber chain per connection.
 */
export function watchChannelClose(channel: Channel, watcher: ChannelCloseWatcher): void {
  channel.watchClose(watcher);
}
