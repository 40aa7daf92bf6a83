import { ArgumentOutOfRangeError, InvalidArgumentError } from '../../src/index.js';
import { connector, httpAgent, httpsAgent } from '../../src/http/index.js';
import { connectorRequest, defaultPort } from '../../src/http/ConnectorRequest.js';
import { parseHttpConnectOptions } from '../../src/http/HttpConnectOptions.js';
import { thrownBy as thrown } from '../helpers/thrown.js';

const base = parseHttpConnectOptions(undefined, 'options', 10_000);

describe('connectorRequest: undici connect options mapped onto a connect', () => {
  it("should map port '' to the protocol's default, and a port string to its number", () => {
    expect(connectorRequest({ hostname: 'example.com', protocol: 'http:', port: '' }, base).port).toBe(80);
    expect(connectorRequest({ hostname: 'example.com', protocol: 'https:', port: '' }, base).port).toBe(443);
    expect(connectorRequest({ hostname: 'example.com', protocol: 'https:', port: '8443' }, base).port).toBe(8443);
    expect(defaultPort('http:')).toBe(80);
    expect(() => defaultPort('ftp:')).toThrow(InvalidArgumentError);
  });

  it('should unbracket an IPv6 host, bind localAddress, and leave TLS out of http:', () => {
    const plain = connectorRequest({ hostname: '[::1]', protocol: 'http:', port: '8080', localAddress: '::1' }, base);
    expect(plain).toMatchObject({ host: '::1', port: 8080, options: { myaddr: '::1', tls: undefined, timeout: 10_000, noDelay: true, keepAlive: true } });
    expect(connectorRequest({ hostname: 'example.com', protocol: 'http:', port: '', localAddress: null }, base).options.myaddr).toBeUndefined();
  });

  it('should use TLS for https:, with servername (null meaning the host name) and the ALPN allowH2 asks for', () => {
    const named = connectorRequest({ hostname: '127.0.0.1', protocol: 'https:', port: '', servername: 'localhost', allowH2: true }, base);
    expect(named.options.tls).toEqual({ servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] });
    const defaulted = connectorRequest({ hostname: 'example.com', protocol: 'https:', port: '', servername: null }, base);
    expect(defaulted.options.tls).toEqual({ ALPNProtocols: ['http/1.1'] });
    // SNI carries no IP literal: an IP servername means none.
    expect(connectorRequest({ hostname: '::1', protocol: 'https:', port: '', servername: '::1' }, base).options.tls).toEqual({ ALPNProtocols: ['http/1.1'] });
    const withDefaults = parseHttpConnectOptions({ tls: { rejectUnauthorized: false, servername: 'fallback.example' } }, 'options', 10_000);
    expect(connectorRequest({ hostname: '127.0.0.1', protocol: 'https:', port: '1' }, withDefaults).options.tls).toEqual({ rejectUnauthorized: false, servername: 'fallback.example', ALPNProtocols: ['http/1.1'] });
  });

  it('should refuse a tunnel that is not a socket, a Unix socket and an unknown protocol with errors naming them', () => {
    expect(thrown(() => connectorRequest({ hostname: 'a.example', protocol: 'https:', port: '', httpSocket: {} }, base))).toMatchObject({ argument: 'httpSocket' });
    expect(thrown(() => connectorRequest({ hostname: 'a.example', protocol: 'http:', port: '', socketPath: '/tmp/s' }, base))).toMatchObject({ argument: 'socketPath' });
    expect(thrown(() => connectorRequest({ hostname: 'a.example', protocol: 'ftp:', port: '' }, base))).toMatchObject({ argument: 'protocol' });
    expect(thrown(() => connectorRequest({ hostname: 'a.example', protocol: 'http:', port: '70000' }, base))).toBeInstanceOf(ArgumentOutOfRangeError);
  });
});

describe('connector, httpAgent and httpsAgent options', () => {
  it('should validate the connect options when called, naming the bad one', () => {
    expect(thrown(() => connector({ attemptTimout: 5 } as never))).toMatchObject({ argument: 'options.attemptTimout' });
    expect((thrown(() => connector({ attemptTimout: 5 } as never)) as Error).message).toContain('did you mean "attemptTimeout"?');
    expect((thrown(() => connector({ localAddress: '::1' } as never)) as Error).message).toContain('myaddr');
    expect(thrown(() => connector({ timeout: -1 }))).toBeInstanceOf(ArgumentOutOfRangeError);
    expect(thrown(() => connector({ attemptDelay: 'soon' } as never))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => connector({ tls: { servername: '127.0.0.1' } }))).toMatchObject({ argument: 'tls.servername' });
    expect(typeof connector()).toBe('function');
  });

  it('should reject unknown Agent options, and connect options outside connect', () => {
    expect(thrown(() => httpAgent({ keepAlvie: true } as never))).toMatchObject({ argument: 'options.keepAlvie' });
    expect((thrown(() => httpsAgent({ ca: 'x' } as never)) as Error).message).toContain('{ connect: { tls: { ca } } }');
    expect(thrown(() => httpAgent({ connect: { strategy: 'fast' } } as never))).toMatchObject({ argument: 'strategy' });
    const agent = httpAgent({ keepAlive: true, maxSockets: 4, connect: { attemptDelay: 100 } });
    expect(agent.maxSockets).toBe(4);
    agent.destroy();
  });
});
