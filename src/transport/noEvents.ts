import type { SocketEvents } from './Transport.js';

/** Socket events that go nowhere: for sockets whose owner has not attached yet, or no longer listens. */
export const NO_EVENTS: SocketEvents = {
  connect() {},
  data() {},
  end() {},
  error() {},
  close() {},
  drain() {},
};
