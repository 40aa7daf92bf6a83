import { connectAsync$, InvalidArgumentError, listen$ } from '../../src/index.js';
import { testCertificates } from '../helpers/certs.js';
import { thrownBy as thrown } from '../helpers/thrown.js';

describe('TLS key material that OpenSSL cannot load', () => {
  const certs = testCertificates();

  it.each([
    ['a certificate given as the key', { key: certs.server.cert, cert: certs.server.cert }, 'tls.key', /^tls\.key: is not a private key OpenSSL can read \(unsupported\)$/],
    ['a key given as the certificate', { key: certs.server.key, cert: certs.server.key }, 'tls.cert', /^tls\.cert: is not a PEM certificate \(no start line\)$/],
    ['a key that is not the certificate\'s', { key: certs.server.key, cert: certs.ca }, 'tls.key', /^tls\.key: does not belong to tls\.cert \(key values mismatch\)$/],
  ])('should make listen$ throw at call time for %s, naming the option, with OpenSSL\'s error as cause', (_, tls, argument, message) => {
    const error = thrown(() => listen$(0, { tls }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument, code: 'ERR_INVALID_ARG_VALUE' });
    expect((error as Error).message).toMatch(message);
    expect(((error as Error).cause as { code?: string }).code).toMatch(/^ERR_OSSL_/);
  });

  it('should make connectAsync$ throw at call time for a client certificate whose key does not belong to it', () => {
    const error = thrown(() => connectAsync$('localhost', 443, { tls: { key: certs.client.key, cert: certs.ca } }));
    expect(error).toMatchObject({ argument: 'tls.key', name: 'InvalidArgumentError' });
  });

  it('should point a top-level handshakeTimeout of listen$ to the tls option', () => {
    const error = thrown(() => listen$(0, { handshakeTimeout: 100 } as never));
    expect(error).toMatchObject({ argument: 'options.handshakeTimeout' });
    expect((error as Error).message).toBe('options.handshakeTimeout: unknown option; handshakeTimeout is a TLS setting: tls: { key, cert, handshakeTimeout }');
  });
});
