/**
 * rxconnect under Node's HTTP clients: an undici connector for `fetch`, and `node:http`/`node:https` Agents.
 *
 * @packageDocumentation
 */
export { connector } from './connector.js';
export type { Connector, ConnectorCallback } from './connector.js';
export type { ConnectorRequest } from './ConnectorRequest.js';
export { httpAgent } from './httpAgent.js';
export { httpsAgent } from './httpsAgent.js';
export type { HttpAgentOptions } from './HttpAgentOptions.js';
export type { HttpConnectOptions } from './HttpConnectOptions.js';
