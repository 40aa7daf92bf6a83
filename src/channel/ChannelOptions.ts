import { asyncScheduler } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { parseChoice, parseMaxLineLength, parseOptions, parseScheduler } from '../validation/validate.js';
import type { KnownKeys } from '../validation/validate.js';
import type { ChannelEncoding, ChannelTranslation } from './encoding.js';
import { ENCODINGS, TRANSLATIONS } from './encoding.js';
import { DEFAULT_MAX_LINE_LENGTH } from './LineSplitter.js';

/** Options of a {@link Channel}. */
export type ChannelOptions = {
  /** The text encoding of `write`, `writeLine` and `lines$`. Default `'utf-8'`. */
  readonly encoding?: ChannelEncoding | undefined;
  /** The line-end handling of `writeLine` and `lines$`. Default `'auto'`. */
  readonly translation?: ChannelTranslation | undefined;
  /**
   * The longest line `lines$` accepts, in characters (UTF-16 code units), line end excluded; `Infinity` for no
   * limit. A longer line errors `lines$` with a `LineTooLongError`. Default 1 MiB (1048576).
   */
  readonly maxLineLength?: number | undefined;
  /**
   * Whether the socket stays writable after the peer's EOF. It must match the transport socket: rxconnect's
   * client sockets are not half-open (the peer's EOF ends our side too, as Node's default); `listen$` sockets
   * are when its `allowHalfOpen` option is set. Default false.
   */
  readonly allowHalfOpen?: boolean | undefined;
  /**
   * The scheduler of the channel's timers: the bound on the flush after its owner lets go of it (an unsubscribe
   * from `connectAsync$`), and on a close's wait for the peer's EOF. Default `asyncScheduler`.
   */
  readonly scheduler?: SchedulerLike | undefined;
};

/**
 * How a channel ended. `error` is set when it closed because of a socket error, or with written bytes the OS
 * never got; then `unsent` counts them.
 */
export type ChannelClose = {
  /**
   * The socket error that closed the channel (`ECONNRESET`, ...), if one did. With bytes unsent, an error with
   * the same `code` (`ECANCELED` after `destroy()`, when no socket error came) and an `unsent` count.
   */
  readonly error?: Error;
  /** Written bytes that were never handed to the OS; absent when there were none. */
  readonly unsent?: number;
  /** The socket was handed over with `detach()`, open. */
  readonly detached?: true;
};

/**
 * The one owner of a channel that must know when it closes (`connectAsync$`'s run), without the cost of a
 * `closed$` subscription. It is told before the `closed$` subscribers.
 */
export type ChannelCloseWatcher = {
  channelClosed(close: ChannelClose): void;
};

/** A channel's settings, checked; channels with the defaults share one object. */
export type ChannelSettings = {
  readonly encoding: ChannelEncoding;
  readonly translation: ChannelTranslation;
  readonly maxLineLength: number;
  readonly allowHalfOpen: boolean;
  readonly scheduler: SchedulerLike;
};

/** The keys of {@link ChannelOptions}: anything else is rejected, with a suggestion. */
const CHANNEL_OPTIONS: KnownKeys<ChannelOptions> = { encoding: true, translation: true, maxLineLength: true, allowHalfOpen: true, scheduler: true };

const DEFAULT_SETTINGS: ChannelSettings = {
  encoding: 'utf-8',
  translation: 'auto',
  maxLineLength: DEFAULT_MAX_LINE_LENGTH,
  allowHalfOpen: false,
  scheduler: asyncScheduler,
};

/**
 * Checks a channel's options.
 *
 * @throws InvalidArgumentError or ArgumentOutOfRangeError for a bad option, naming it.
 */
export function channelSettings(optionsArg: unknown): ChannelSettings {
  const options = parseOptions<ChannelOptions>(optionsArg, 'options', CHANNEL_OPTIONS);
  const encoding = parseChoice<ChannelEncoding>(options.encoding, 'encoding', ENCODINGS, 'utf-8');
  const translation = parseChoice<ChannelTranslation>(options.translation, 'translation', TRANSLATIONS, 'auto');
  const maxLineLength = parseMaxLineLength(options.maxLineLength) ?? DEFAULT_MAX_LINE_LENGTH;
  const allowHalfOpen = options.allowHalfOpen === true;
  const scheduler = parseScheduler(options.scheduler, 'scheduler');
  const d = DEFAULT_SETTINGS;
  const isDefault =
    encoding === d.encoding && translation === d.translation && maxLineLength === d.maxLineLength && allowHalfOpen === d.allowHalfOpen && scheduler === d.scheduler;
  return isDefault ? DEFAULT_SETTINGS : { encoding, translation, maxLineLength, allowHalfOpen, scheduler };
}
