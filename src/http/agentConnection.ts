import type { ClientRequest, ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { ipFamily } from '../core/address.js';
import { InvalidArgumentError } from '../errors/InvalidArgumentError.js';
import type { TlsOptions } from '../core/tls.js';
import { connectSocket } from '../promise/connectSocket.js';
import type { ConnectPromiseOptions } from '../promise/connect.js';
import type { HttpConnectOptions } from './HttpConnectOptions.js';

/** The key under which a request's abort signal rides in the options Node's Agent hands to createConnection. */
const REQUEST_SIGNAL: unique symbol = Symbol('rxconnect.requestSignal');

/** Node's Agent's own addRequest, which its types do not declare. */
type AddRequest = (this: unknown, request: ClientRequest, options: object) => void;

/** The request options Node's Agent passes to createConnection, as far as a connect reads them. */
type AgentRequestOptions = ClientRequestArgs & { readonly [REQUEST_SIGNAL]?: AbortSignal; readonly [key: string]: unknown };

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
  addRequest.call(agent, request, { ...options, [REQUEST_SIGNAL]: controller.signal });
}

/** The connect a request of an Agent asks for: its host, port and local address, TLS for `https:`. */
function agentConnect(options: AgentRequestOptions, secure: boolean, base: HttpConnectOptions): { host: string; port: number | string; options: ConnectPromiseOptions } {
  if (options.socketPath !== undefined) throw new InvalidArgumentError('socketPath', 'is a Unix socket; rxconnect dials TCP only');
  const host = options.host ?? options.hostname ?? 'localhost';
  const port = options.port === undefined || options.port === null || options.port === '' ? (secure ? 443 : 80) : options.port;
  const own = options[REQUEST_SIGNAL];
  const signal = base.signal === undefined ? own : own === undefined ? base.signal : AbortSignal.any([base.signal, own]);
  const connect: ConnectPromiseOptions = {
    ...base,
    ...(typeof options.localAddress === 'string' ? { myaddr: options.localAddress } : {}),
    ...(options.family === 4 || options.family === 6 ? { family: options.family } : {}),
    ...(typeof options.lookup === 'function' ? { lookup: options.lookup } : {}),
    ...(typeof options.noDelay === 'boolean' ? { noDelay: options.noDelay } : {}),
    ...(signal === undefined ? {} : { signal }),
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

/** An Agent's createConnection: connects through rxconnect and hands the socket to Node's callback. */
export function createAgentConnection(options: ClientRequestArgs, callback: ((error: Error | null, socket: Duplex) => void) | undefined, secure: boolean, base: HttpConnectOptions): undefined {
  const done = callback ?? (() => undefined);
  let pending: Promise<Duplex>;
  try {
    const request = agentConnect(options as AgentRequestOptions, secure, base);
    pending = connectSocket(request.host, request.port, request.options);
  } catch (error) {
    done(error as Error, undefined as unknown as Duplex);
    return undefined;
  }
  pending.then(
    (socket) => done(null, socket),
    (error: unknown) => done(error as Error, undefined as unknown as Duplex),
  );
  return undefined;
}
