import { testCertificates } from '../helpers/certs.js';
import { BehaviorSubject, of, Subject, throwError } from 'rxjs';
import { ArgumentOutOfRangeError, Channel, connect, connectAsync$, connectTimeout, flushOnConnect, InvalidArgumentError, listen$, reconnect, snapshot } from '../../src/index.js';
import { connectAfter, createVirtualNetwork, failAfter, hang, refuseAfter, timeoutAfter } from '../../src/testing/index.js';
import type { VirtualHosts, VirtualNetwork } from '../../src/testing/index.js';
import type { DialRequest, SocketEvents, SocketSnapshot } from '../../src/index.js';
import { MAX_DELAY } from '../../src/validation/validate.js';
import { newScheduler } from '../helpers/events.js';
import { tcpHandles } from '../helpers/loopback.js';
import { recordingChannel } from '../helpers/operatorEvents.js';
import type { RecordingSocket } from '../helpers/operatorEvents.js';

// Bad input over every public entry point but connectAsync$ (connectAsync.spec.ts beside this file has its
// table): listen$, the operators, Channel (its constructor, write, writeLine) and rxconnect/testing. Each case
// must throw at call time a typed error (InvalidArgumentError, a TypeError, or ArgumentOutOfRangeError, a
// RangeError) whose `argument` names the argument and whose message starts with it, and must open nothing: no
// socket, lookup or listener on the virtual network, no real handle, no byte written.

type ErrorType = typeof InvalidArgumentError | typeof ArgumentOutOfRangeError;
type Context = { readonly network: VirtualNetwork; readonly channel: Channel; readonly socket: RecordingSocket };
type Case = [entry: string, what: string, call: (c: Context) => unknown, type: ErrorType, argument: string];

const I = InvalidArgumentError;
const R = ArgumentOutOfRangeError;
const HOSTS: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': connectAfter(1) } } };
/** Stand-ins for a key and a certificate: validation checks their type, the transport reads them. */
const KEY = '-----BEGIN PRIVATE KEY-----';
const IDENTITY = { key: KEY, cert: '-----BEGIN CERTIFICATE-----' };

/** listen$ on the virtual network, with `options` on top. */
const listen = (port: unknown, options?: unknown) => (c: Context) =>
  listen$(port as number, options === undefined ? { transport: c.network.transport } : typeof options === 'object' && options !== null && !Array.isArray(options) ? { transport: c.network.transport, ...options } : (options as never));

/** The operator applied to a connect on the virtual network (applying must throw before anything subscribes). */
const source = (c: Context) => connectAsync$('h.test', 80, { transport: c.network.transport });

const cases: Case[] = [
  // listen$(port, options)
  ['listen$', 'a negative port', listen(-1), R, 'port'],
  ['listen$', 'a port above 65535', listen(65536), R, 'port'],
  ['listen$', 'a fractional port', listen(80.5), R, 'port'],
  ['listen$', 'an empty port string', listen(''), I, 'port'],
  ['listen$', 'an unknown service', listen('no-such-service'), I, 'port'],
  ['listen$', 'a port of the wrong type', listen(null), I, 'port'],
  ['listen$', 'a port that is an object', listen({}), I, 'port'],
  ['listen$', 'options that are not an object', listen(0, 'fast'), I, 'options'],
  ['listen$', 'options that are an array', listen(0, []), I, 'options'],
  ['listen$', "Node's host for myaddr", listen(0, { host: '127.0.0.1' }), I, 'options.host'],
  ['listen$', 'a bad family', listen(0, { family: 5 }), I, 'family'],
  ['listen$', 'a family that contradicts myaddr', listen(0, { myaddr: '::1', family: 4 }), I, 'family'],
  ['listen$', 'an empty myaddr', listen(0, { myaddr: '' }), I, 'myaddr'],
  ['listen$', 'a malformed myaddr', listen(0, { myaddr: 'bad host!' }), I, 'myaddr'],
  ['listen$', 'a myaddr that is not a string', listen(0, { myaddr: 42 }), I, 'myaddr'],
  ['listen$', 'a negative backlog', listen(0, { backlog: -1 }), R, 'backlog'],
  ['listen$', 'a fractional backlog', listen(0, { backlog: 1.5 }), R, 'backlog'],
  ['listen$', 'a string backlog', listen(0, { backlog: '10' }), I, 'backlog'],
  ['listen$', 'a lookup that is not a function', listen(0, { lookup: 'dns' }), I, 'lookup'],
  ['listen$', 'a transport without listen', (c) => listen$(0, { transport: { lookup: c.network.lookup, dial: (request: DialRequest, events: SocketEvents) => c.network.transport.dial(request, events) } as never }), I, 'transport'],
  ['listen$', 'a transport that is not one', () => listen$(0, { transport: {} as never }), I, 'transport'],
  ['listen$', 'an unknown encoding', listen(0, { encoding: 'utf-16' }), I, 'encoding'],
  ['listen$', 'an unknown translation', listen(0, { translation: 'cr' }), I, 'translation'],
  ['listen$', 'a zero maxLineLength', listen(0, { maxLineLength: 0 }), R, 'maxLineLength'],
  ['listen$', 'a string maxLineLength', listen(0, { maxLineLength: '80' }), I, 'maxLineLength'],
  ['listen$', 'a non-boolean allowHalfOpen', listen(0, { allowHalfOpen: 'yes' }), I, 'allowHalfOpen'],
  ['listen$', 'a non-boolean noDelay', listen(0, { noDelay: 1 }), I, 'noDelay'],
  ['listen$', 'a non-boolean keepAlive', listen(0, { keepAlive: 'no' }), I, 'keepAlive'],
  ['listen$', 'a scheduler that is not one', listen(0, { scheduler: {} }), I, 'scheduler'],
  ['listen$', 'tls: true (a server has no default certificate)', listen(0, { tls: true }), I, 'tls'],
  ['listen$', 'tls without key and cert', listen(0, { tls: { ALPNProtocols: ['h2'] } }), I, 'tls'],
  ['listen$', 'tls with a key but no cert', listen(0, { tls: { key: KEY } }), I, 'tls'],
  ['listen$', 'tls that is not an object', listen(0, { tls: 'cert.pem' }), I, 'tls'],
  ['listen$', "a client's tls option (servername)", listen(0, { tls: { ...IDENTITY, servername: 'localhost' } }), I, 'tls.servername'],
  ['listen$', 'a misspelt tls option', listen(0, { tls: { ...IDENTITY, handshakeTimout: 100 } }), I, 'tls.handshakeTimout'],
  ['listen$', 'a zero handshakeTimeout', listen(0, { tls: { ...IDENTITY, handshakeTimeout: 0 } }), R, 'tls.handshakeTimeout'],
  ['listen$', 'a negative handshakeTimeout', listen(0, { tls: { ...IDENTITY, handshakeTimeout: -1 } }), R, 'tls.handshakeTimeout'],
  ['listen$', 'a handshakeTimeout longer than a timer can wait', listen(0, { tls: { ...IDENTITY, handshakeTimeout: 2 ** 31 } }), R, 'tls.handshakeTimeout'],
  ['listen$', 'a string handshakeTimeout', listen(0, { tls: { ...IDENTITY, handshakeTimeout: '200' } }), I, 'tls.handshakeTimeout'],
  ['listen$', 'a non-boolean requestCert', listen(0, { tls: { ...IDENTITY, requestCert: 'yes' } }), I, 'tls.requestCert'],
  ['listen$', 'a cert that is not PEM text or bytes', listen(0, { tls: { key: KEY, cert: 42 } }), I, 'tls.cert'],
  ['listen$', 'an empty ALPNProtocols', listen(0, { tls: { ...IDENTITY, ALPNProtocols: [] } }), I, 'tls.ALPNProtocols'],
  ['listen$', 'a transport without startTls, with tls', (c) => listen$(0, { transport: { lookup: c.network.lookup, listen: () => undefined } as never, tls: IDENTITY }), I, 'transport'],

  // connectTimeout(ms, scheduler?)
  ['connectTimeout', 'no ms', () => connectTimeout(undefined as never), I, 'ms'],
  ['connectTimeout', 'a string ms', () => connectTimeout('100' as never), I, 'ms'],
  ['connectTimeout', 'a negative ms', () => connectTimeout(-1), R, 'ms'],
  ['connectTimeout', 'a NaN ms', () => connectTimeout(NaN), R, 'ms'],
  ['connectTimeout', 'an infinite ms', () => connectTimeout(Infinity), R, 'ms'],
  ['connectTimeout', 'an ms longer than a timer can wait', () => connectTimeout(3e9), R, 'ms'],
  ['connectTimeout', 'a scheduler that is not one', () => connectTimeout(100, {} as never), I, 'scheduler'],
  ['connectTimeout', 'a string scheduler', () => connectTimeout(100, 'async' as never), I, 'scheduler'],

  // connect(host, port, options?): connectAsync$'s options (see connectAsync.spec.ts) and its own
  ['connect', 'a misspelt timeout', (c) => connect('h.test', 80, { transport: c.network.transport, timout: 5 } as never), I, 'options.timout'],
  ['connect', 'a negative timeout', (c) => connect('h.test', 80, { transport: c.network.transport, timeout: -1 }), R, 'timeout'],
  ['connect', 'a string timeout', (c) => connect('h.test', 80, { transport: c.network.transport, timeout: '5s' as never }), I, 'timeout'],
  ['connect', 'a timeout longer than a timer can wait', (c) => connect('h.test', 80, { transport: c.network.transport, timeout: 2 ** 31 }), R, 'timeout'],

  // flushOnConnect(outgoing$, options?)
  ['flushOnConnect', 'a bare string', () => flushOnConnect('hello' as never), I, 'outgoing$'],
  ['flushOnConnect', 'bare bytes', () => flushOnConnect(Uint8Array.of(1) as never), I, 'outgoing$'],
  ['flushOnConnect', 'a number', () => flushOnConnect(42 as never), I, 'outgoing$'],
  ['flushOnConnect', 'null', () => flushOnConnect(null as never), I, 'outgoing$'],
  ['flushOnConnect', 'a plain object', () => flushOnConnect({} as never), I, 'outgoing$'],
  ['flushOnConnect', 'options that are not an object', () => flushOnConnect(of('a'), 'big' as never), I, 'options'],
  ['flushOnConnect', 'a misspelt maxBytes', () => flushOnConnect(of('a'), { maxByte: 10 } as never), I, 'options.maxByte'],
  ['flushOnConnect', 'a negative maxBytes', () => flushOnConnect(of('a'), { maxBytes: -1 }), R, 'maxBytes'],
  ['flushOnConnect', 'a fractional maxBytes', () => flushOnConnect(of('a'), { maxBytes: 1.5 }), R, 'maxBytes'],
  ['flushOnConnect', 'an infinite maxBytes', () => flushOnConnect(of('a'), { maxBytes: Infinity }), R, 'maxBytes'],
  ['flushOnConnect', 'a string maxBytes', () => flushOnConnect(of('a'), { maxBytes: '1024' as never }), I, 'maxBytes'],

  // snapshot(subject)
  ['snapshot', 'no subject', () => snapshot(undefined as never), I, 'subject'],
  ['snapshot', 'null', () => snapshot(null as never), I, 'subject'],
  ['snapshot', 'a plain object', () => snapshot({} as never), I, 'subject'],
  ['snapshot', 'a Subject (no value to read)', () => snapshot(new Subject() as never), I, 'subject'],

  // reconnect(policy?)
  ['reconnect', 'a policy that is not an object', () => reconnect('forever' as never), I, 'policy'],
  ['reconnect', 'a policy that is an array', () => reconnect([] as never), I, 'policy'],
  ['reconnect', 'a misspelt initialDelay', () => reconnect({ initalDelay: 10 } as never), I, 'policy.initalDelay'],
  ['reconnect', 'a negative initialDelay', () => reconnect({ initialDelay: -1 }), R, 'initialDelay'],
  ['reconnect', 'a NaN initialDelay', () => reconnect({ initialDelay: NaN }), R, 'initialDelay'],
  ['reconnect', 'a string initialDelay', () => reconnect({ initialDelay: '1s' as never }), I, 'initialDelay'],
  ['reconnect', 'an initialDelay longer than a timer can wait', () => reconnect({ initialDelay: 2 ** 31 }), R, 'initialDelay'],
  ['reconnect', 'a negative maxDelay', () => reconnect({ maxDelay: -1 }), R, 'maxDelay'],
  ['reconnect', 'a maxDelay of 30 days, longer than a timer can wait', () => reconnect({ maxDelay: 30 * 24 * 3600 * 1000 }), R, 'maxDelay'],
  ['reconnect', 'a maxDelay below initialDelay', () => reconnect({ initialDelay: 100, maxDelay: 50 }), R, 'maxDelay'],
  ['reconnect', 'a factor below 1', () => reconnect({ factor: 0.5 }), R, 'factor'],
  ['reconnect', 'an infinite factor', () => reconnect({ factor: Infinity }), R, 'factor'],
  ['reconnect', 'a string factor', () => reconnect({ factor: '2' as never }), I, 'factor'],
  ['reconnect', 'a negative jitter', () => reconnect({ jitter: -0.1 }), R, 'jitter'],
  ['reconnect', 'a jitter above 1', () => reconnect({ jitter: 1.5 }), R, 'jitter'],
  ['reconnect', 'a string jitter', () => reconnect({ jitter: 'some' as never }), I, 'jitter'],
  ['reconnect', 'a negative maxRetries', () => reconnect({ maxRetries: -1 }), R, 'maxRetries'],
  ['reconnect', 'a fractional maxRetries', () => reconnect({ maxRetries: 1.5 }), R, 'maxRetries'],
  ['reconnect', 'a string maxRetries', () => reconnect({ maxRetries: '3' as never }), I, 'maxRetries'],
  ['reconnect', 'a negative resetAfter', () => reconnect({ resetAfter: -1 }), R, 'resetAfter'],
  ['reconnect', 'a string resetAfter', () => reconnect({ resetAfter: 'never' as never }), I, 'resetAfter'],
  ['reconnect', 'a random that is not a function', () => reconnect({ random: 0.5 as never }), I, 'random'],
  ['reconnect', 'a scheduler that is not one', () => reconnect({ scheduler: {} as never }), I, 'scheduler'],

  // new Channel(socket, options), channel.write(data), channel.writeLine(text)
  ['Channel', 'an unknown encoding', (c) => new Channel(c.socket, { encoding: 'utf-16' as never }), I, 'encoding'],
  ['Channel', 'an unknown translation', (c) => new Channel(c.socket, { translation: 'cr' as never }), I, 'translation'],
  ['Channel', 'a zero maxLineLength', (c) => new Channel(c.socket, { maxLineLength: 0 }), R, 'maxLineLength'],
  ['Channel', 'a negative maxLineLength', (c) => new Channel(c.socket, { maxLineLength: -5 }), R, 'maxLineLength'],
  ['Channel.write', 'a number', (c) => c.channel.write(42 as never), I, 'data'],
  ['Channel.write', 'null', (c) => c.channel.write(null as never), I, 'data'],
  ['Channel.write', 'undefined', (c) => c.channel.write(undefined as never), I, 'data'],
  ['Channel.write', 'a plain object', (c) => c.channel.write({ length: 1 } as never), I, 'data'],
  ['Channel.write', 'an array of bytes', (c) => c.channel.write([104, 105] as never), I, 'data'],
  ['Channel.write', 'an ArrayBuffer', (c) => c.channel.write(new ArrayBuffer(2) as never), I, 'data'],
  ['Channel.writeLine', 'a number', (c) => c.channel.writeLine(42 as never), I, 'text'],
  ['Channel.writeLine', 'bytes', (c) => c.channel.writeLine(Uint8Array.of(104) as never), I, 'text'],
  ['Channel.writeLine', 'null', (c) => c.channel.writeLine(null as never), I, 'text'],

  // rxconnect/testing: createVirtualNetwork(scheduler, hosts, options?) and the address scripts
  ['createVirtualNetwork', 'a scheduler that is not one', () => createVirtualNetwork({} as never, HOSTS), I, 'scheduler'],
  ['createVirtualNetwork', 'no scheduler', () => createVirtualNetwork(null as never, HOSTS), I, 'scheduler'],
  ['createVirtualNetwork', 'hosts that are not an object', () => createVirtualNetwork(newScheduler(), 'h.test' as never), I, 'hosts'],
  ['createVirtualNetwork', 'null hosts', () => createVirtualNetwork(newScheduler(), null as never), I, 'hosts'],
  ['createVirtualNetwork', 'a host without addresses', () => createVirtualNetwork(newScheduler(), { 'a.test': {} as never }), I, 'hosts["a.test"].addresses'],
  ['createVirtualNetwork', 'a host that is not an object', () => createVirtualNetwork(newScheduler(), { 'a.test': 7 as never }), I, 'hosts["a.test"]'],
  ['createVirtualNetwork', 'an address that is no IP literal', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { 'b.test': hang() } } }), I, 'hosts["a.test"].addresses'],
  ['createVirtualNetwork', 'a script that is a string', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': 'connect' as never } } }), I, 'hosts["a.test"].addresses["192.0.2.1"]'],
  ['createVirtualNetwork', 'a script with an unknown outcome', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': { outcome: 'accept', after: 1 } as never } } }), I, 'hosts["a.test"].addresses["192.0.2.1"]'],
  ['createVirtualNetwork', 'a script with a negative delay', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': { outcome: 'refuse', after: -1 } } } }), R, 'hosts["a.test"].addresses["192.0.2.1"].after'],
  ['createVirtualNetwork', 'a script whose peer is no function', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': { outcome: 'connect', after: 1, peer: 'echo' as never } } } }), I, 'hosts["a.test"].addresses["192.0.2.1"].peer'],
  ['createVirtualNetwork', 'a script delay longer than a timer can wait', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': { outcome: 'connect', after: 2 ** 31 } } } }), R, 'hosts["a.test"].addresses["192.0.2.1"].after'],
  ['createVirtualNetwork', 'a lookup delay longer than a timer can wait', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: {}, lookup: { ipv6: { after: 2 ** 31 } } } }), R, 'hosts["a.test"].lookup.ipv6.after'],
  ['createVirtualNetwork', 'a lookup delay that is negative', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: {}, lookup: { ipv4: -5 } } }), R, 'hosts["a.test"].lookup.ipv4'],
  ['createVirtualNetwork', 'a lookup script that is a string', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: {}, lookup: { ipv6: 'fast' as never } } }), I, 'hosts["a.test"].lookup.ipv6'],
  ['createVirtualNetwork', 'a lookup error that is empty', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: {}, lookup: { ipv6: { after: 1, error: '' } } } }), I, 'hosts["a.test"].lookup.ipv6.error'],
  ['createVirtualNetwork', 'options that are not an object', () => createVirtualNetwork(newScheduler(), HOSTS, 'v6' as never), I, 'options'],
  ['createVirtualNetwork', 'a local address of the wrong family', () => createVirtualNetwork(newScheduler(), HOSTS, { localAddresses: { 4: '::1' } }), I, 'options.localAddresses'],
  ['createVirtualNetwork', 'a misspelt option', () => createVirtualNetwork(newScheduler(), HOSTS, { famlies: [4] } as never), I, 'options.famlies'],
  ['createVirtualNetwork', 'a host with a misspelt key', () => createVirtualNetwork(newScheduler(), { 'a.test': { adresses: {} } as never }), I, 'hosts["a.test"].adresses'],
  ['createVirtualNetwork', 'a script with a key its outcome lacks', () => createVirtualNetwork(newScheduler(), { 'a.test': { addresses: { '192.0.2.1': { outcome: 'hang', after: 5 } as never } } }), I, 'hosts["a.test"].addresses["192.0.2.1"].after'],
  ['createVirtualNetwork', 'an unknown family', () => createVirtualNetwork(newScheduler(), HOSTS, { families: [5 as never] }), I, 'options.families'],
  ['connectAfter', 'a negative delay', () => connectAfter(-1), R, 'ms'],
  ['connectAfter', 'a NaN delay', () => connectAfter(NaN), R, 'ms'],
  ['connectAfter', 'a string delay', () => connectAfter('10' as never), I, 'ms'],
  ['connectAfter', 'no delay', () => connectAfter(undefined as never), I, 'ms'],
  ['connectAfter', 'a peer that is no function', () => connectAfter(1, of('hi') as never), I, 'peer'],
  ['connectAfter', 'a delay longer than a timer can wait', () => connectAfter(2 ** 31), R, 'ms'],
  ['refuseAfter', 'an infinite delay', () => refuseAfter(Infinity), R, 'ms'],
  ['timeoutAfter', 'a delay longer than a timer can wait', () => timeoutAfter(3e9), R, 'ms'],
  ['timeoutAfter', 'a negative delay', () => timeoutAfter(-0.5), R, 'ms'],
  ['failAfter', 'an empty code', () => failAfter(1, ''), I, 'code'],
  ['failAfter', 'a code that is no string', () => failAfter(1, 113 as never), I, 'code'],
  ['failAfter', 'a negative delay', () => failAfter(-1, 'EHOSTUNREACH'), R, 'ms'],
];

describe('bad input at every public entry point', () => {
  it.each(cases)('%s: should throw at call time for %s, naming the argument, and open nothing', (_entry, _what, call, type, argument) => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, HOSTS);
    const { channel, socket } = recordingChannel();
    const before = tcpHandles();
    let thrown: unknown;
    try {
      const result = call({ network, channel, socket });
      // An operator that did not throw would get a source here; it must have thrown before.
      if (typeof result === 'function') (result as (s: unknown) => unknown)(source({ network, channel, socket }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(type);
    expect(thrown).toBeInstanceOf(type === I ? TypeError : RangeError);
    const error = thrown as InvalidArgumentError | ArgumentOutOfRangeError;
    expect(error.argument).toBe(argument);
    expect(error.message.startsWith(`${argument}: `)).toBe(true);
    expect(error.message.length).toBeGreaterThan(argument.length + 2);
    expect(error.code).toMatch(/^ERR_(INVALID_ARG_TYPE|INVALID_ARG_VALUE|OUT_OF_RANGE)$/);
    scheduler.flush();
    expect(network.sockets).toEqual([]);
    expect(network.lookups).toEqual([]);
    expect(network.listeners()).toEqual([]);
    expect(socket.written).toEqual([]);
    expect(tcpHandles()).toBe(before);
  });

  it('should still accept the good forms', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, HOSTS, { localAddresses: { 4: '192.0.2.99', 6: '2001:db8::99' }, families: [4] });
    const { channel } = recordingChannel();
    expect(() => listen$('echo', { transport: network.transport, myaddr: '127.0.0.1', backlog: 0, allowHalfOpen: true, noDelay: false, keepAlive: true, maxLineLength: Infinity })).not.toThrow();
    // Real material for the Node transport, which loads it at call time; the virtual one takes any shape.
    const certs = testCertificates();
    expect(() => listen$(0, { scheduler, tls: { ...certs.server, ca: [certs.ca], ALPNProtocols: ['h2'], requestCert: true, rejectUnauthorized: false, handshakeTimeout: 1 } })).not.toThrow();
    expect(() => listen$(0, { transport: network.transport, tls: { pfx: Uint8Array.of(1), passphrase: 'p', handshakeTimeout: MAX_DELAY, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } })).not.toThrow();
    expect(() => connectTimeout(0, scheduler)).not.toThrow();
    expect(() => connectTimeout(MAX_DELAY, scheduler)).not.toThrow();
    expect(() => reconnect({ initialDelay: MAX_DELAY, maxDelay: MAX_DELAY, resetAfter: 30 * 24 * 3600 * 1000 })).not.toThrow();
    expect(() => connectAfter(MAX_DELAY)).not.toThrow();
    expect(() => flushOnConnect(['a', Uint8Array.of(1)], { maxBytes: 0 })).not.toThrow();
    expect(() => flushOnConnect(Promise.resolve('a'))).not.toThrow();
    expect(() => snapshot(new BehaviorSubject<SocketSnapshot>({ connecting: false, error: '', sockname: null, peername: null, inFlight: [] }))).not.toThrow();
    expect(() => reconnect()).not.toThrow();
    expect(() => reconnect({ initialDelay: 0, maxDelay: 0, factor: 1, jitter: 1, maxRetries: Infinity, resetAfter: Infinity, random: () => 0.5, scheduler })).not.toThrow();
    expect(() => channel.write('')).not.toThrow();
    expect(() => channel.write(new Uint8Array(0))).not.toThrow();
    expect(() => channel.writeLine('')).not.toThrow();
    expect(() => createVirtualNetwork(scheduler, { 'a.test': { addresses: { '::1': connectAfter(0, () => throwError(() => new Error('x'))) }, lookup: { ipv4: 0, ipv6: { after: 3, error: 'EAI_AGAIN' } } } })).not.toThrow();
    expect(() => failAfter(0, 'EHOSTUNREACH')).not.toThrow();
  });

  it('should error, not throw, on an outgoing value of the wrong type (flushOnConnect checks values as they come)', () => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, HOSTS);
    let error: unknown;
    connectAsync$('h.test', 80, { transport: network.transport, scheduler })
      .pipe(flushOnConnect(of('ok', 42 as never)))
      .subscribe({ error: (e: unknown) => (error = e) });
    scheduler.flush();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe('outgoing$');
    expect(network.openSockets()).toEqual([]);
    expect(network.sockets.flatMap((s) => s.sent)).toEqual([]);
  });
});
