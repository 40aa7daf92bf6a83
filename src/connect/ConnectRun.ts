import { Channel } from '../channel/Channel.js';
import { watchChannelClose } from '../channel/watchChannelClose.js';
import type { ChannelClose, ChannelCloseWatcher } from '../channel/Channel.js';
import type { ConnectError } from '../errors/ConnectError.js';
import type { SocketAddress } from '../core/socket.js';
import type { TransportSocket } from '../transport/Transport.js';
import type { TlsOptions, TlsSession } from '../core/tls.js';
import { destroySocket } from './Attempt.js';
import type { Attempt } from './Attempt.js';
import type { ConnectOutput, RunSubscriber } from './ConnectOutput.js';
import type { ConnectPlan } from './connectPlan.js';
import { Dialer } from './Dialer.js';
import { abortFailure } from './failure.js';
import type { DialReport } from './DialReport.js';

/**
 * One subscription's connect, and the channel that results. The {@link Dialer} does the lookups and attempts and
 * is dropped once it has settled: a connected run lives as long as its channel, and keeps only what teardown and
 * the `closed` event need. What the subscriber is told, and how, is its {@link ConnectOutput}'s business.
 */
export class ConnectRun implements ChannelCloseWatcher, DialReport {
  private readonly subscriber: RunSubscriber;
  private readonly output: ConnectOutput;
  private dialer: Dialer | undefined = undefined;
  private channel: Channel | undefined = undefined;
  /** The plan's AbortSignal while this run listens to it (from start to the end of the connect or channel). */
  private signal: AbortSignal | undefined = undefined;

  constructor(subscriber: RunSubscriber, output: ConnectOutput) {
    this.subscriber = subscriber;
    this.output = output;
  }

  /** Starts the dialer. The plan is not kept: a connected run keeps only what teardown and `closed` need. */
  start(plan: ConnectPlan): void {
    const { signal } = plan;
    if (signal !== undefined) {
      // Already aborted: failed at once, with no lookup and no dial.
      if (signal.aborted) {
        this.output.failed(this.subscriber, abortFailure(signal.reason));
        return;
      }
      this.signal = signal;
      signal.addEventListener('abort', this);
    }
    const dialer = new Dialer(plan, this);
    this.dialer = dialer;
    dialer.start();
  }

  /**
   * Releases everything: timers, lookups, attempt sockets, and the channel. Called on unsubscribe and after
   * completion: the run is its subscriber's teardown (an object, rather than a closure that would keep the plan).
   */
  unsubscribe(): void {
    this.stopListening();
    const dialer = this.dialer;
    this.dialer = undefined;
    if (dialer !== undefined) {
      dialer.cancel();
      // A handshake under way ends with its socket; the transport then reports nothing more of it.
      const winner = dialer.handshaking;
      dialer.handshaking = undefined;
      if (winner !== undefined) destroySocket(winner.socket as TransportSocket);
    }
    this.releaseChannel();
  }

  /**
   * As Tcl's close: what was written is flushed, then the socket closes. A flush that stalls (a peer that does not
   * read) ends after the channel's bound, and closed$ reports the bytes left unsent.
   */
  private releaseChannel(): void {
    this.channel?.release();
  }

  /**
   * @internal The signal was aborted: while connecting, the dialer ends every attempt and the connect fails
   * with the AbortError. Once connected, the channel is closed as on unsubscribe, and `closed` carries the
   * AbortError (the signal is kept for that). While `connected` reports the losers there is neither: it sees the
   * aborted signal once they are reported, and fails the winner instead of handing it out.
   */
  handleEvent(): void {
    const signal = this.signal;
    if (signal === undefined) return;
    const dialer = this.dialer;
    if (dialer !== undefined) {
      this.stopListening();
      const winner = dialer.handshaking;
      dialer.handshaking = undefined;
      if (winner === undefined) dialer.abort(signal.reason);
      else dialer.abortWinner(signal.reason, winner);
      return;
    }
    signal.removeEventListener('abort', this);
    this.releaseChannel();
  }

  private stopListening(): void {
    this.signal?.removeEventListener('abort', this);
    this.signal = undefined;
  }

  resolved(host: string, port: number, family: 0 | 4 | 6, addresses: readonly SocketAddress[]): void {
    this.output.resolved(this.subscriber, host, port, family, addresses);
    this.stopIfUnwanted();
  }

  attemptStarted(attempt: Attempt, byHistory: boolean): void {
    this.output.attemptStarted(this.subscriber, attempt, byHistory);
    this.stopIfUnwanted();
  }

  attemptFailed(attempt: Attempt, error: ConnectError): void {
    this.output.attemptFailed(this.subscriber, attempt, error);
    this.stopIfUnwanted();
  }

  connected(winner: Attempt, losers: readonly Attempt[]): void {
    const dialer = this.dialer;
    this.dialer = undefined;
    const socket = winner.socket as TransportSocket;
    // The subscription may have ended while the dialer settled (a resolver's cancel is user code): teardown
    // found no dialer and no channel, so the winner is ours to close.
    if (dialer === undefined || this.subscriber.closed) {
      destroySocket(socket);
      return;
    }
    for (const loser of losers) {
      this.output.attemptLost(this.subscriber, loser);
      if (this.subscriber.closed) {
        destroySocket(socket);
        return;
      }
    }
    // A loser's handler may have aborted the signal: the winner is then failed, not handed out. attempt.fail()
    // destroys the socket; attemptFailed then failed are reported, keeping the event grammar.
    const signal = this.signal;
    if (signal?.aborted === true) {
      this.stopListening();
      dialer.abortWinner(signal.reason, winner);
      return;
    }
    const { tls } = dialer.plan;
    if (tls === undefined) this.openChannel(dialer, winner, socket, undefined);
    else this.startHandshake(dialer, winner, socket, tls);
  }

  /**
   * TCP has won and the losers are reported: the handshake runs on the winner. The dialer is kept until it ends,
   * for the error of a failed handshake (which names the earlier attempts) and for an abort.
   */
  private startHandshake(dialer: Dialer, winner: Attempt, socket: TransportSocket, options: TlsOptions): void {
    this.dialer = dialer;
    dialer.handshaking = winner;
    this.output.handshake(this.subscriber, winner);
    this.stopIfUnwanted();
    if (dialer.handshaking !== winner) return;
    const { transport } = dialer.plan;
    // Validation made sure a transport given with `tls` has startTls.
    const ended = (error: unknown, session?: TlsSession): void => {
      if (dialer.handshaking !== winner) return;
      dialer.handshaking = undefined;
      if (error === null) {
        this.dialer = undefined;
        this.openChannel(dialer, winner, socket, session);
      } else {
        dialer.failWinner(winner, error);
      }
    };
    try {
      (transport.startTls as NonNullable<typeof transport.startTls>)(socket, { side: 'client', options }, ended);
    } catch (error) {
      // Key material the TLS library cannot use (a PEM that does not parse, a wrong passphrase) fails the
      // winner here, not in a socket's event handler where it would be thrown out of the event loop.
      ended(error ?? new Error('the TLS handshake could not start'));
    }
  }

  private openChannel(dialer: Dialer, winner: Attempt, socket: TransportSocket, tls: TlsSession | undefined): void {
    const { encoding, translation, maxLineLength, scheduler } = dialer.plan;
    const channel = new Channel(socket, { encoding, translation, maxLineLength, scheduler });
    // Set before it is handed out: a subscriber that leaves on it has teardown close it.
    this.channel = channel;
    this.output.connected(this.subscriber, winner, channel, tls);
    if (!this.subscriber.closed) watchChannelClose(channel, this);
  }

  failed(error: ConnectError): void {
    this.dialer = undefined;
    this.stopListening();
    this.output.failed(this.subscriber, error);
  }

  /** The channel closed: the last event. Nothing is emitted after an unsubscribe. */
  channelClosed({ error, detached }: ChannelClose): void {
    const signal = this.signal;
    this.stopListening();
    // The channel's own error wins: it tells what was lost (a flush cut short, with `unsent`). A reconnect over an
    // aborted signal then fails its next round at once, with the AbortError.
    this.output.closed(this.subscriber, error ?? (signal?.aborted === true ? abortFailure(signal.reason) : undefined), detached === true);
  }

  /**
   * A subscriber that left while being told something (inside `subscribe`, before this run is its teardown) ends
   * the connect now, so that the dialer goes no further.
   */
  private stopIfUnwanted(): void {
    if (this.subscriber.closed) this.unsubscribe();
  }
}
