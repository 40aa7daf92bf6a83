import type { ConnectError } from '../errors/ConnectError.js';
import type { SocketAddress } from '../core/socket.js';
import type { Attempt } from './Attempt.js';

/**
 * What a {@link Dialer} tells as it goes. A report may end the connect (a subscriber that leaves): the Dialer
 * checks after each one whether it is still running.
 */
export type DialReport = {
  resolved(host: string, port: number, family: 0 | 4 | 6, addresses: readonly SocketAddress[]): void;
  /** `attempt` started; `byHistory` when the connect's history chose its address's place. */
  attemptStarted(attempt: Attempt, byHistory: boolean): void;
  attemptFailed(attempt: Attempt, error: ConnectError): void;
  /** `winner` connected; `losers` were still in flight, in attempt order, and are cancelled. The Dialer is done. */
  connected(winner: Attempt, losers: readonly Attempt[]): void;
  /** Every lookup and attempt is over, and none connected. The Dialer is done. */
  failed(error: ConnectError): void;
};
