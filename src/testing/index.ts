export { createVirtualNetwork } from './createVirtualNetwork.js';
export type {
  LookupScript,
  VirtualHost,
  VirtualHosts,
  VirtualLookupRecord,
  VirtualNetwork,
  VirtualNetworkOptions,
  VirtualSocketRecord,
} from './VirtualNetwork.js';
export { connectAfter, failAfter, hang, refuseAfter, timeoutAfter } from './scripts.js';
export type { AddressScript, ConnectScriptOptions, PeerScript } from './AddressScript.js';
export type { TlsScript } from './TlsScript.js';
