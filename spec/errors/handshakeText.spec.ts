import { ConnectError } from '../../src/index.js';
import { errorText, handshakeText } from '../../src/errors/codes.js';
import { handshakeFailure } from '../../src/connect/failure.js';

const nodeError = (code: string, message: string, extra: object = {}): Error => Object.assign(new Error(message), { code }, extra);

describe('handshakeText', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'certificate for localhost is self-signed'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'certificate for localhost has expired'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'certificate for localhost is signed by an unknown authority'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'certificate for localhost has a self-signed certificate in its chain that is not trusted'],
    ['ECONNRESET', 'read ECONNRESET', 'connection reset by peer during the TLS handshake'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'TLS handshake failed: the peer does not speak TLS'],
  ])('should say %s as a person would', (code, message, text) => {
    expect(handshakeText(nodeError(code, message), 'certificate for localhost')).toBe(text);
  });

  it('should name the certificate\'s own names when it is for another host', () => {
    const error = nodeError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", { cert: { subjectaltname: 'DNS:other.example' } });
    expect(handshakeText(error, 'certificate for localhost')).toBe('certificate for localhost does not match: it names DNS:other.example');
    expect(handshakeText(nodeError('ERR_TLS_CERT_ALTNAME_INVALID', 'x'), 'certificate for localhost')).toBe('certificate for localhost does not match the name');
  });

  it("should fall back to OpenSSL's reason, then to the message, then to the code, never to an empty text", () => {
    expect(handshakeText(nodeError('ERR_SSL_SOMETHING_NEW', 'long OpenSSL text', { reason: 'something new' }), 'x')).toBe('TLS handshake failed: something new');
    expect(handshakeText(nodeError('ERR_SSL_SOMETHING_NEW', 'long OpenSSL text'), 'x')).toBe('TLS handshake failed: long OpenSSL text');
    expect(handshakeText(nodeError('ERR_SSL_SOMETHING_NEW', ''), 'x')).toBe('TLS handshake failed: ERR_SSL_SOMETHING_NEW');
  });
});

describe('a failed handshake as a ConnectError', () => {
  const address = { address: '127.0.0.1', family: 4 as const, port: 8443 };
  const cause = nodeError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate');

  it('should lead with its text, keep Node\'s code and error, and say where it failed', () => {
    const own = handshakeFailure(address, 12, cause, 'localhost');
    expect(own.message).toBe('certificate for localhost is self-signed (127.0.0.1 port 8443 after 12 ms)');
    expect(own).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', handshake: true, text: 'certificate for localhost is self-signed', address: '127.0.0.1', port: 8443 });
    expect(own.cause).toBe(cause);
    expect(errorText(own)).toBe('certificate for localhost is self-signed');
  });

  it('should lead a whole connect whose earlier attempts failed otherwise', () => {
    const refused = ConnectError.forAttempt({ address: '::1', family: 6, port: 8443 }, 1, nodeError('ECONNREFUSED', 'connect ECONNREFUSED'));
    const whole = ConnectError.aggregate([refused, handshakeFailure(address, 12, cause, 'localhost')], { code: 'ENOTFOUND' });
    expect(whole.message).toBe('certificate for localhost is self-signed (::1 port 8443: connection refused after 1 ms; 127.0.0.1 port 8443: TLS handshake failed after 12 ms)');
    expect(whole).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', handshake: true, address: '127.0.0.1' });
    expect(refused.handshake).toBe(false);
  });
});
