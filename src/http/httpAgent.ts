import { Agent } from 'node:http';
import type { ClientRequest, ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseHttpConnectOptions } from './HttpConnectOptions.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';
import { parseHttpAgentOptions } from './HttpAgentOptions.js';
import type { HttpAgentOptions } from './HttpAgentOptions.js';
import { addRequestWithSignal, createAgentConnection } from './agentConnection.js';

/** Node's http.Agent, its sockets connected by rxconnect. */
class RxconnectHttpAgent extends Agent {
  readonly #connect: HttpConnectOptions;

  constructor(options: HttpAgentOptions) {
    const { connect, ...pooling } = parseHttpAgentOptions(options);
    const parsed = parseHttpConnectOptions(connect, 'connect', undefined);
    super(pooling);
    this.#connect = parsed;
  }

  override createConnection(options: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): undefined {
    return createAgentConnection(this, options, callback, false, this.#connect);
  }

  /** Node's addRequest, with the request's abort signal passed on to its connect. */
  addRequest(request: ClientRequest, options: object): void {
    addRequestWithSignal(this, (Agent.prototype as unknown as { addRequest: (request: ClientRequest, options: object) => void }).addRequest, request, options);
  }
}

/**
 * Makes a `node:http` Agent whose connections rxconnect makes: `http.get`, `http.request` and the libraries on
 * them get its Happy Eyeballs race and its readable errors, with Node's pooling and keep-alive.
 *
 * <span class="informal">Node's `http.Agent` with `createConnection` replaced by rxconnect's connect.</span>
 *
 * A request's `host`, `port`, `localAddress`, `family` and `lookup` choose the connect; aborting the request
 * (its `signal`, `destroy()`) while it connects ends the connect. A failed connect is the request's `error`: the
 * `ConnectError` with every attempt in its message.
 *
 * The Agent keeps a connect history of its own (see `createConnectHistory`) unless `connect.history` gives one
 * or is `false`: the next connect to an origin starts with the address that won the last one.
 *
 * ## Example
 * ```ts
 * import { get } from 'node:http';
 * import { httpAgent } from 'rxconnect/http';
 *
 * const agent = httpAgent({ keepAlive: true, connect: { timeout: 5000 } });
 * get('http://localhost:8080/', { agent }, (response) => response.resume());
 * ```
 *
 * @param options Node's pooling options (`keepAlive`, `maxSockets`, ...) and `connect`, rxconnect's connect
 * options; all validated now.
 * @returns The Agent.
 * @throws InvalidArgumentError or ArgumentOutOfRangeError, naming the option, for bad options.
 */
export function httpAgent(options: HttpAgentOptions = {}): Agent {
  return new RxconnectHttpAgent(options);
}
