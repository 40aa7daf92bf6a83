import { Agent } from 'node:https';
import type { ClientRequest, ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseHttpConnectOptions } from './HttpConnectOptions.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';
import { parseHttpAgentOptions } from './HttpAgentOptions.js';
import type { HttpAgentOptions } from './HttpAgentOptions.js';
import { addRequestWithSignal, createAgentConnection } from './agentConnection.js';

/** Node's https.Agent, its TLS sockets connected by rxconnect. */
class RxconnectHttpsAgent extends Agent {
  readonly #connect: HttpConnectOptions;

  constructor(options: HttpAgentOptions) {
    const { connect, ...pooling } = parseHttpAgentOptions(options);
    const parsed = parseHttpConnectOptions(connect, 'connect', undefined);
    super(pooling);
    this.#connect = parsed;
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    return createAgentConnection(this, options, callback, true, this.#connect);
  }

  /** Node's addRequest, with the request's abort signal passed on to its connect. */
  addRequest(request: ClientRequest, options: object): void {
    addRequestWithSignal(this, (Agent.prototype as unknown as { addRequest: (request: ClientRequest, options: object) => void }).addRequest, request, options);
  }
}

/**
 * Makes a `node:https` Agent whose connections rxconnect makes, TLS handshake included: `https.get`,
 * `https.request` and the libraries on them get its Happy Eyeballs race and its readable errors, with Node's
 * pooling and keep-alive.
 *
 * <span class="informal">Node's `https.Agent` with `createConnection` replaced by rxconnect's connect with `tls`.</span>
 *
 * The request's `servername` (by default its host name; none for an IP literal), `ca`, `cert`, `key`,
 * `rejectUnauthorized`, `ALPNProtocols`, ... override the `connect.tls` defaults and, as in Node, keep sockets of
 * different settings apart. Aborting the request while it connects ends the connect. A failed connect or
 * handshake is the request's `error`: the `ConnectError`.
 *
 * The Agent keeps a connect history of its own (see `createConnectHistory`) unless `connect.history` gives one
 * or is `false`: the next connect to an origin starts with the address that won the last one.
 *
 * ## Example
 * ```ts
 * import { get } from 'node:https';
 * import { httpsAgent } from 'rxconnect/http';
 *
 * const agent = httpsAgent({ keepAlive: true, connect: { timeout: 5000 } });
 * get('https://example.com/', { agent }, (response) => response.resume());
 * ```
 *
 * @param options Node's pooling options (`keepAlive`, `maxSockets`, ...) and `connect`, rxconnect's connect
 * options with `tls` defaults; all validated now.
 * @returns The Agent.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the option, for bad options.
 */
export function httpsAgent(options: HttpAgentOptions = {}): Agent {
  return new RxconnectHttpsAgent(options);
}
