import { of } from 'rxjs';
import { Channel, connect, connectAsync$, flushOnConnect, InvalidArgumentError, listen$, reconnect } from '../../src/index.js';
import { NO_EVENTS } from '../../src/transport/Transport.js';
import { connectAfter, createVirtualNetwork } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import { newScheduler } from '../helpers/events.js';

// Every options object rejects a key it does not know, at call time, with an InvalidArgumentError that names the
// key and suggests what was meant: the nearest known key (a typo), rxconnect's name for Node's (localAddress →
// myaddr), or where the option belongs (connectAsync$'s timeout).

type Case = [entry: string, call: (network: VirtualNetwork) => unknown, argument: string, hint: string];

const HOSTS: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(1) } } };
const host = (h: unknown) => () => createVirtualNetwork(newScheduler(), { 'a.test': h as never });

const cases: Case[] = [
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, attemptTimout: 100 } as never), 'options.attemptTimout', 'did you mean "attemptTimeout"?'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, Family: 4 } as never), 'options.Family', 'did you mean "family"?'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, localAddress: '::1' } as never), 'options.localAddress', 'did you mean "myaddr"?'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, localPort: 5000 } as never), 'options.localPort', 'did you mean "myport"?'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, timeout: 100 } as never), 'options.timeout', 'timeout is an option of connect(); with connectAsync$, use .pipe(connectTimeout(ms))'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, attemptTimout: undefined } as never), 'options.attemptTimout', 'did you mean "attemptTimeout"?'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, retries: 3 } as never), 'options.retries', 'the options are strategy, attemptDelay, '],
  ['connect', (n) => connect('h.test', 80, { transport: n.transport, timout: 100 } as never), 'options.timout', 'did you mean "timeout"?'],
  ['connect', (n) => connect('h.test', 80, { transport: n.transport, localAddress: '::1' } as never), 'options.localAddress', 'did you mean "myaddr"?'],
  ['listen$', (n) => listen$(0, { transport: n.transport, host: '127.0.0.1' } as never), 'options.host', 'did you mean "myaddr"?'],
  ['listen$', (n) => listen$(0, { transport: n.transport, localAddress: '127.0.0.1' } as never), 'options.localAddress', 'did you mean "myaddr"?'],
  ['listen$', (n) => listen$(0, { transport: n.transport, port: 80 } as never), 'options.port', "the port is listen$'s first argument"],
  ['listen$', (n) => listen$(0, { transport: n.transport, backLog: 5 } as never), 'options.backLog', 'did you mean "backlog"?'],
  ['listen$', (n) => listen$(0, { transport: n.transport, tls: { key: 'k', cert: 'c', handshakeTimout: 100 } } as never), 'tls.handshakeTimout', 'did you mean "handshakeTimeout"?'],
  ['listen$', (n) => listen$(0, { transport: n.transport, tls: { key: 'k', cert: 'c', alpnProtocols: ['h2'] } } as never), 'tls.alpnProtocols', 'ALPNProtocols'],
  ['connectAsync$', (n) => connectAsync$('h.test', 80, { transport: n.transport, tls: { servernam: 'h.test' } } as never), 'tls.servernam', 'did you mean "servername"?'],
  ['connect', (n) => connect('h.test', 80, { transport: n.transport, tls: { rejectUnauthorised: false } } as never), 'tls.rejectUnauthorised', 'did you mean "rejectUnauthorized"?'],
  ['flushOnConnect', () => flushOnConnect(of('a'), { maxByte: 10 } as never), 'options.maxByte', 'did you mean "maxBytes"?'],
  ['Channel', () => new Channel({ events: NO_EVENTS } as never, { encodng: 'ascii' } as never), 'options.encodng', 'did you mean "encoding"?'],
  ['reconnect', () => reconnect({ initalDelay: 10 } as never), 'policy.initalDelay', 'did you mean "initialDelay"?'],
  ['reconnect', () => reconnect({ retries: 3 } as never), 'policy.retries', 'the options are initialDelay, maxDelay, factor, '],
  ['createVirtualNetwork', () => createVirtualNetwork(newScheduler(), HOSTS, { famlies: [4] } as never), 'options.famlies', 'did you mean "families"?'],
  ['createVirtualNetwork', () => createVirtualNetwork(newScheduler(), HOSTS, { localAddresses: { v4: '10.0.0.1' } } as never), 'options.localAddresses.v4', 'did you mean "4"?'],
  ['createVirtualNetwork', host({ adresses: {} }), 'hosts["a.test"].adresses', 'did you mean "addresses"?'],
  ['createVirtualNetwork', host({ addresses: {}, lookup: { 4: 10 } }), 'hosts["a.test"].lookup.4', 'did you mean "ipv4"?'],
  ['createVirtualNetwork', host({ addresses: {}, lookup: { ipv6: { after: 1, eror: 'EAI_AGAIN' } } }), 'hosts["a.test"].lookup.ipv6.eror', 'did you mean "error"?'],
  ['createVirtualNetwork', host({ addresses: { '192.0.2.1': { outcome: 'connect', after: 1, peers: () => of('hi') } } }), 'hosts["a.test"].addresses["192.0.2.1"].peers', 'did you mean "peer"?'],
  ['createVirtualNetwork', host({ addresses: { '192.0.2.1': { outcome: 'refuse', after: 1, code: 'EHOSTUNREACH' } } }), 'hosts["a.test"].addresses["192.0.2.1"].code', 'the options are outcome, after'],
];

describe('unknown options', () => {
  it.each(cases)('%s: should reject %s with an InvalidArgumentError naming the key and suggesting what was meant', (_entry, call, argument, hint) => {
    const network = createVirtualNetwork(newScheduler(), HOSTS);
    let thrown: unknown;
    try {
      call(network);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    const error = thrown as InvalidArgumentError;
    expect(error.argument).toBe(argument);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message.startsWith(`${argument}: unknown option; `)).toBe(true);
    expect(error.message).toContain(hint);
    expect(network.sockets).toEqual([]);
    expect(network.lookups).toEqual([]);
  });

  it('should accept every known key, and a key inherited from the prototype is not one', () => {
    const network = createVirtualNetwork(newScheduler(), HOSTS);
    expect(() => connectAsync$('h.test', 80, { transport: network.transport, attemptTimeout: 5, myaddr: '127.0.0.1', myport: 0, noDelay: true, keepAlive: true })).not.toThrow();
    expect(() => listen$(0, { transport: network.transport, myaddr: '127.0.0.1', backlog: 1, allowHalfOpen: true })).not.toThrow();
    expect(() => reconnect({ initialDelay: 1, maxDelay: 2, factor: 2, jitter: 0, maxRetries: 1, resetAfter: 1, random: Math.random, scheduler: newScheduler() })).not.toThrow();
    expect(() => connectAsync$('h.test', 80, { transport: network.transport, toString: 'x' } as never)).toThrow(InvalidArgumentError);
  });
});
