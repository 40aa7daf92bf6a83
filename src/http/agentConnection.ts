import type { ClientRequest, ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { ipFamily } from '../core/address.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { TlsOptions } from '../core/tls.js';
import { connectSocket } from '../promise/connectSocket.js';
import type { ConnectPromiseOptions } from '../promise/connect.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';

/** The key under which the request rides in the options Node's Agent hands to createConnection. */
const REQUEST: unique symbol = Symbol('rxconnect.request');

/** Each request's signal that ends its connect when the request is destroyed before it has a socket. */
const requestSignals = new WeakMap<object, AbortSignal>();

/** Node's Agent's own addRequest, which its types do not declare. */
type AddRequest = (this: unknown, request: ClientRequest, options: object) => void;

/** The request options Node's Agent passes to createConnection, as far as a connect reads them. */
type AgentRequestOptions = ClientRequestArgs & { readonly [REQUEST]?: ClientRequest | undefined; readonly [key: string]: unknown };

/** The per-request TLS options of `https.request` that rxconnect's `tls` carries. */
const REQUEST_TLS_KEYS = ['ca', 'cert', 'key', 'passphrase', 'pfx', 'rejectUnauthorized', 'minVersion', 'maxVersion', 'ciphers', 'checkServerIdentity', 'ALPNProtocols'] as const;

/**
 * Node's `addRequest` with an abort signal for the connect: Node's Agent gives createConnection neither the
 * request nor its signal, and a request destroyed (aborted, timed out) before it has a socket must end its connect.
 */
export function addRequestWithSignal(agent: object, addRequest: AddRequest, request: ClientRequest, options: object): void {
  const controller = new AbortController();
  const destroy = request.destroy.bind(request);
  request.destroy = (error?: Error): ClientRequest => {
    if (request.socket === null) controller.abort(error ?? new Error('request destroyed'));
    return destroy(error);
  };
  requestSignals.set(request, controller.signal);
  addRequest.call(agent, request, { ...options, [REQUEST]: request });
}

/** The connect a request of an Agent asks for: its host, port and local address, TLS for `https:`. */
function agentConnect(options: AgentRequestOptions, secure: boolean, base: HttpConnectOptions, destroyed: AbortSignal): { host: string; port: number | string; options: ConnectPromiseOptions } {
  if (options.socketPath !== undefined) throw new InvalidArgumentError('socketPath', 'is a Unix socket; rxconnect dials TCP only');
  const host = options.host ?? options.hostname ?? 'localhost';
  const port = options.port === undefined || options.port === null || options.port === '' ? (secure ? 443 : 80) : options.port;
  const own = options[REQUEST] === undefined ? undefined : requestSignals.get(options[REQUEST]);
  const signals = [destroyed, ...(own === undefined ? [] : [own]), ...(base.signal === undefined ? [] : [base.signal])];
  const signal = signals.length === 1 ? destroyed : AbortSignal.any(signals);
  const connect: ConnectPromiseOptions = {
    ...base,
    ...(typeof options.localAddress === 'string' ? { myaddr: options.localAddress } : {}),
    ...(options.family === 4 || options.family === 6 ? { family: options.family } : {}),
    ...(typeof options.lookup === 'function' ? { lookup: options.lookup } : {}),
    ...(typeof options.noDelay === 'boolean' ? { noDelay: options.noDelay } : {}),
    signal,
    tls: secure ? requestTls(options, base.tls) : undefined,
  };
  return { host, port, options: connect };
}

/** The TLS options of an `https:` request: the Agent's defaults under the request's own. */
function requestTls(options: AgentRequestOptions, defaults: TlsOptions | undefined): TlsOptions {
  const tls: Record<string, unknown> = { ...defaults };
  for (const key of REQUEST_TLS_KEYS) if (options[key] !== undefined) tls[key] = options[key];
  const servername = options['servername'];
  if (typeof servername === 'string' && servername !== '' && ipFamily(servername) === 0) tls['servername'] = servername;
  return tls;
}

/** The parts of Node's Agent that count sockets, which its types do not declare. */
type AgentPool = {
  readonly sockets: Record<string, unknown[] | undefined>;
  readonly requests: Record<string, unknown[] | undefined>;
  totalSocketCount: number;
  removeSocket(socket: unknown, options: object): void;
};

/**
 * A connect in flight, standing in the Agent's socket list until it is over: Node's Agent counts a socket against
 * `maxSockets` only once createConnection has answered, so without it every request would start a connect.
 * Node's `agent.destroy()` destroys it, which ends the connect.
 */
class PendingConnect {
  /** Never writable: Node's removeSocket then also looks in the free lists, where it is not. */
  readonly writable = false;
  readonly destroyed = false;
  readonly controller = new AbortController();

  destroy(): void {
    this.controller.abort(new Error('agent destroyed'));
  }
}

/**
 * An Agent's createConnection: connects through rxconnect, a placeholder holding the connect's place in the
 * pool, and hands the socket (or the ConnectError) to Node's callback.
 */
export function createAgentConnection(
  agent: object,
  options: ClientRequestArgs,
  callback: ((error: Error | null, socket: Duplex) => void) | undefined,
  secure: boolean,
  base: HttpConnectOptions,
): undefined {
  const done = callback ?? (() => undefined);
  const pool = agent as AgentPool;
  const name = String((options as AgentRequestOptions)['_agentKey']);
  const pending = new PendingConnect();
  let connecting: Promise<Duplex>;
  try {
    const request = agentConnect(options as AgentRequestOptions, secure, base, pending.controller.signal);
    connecting = connectSocket(request.host, request.port, request.options);
  } catch (error) {
    done(error as Error, undefined as unknown as Duplex);
    return undefined;
  }
  (pool.sockets[name] ??= []).push(pending);
  pool.totalSocketCount++;
  connecting.then(
    (socket) => {
      const list = pool.sockets[name];
      const index = list === undefined ? -1 : list.indexOf(pending);
      if (list !== undefined && index !== -1) {
        list.splice(index, 1);
        pool.totalSocketCount--;
      }
      done(null, socket);
    },
    (error: unknown) => {
      done(error as Error, undefined as unknown as Duplex);
      // A queued request whose connect failed leaves the queue (Node's Agent only shifts it when a socket is
      // free), and Node's removeSocket gives the freed place to the next one, with that one's abort signal.
      const queue = pool.requests[name];
      const own = (options as AgentRequestOptions)[REQUEST];
      const index = queue === undefined || own === undefined ? -1 : queue.indexOf(own);
      if (queue !== undefined && index !== -1) queue.splice(index, 1);
      if (queue !== undefined && queue.length === 0) delete pool.requests[name];
      pool.removeSocket(pending, { ...options, [REQUEST]: pool.requests[name]?.[0] });
    },
  );
  return undefined;
}
