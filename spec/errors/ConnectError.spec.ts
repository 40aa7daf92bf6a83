import { clientHandshakeFailure } from '../../src/errors/codes.js';
import { ConnectError } from '../../src/index.js';

const attempt = (code: string, address: string, duration: number): ConnectError =>
  ConnectError.forAttempt({ address, family: address.includes(':') ? 6 : 4, port: 8080 }, duration, Object.assign(new Error(`connect ${code}`), { code }));

describe('ConnectError', () => {
  it('should name each attempt in the message, with Tcl texts', () => {
    const e = ConnectError.aggregate([attempt('ECONNREFUSED', '::1', 1), attempt('ECONNREFUSED', '127.0.0.1', 2)], { code: 'ENOTFOUND' });
    expect(e.message).toBe('connection refused (::1 port 8080: connection refused after 1 ms; 127.0.0.1 port 8080: connection refused after 2 ms)');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.attempts).toHaveLength(2);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConnectError');
  });

  it.each([
    [['ECONNREFUSED', 'EADDRINUSE'], 'EADDRINUSE'],
    [['EACCES', 'ECONNREFUSED'], 'EACCES'],
    [['ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH'], 'ECONNREFUSED'],
    [['EHOSTUNREACH', 'ETIMEDOUT'], 'ETIMEDOUT'],
    [['ENETUNREACH', 'EHOSTUNREACH'], 'EHOSTUNREACH'],
    [['ENETUNREACH', 'ENOTFOUND'], 'ENETUNREACH'],
  ])('should pick the code that got furthest from %j', (codes, expected) => {
    expect(ConnectError.aggregate(codes.map((c, i) => attempt(c, `192.0.2.${i + 1}`, i)), { code: 'ENOTFOUND' }).code).toBe(expected);
  });

  it('should break a tie in favour of the latest attempt', () => {
    const e = ConnectError.aggregate([attempt('ECONNREFUSED', '::1', 1), attempt('ECONNREFUSED', '127.0.0.1', 2)], { code: 'ENOTFOUND' });
    expect(e.address).toBe('127.0.0.1');
  });

  it('should keep the cause and never have an empty message', () => {
    const cause = Object.assign(new Error(''), { code: 'EWEIRD' });
    const e = ConnectError.forAttempt({ address: '::1', family: 6, port: 1 }, 3, cause);
    expect(e.cause).toBe(cause);
    expect(e.code).toBe('EWEIRD');
    expect(e.message).toBe('EWEIRD (::1 port 1 after 3 ms)');
    expect(new ConnectError({ code: 'ETIMEDOUT' }).message).toBe('connection timed out');
    expect(ConnectError.forAttempt({ address: '::1', family: 6, port: 1 }, 0, 'not an error').code).toBe('EUNKNOWN');
  });
});

describe("a client's failed TLS handshake (listen$'s handshakeFailed)", () => {
  const client = { address: '192.0.2.7', port: 50312 };
  const nodeError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`node says ${code}`), { code, ...extra });

  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', nodeError('DEPTH_ZERO_SELF_SIGNED_CERT'), 'client certificate is self-signed (192.0.2.7 port 50312 after 4 ms)'],
    ['ERR_SSL_HTTP_REQUEST', nodeError('ERR_SSL_HTTP_REQUEST'), 'TLS handshake failed: the peer sent plain HTTP (192.0.2.7 port 50312 after 4 ms)'],
    ['ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE', nodeError('ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'), 'TLS handshake failed: the client sent no certificate (192.0.2.7 port 50312 after 4 ms)'],
    ['ETIMEDOUT', nodeError('ETIMEDOUT'), 'connection timed out during the TLS handshake (192.0.2.7 port 50312 after 4 ms)'],
    ['ERR_SSL_BAD_RECORD', nodeError('ERR_SSL_BAD_RECORD', { reason: 'bad record' }), 'TLS handshake failed: bad record (192.0.2.7 port 50312 after 4 ms)'],
  ])('should say %s about the client, with its address, port and duration, and keep the cause', (code, cause, message) => {
    const error = new ConnectError(clientHandshakeFailure(cause, client, 4.2));
    expect(error).toMatchObject({ code, address: '192.0.2.7', port: 50312, duration: 4.2, handshake: true, message, cause });
  });
});
