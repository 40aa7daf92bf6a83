import { Buffer } from 'node:buffer';
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

  it.each([
    ['a key', () => certs.server.key, 'tls.ca', /^tls\.ca: holds no certificate, only PEM blocks of PRIVATE KEY$/],
    ['text with no PEM block', () => 'not a certificate', 'tls.ca', /^tls\.ca: is not PEM: no "-----BEGIN CERTIFICATE-----" line \(a DER certificate needs `openssl x509 -inform der` first\)$/],
    ['a certificate block that does not parse', () => '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'tls.ca', /^tls\.ca: holds no certificate that parses \(/],
    ['a BEGIN line without its END line', () => certs.ca.replace('-----END CERTIFICATE-----', ''), 'tls.ca', /^tls\.ca: holds no certificate that parses \(a BEGIN line without its END line\)$/],
    ['a list whose second item is a key', () => [certs.ca, Buffer.from(certs.server.key)], 'tls.ca[1]', /^tls\.ca\[1\]: holds no certificate, only PEM blocks of PRIVATE KEY$/],
  ])('should make connectAsync$ and listen$ throw at call time for a ca that is %s, which OpenSSL would take silently', (_, ca, argument, message) => {
    for (const call of [() => connectAsync$('localhost', 443, { tls: { ca: ca() } }), () => listen$(0, { tls: { key: certs.server.key, cert: certs.server.cert, ca: ca(), requestCert: true } })]) {
      const error = thrown(call);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ argument, code: 'ERR_INVALID_ARG_VALUE' });
      expect((error as Error).message).toMatch(message);
    }
  });

  it('should take a ca that holds a certificate among other things: comments, other blocks, a combined PEM, CRLF lines', () => {
    const crl = '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n';
    for (const ca of [
      `# test CA\n${certs.ca}\nsome comment\n${certs.ca}`,
      [certs.ca, Buffer.from(certs.ca)],
      `${certs.ca}${certs.server.key}`,
      `${crl}${certs.ca}`,
      certs.ca.replace(/\n/g, '\r\n'),
    ]) {
      expect(() => connectAsync$('localhost', 443, { tls: { ca } })).not.toThrow();
    }
  });

  it('should point a top-level handshakeTimeout of listen$ to the tls option', () => {
    const error = thrown(() => listen$(0, { handshakeTimeout: 100 } as never));
    expect(error).toMatchObject({ argument: 'options.handshakeTimeout' });
    expect((error as Error).message).toBe('options.handshakeTimeout: unknown option; handshakeTimeout is a TLS setting: tls: { key, cert, handshakeTimeout }');
  });
});
