import { ArgumentOutOfRangeError, connectAsync$, InvalidArgumentError } from '../../src/index.js';
import type { ConnectOptions } from '../../src/index.js';
import { createVirtualNetwork } from '../../src/testing/index.js';
import { MAX_DELAY } from '../../src/validation/validate.js';
import { newScheduler } from '../helpers/events.js';
import { tcpHandles } from '../helpers/loopback.js';

type Case = [what: string, host: unknown, port: unknown, options: Record<string, unknown> | undefined, type: typeof InvalidArgumentError | typeof ArgumentOutOfRangeError, argument: string];

const cases: Case[] = [
  ['an empty host', '', 80, undefined, InvalidArgumentError, 'host'],
  ['a host that is not a string', 42, 80, undefined, InvalidArgumentError, 'host'],
  ['a malformed host', 'bad host!', 80, undefined, InvalidArgumentError, 'host'],
  ['a malformed IPv4 literal', '999.1.2.3', 80, undefined, InvalidArgumentError, 'host'],
  ['port 0', 'localhost', 0, undefined, ArgumentOutOfRangeError, 'port'],
  ['a port above 65535', 'localhost', 65536, undefined, ArgumentOutOfRangeError, 'port'],
  ['a negative port', 'localhost', -1, undefined, ArgumentOutOfRangeError, 'port'],
  ['a fractional port', 'localhost', 80.5, undefined, ArgumentOutOfRangeError, 'port'],
  ['a numeric string out of range', 'localhost', '70000', undefined, ArgumentOutOfRangeError, 'port'],
  ['an unknown service', 'localhost', 'no-such-service', undefined, InvalidArgumentError, 'port'],
  ['an empty port string', 'localhost', '', undefined, InvalidArgumentError, 'port'],
  ['a port of the wrong type', 'localhost', null, undefined, InvalidArgumentError, 'port'],
  ['options that are not an object', 'localhost', 80, 'fast' as unknown as Record<string, unknown>, InvalidArgumentError, 'options'],
  ['a misspelt option', 'localhost', 80, { attemptTimout: 100 }, InvalidArgumentError, 'options.attemptTimout'],
  ["Node's localAddress", 'localhost', 80, { localAddress: '127.0.0.1' }, InvalidArgumentError, 'options.localAddress'],
  ["connect()'s timeout", 'localhost', 80, { timeout: 100 }, InvalidArgumentError, 'options.timeout'],
  ['an unknown strategy', 'localhost', 80, { strategy: 'fastest' }, InvalidArgumentError, 'strategy'],
  ['a negative attemptDelay', 'localhost', 80, { attemptDelay: -1 }, ArgumentOutOfRangeError, 'attemptDelay'],
  ['a NaN attemptDelay', 'localhost', 80, { attemptDelay: NaN }, ArgumentOutOfRangeError, 'attemptDelay'],
  ['an infinite resolutionDelay', 'localhost', 80, { resolutionDelay: Infinity }, ArgumentOutOfRangeError, 'resolutionDelay'],
  ['a string resolutionDelay', 'localhost', 80, { resolutionDelay: '50' }, InvalidArgumentError, 'resolutionDelay'],
  ['a negative attemptTimeout', 'localhost', 80, { attemptTimeout: -5 }, ArgumentOutOfRangeError, 'attemptTimeout'],
  ['a zero attemptTimeout', 'localhost', 80, { attemptTimeout: 0 }, ArgumentOutOfRangeError, 'attemptTimeout'],
  ['an attemptTimeout longer than a timer can wait (2^31 ms)', 'localhost', 80, { attemptTimeout: 2 ** 31 }, ArgumentOutOfRangeError, 'attemptTimeout'],
  ['an attemptDelay longer than a timer can wait, though it would be lowered to 2000', 'localhost', 80, { attemptDelay: 2 ** 31 }, ArgumentOutOfRangeError, 'attemptDelay'],
  ['a resolutionDelay longer than a timer can wait', 'localhost', 80, { resolutionDelay: 3e9 }, ArgumentOutOfRangeError, 'resolutionDelay'],
  ['a zero firstFamilyCount', 'localhost', 80, { firstFamilyCount: 0 }, ArgumentOutOfRangeError, 'firstFamilyCount'],
  ['a bad family', 'localhost', 80, { family: 5 }, InvalidArgumentError, 'family'],
  ['a family that contradicts the literal', '::1', 80, { family: 4 }, InvalidArgumentError, 'family'],
  ['an empty myaddr', 'localhost', 80, { myaddr: '' }, InvalidArgumentError, 'myaddr'],
  ['a malformed myaddr', 'localhost', 80, { myaddr: '1.2.3.4.5' }, InvalidArgumentError, 'myaddr'],
  ['a myport out of range', 'localhost', 80, { myport: 70000 }, ArgumentOutOfRangeError, 'myport'],
  ['an unknown myport service', 'localhost', 80, { myport: 'nope-nope' }, InvalidArgumentError, 'myport'],
  ['a lookup that is not a function', 'localhost', 80, { lookup: 'dns' }, InvalidArgumentError, 'lookup'],
  ['a transport that is not one', 'localhost', 80, { transport: {} }, InvalidArgumentError, 'transport'],
  ['a scheduler that is not one', 'localhost', 80, { scheduler: {} }, InvalidArgumentError, 'scheduler'],
  ['an unknown encoding', 'localhost', 80, { encoding: 'utf-16' }, InvalidArgumentError, 'encoding'],
  ['an unknown translation', 'localhost', 80, { translation: 'cr' }, InvalidArgumentError, 'translation'],
  ['a zero maxLineLength', 'localhost', 80, { maxLineLength: 0 }, ArgumentOutOfRangeError, 'maxLineLength'],
  ['a non-boolean noDelay', 'localhost', 80, { noDelay: 'yes' }, InvalidArgumentError, 'noDelay'],
  ['tls that is not an object or a boolean', 'localhost', 443, { tls: 'yes' }, InvalidArgumentError, 'tls'],
  ["a server's tls option (handshakeTimeout)", 'localhost', 443, { tls: { handshakeTimeout: 100 } }, InvalidArgumentError, 'tls.handshakeTimeout'],
  ['an IP literal as servername', 'localhost', 443, { tls: { servername: '127.0.0.1' } }, InvalidArgumentError, 'tls.servername'],
  ['a non-boolean rejectUnauthorized', 'localhost', 443, { tls: { rejectUnauthorized: 'no' } }, InvalidArgumentError, 'tls.rejectUnauthorized'],
  ['a key object with a passphrase that is not a string', 'localhost', 443, { tls: { key: [{ pem: 'k', passphrase: 42 }] } }, InvalidArgumentError, 'tls.key[0].passphrase'],
  ['a key object with a misspelt passphrase', 'localhost', 443, { tls: { key: [{ pem: 'k', passprase: 'p' }] } }, InvalidArgumentError, 'tls.key[0].passprase'],
];

describe('connectAsync$ bad input', () => {
  it.each(cases)('should throw at call time for %s, naming the argument, and open nothing', (_what, host, port, options, type, argument) => {
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, {});
    const before = tcpHandles();
    const opts = options === undefined ? { transport: network.transport } : typeof options === 'object' ? { transport: network.transport, ...options } : options;
    let thrown: unknown;
    try {
      connectAsync$(host as string, port as number, opts);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(type);
    const error = thrown as InvalidArgumentError | ArgumentOutOfRangeError;
    expect(error.argument).toBe(argument);
    expect(error.message.startsWith(`${argument}: `)).toBe(true);
    expect(error.message.length).toBeGreaterThan(argument.length + 2);
    expect(typeof error.code).toBe('string');
    scheduler.flush();
    expect(network.sockets).toEqual([]);
    expect(network.lookups).toEqual([]);
    expect(tcpHandles()).toBe(before);
  });

  it('should accept the good forms of each argument', () => {
    const network = createVirtualNetwork(newScheduler(), {});
    const ok: [string, number | string, ConnectOptions][] = [
      ['localhost', 80, {}],
      ['[::1]', '8080', {}],
      ['127.0.0.1', 'http', { family: 4 }],
      ['example.test.', 443, { strategy: 'sequential', attemptDelay: 0, resolutionDelay: 0, attemptTimeout: 1, firstFamilyCount: 2 }],
      ['host_with_underscore.test', 1, { myaddr: '::1', myport: 0, encoding: 'latin1', translation: 'lf', noDelay: true, keepAlive: false }],
      ['localhost', 80, { attemptTimeout: MAX_DELAY, attemptDelay: MAX_DELAY, resolutionDelay: MAX_DELAY }],
    ];
    for (const [host, port, options] of ok) expect(() => connectAsync$(host, port, { transport: network.transport, ...options })).not.toThrow();
  });
});
