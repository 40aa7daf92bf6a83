// Certificates for the specs and benchmarks, made at run time: a throwaway CA and the leaves it signs, so that
// no key is committed and none expires in the repository. Types: testCertificates.d.mts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

const HOUR = 3600_000;

function keyPair() {
  // Node's key generation, not forge's pure-JavaScript one: a tenth of the time.
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(pem);
  return { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e), pem };
}

/**
 * One certificate: a CA (`ca: true`) or a leaf for a server or a client, signed by `issuer` (itself when its
 * `cert` is undefined).
 */
function certificate(subjectKey, spec, issuer) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = subjectKey;
  // A positive serial number: the top bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subject = [
    { name: 'commonName', value: spec.commonName },
    { name: 'organizationName', value: 'rxconnect tests' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(issuer.cert === undefined ? subject : issuer.cert.subject.attributes);
  if (spec.ca === true) {
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
  } else {
    const altNames = [...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(spec.ips ?? []).map((ip) => ({ type: 7, ip }))];
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: spec.usage === 'server', clientAuth: spec.usage === 'client' },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    ]);
  }
  cert.sign(issuer.key, forge.md.sha256.create());
  return cert;
}

let made;

/** The run's certificates, made on first use (a few hundred ms) and shared by everything in the process. */
export function testCertificates() {
  if (made !== undefined) return made;
  const now = Date.now();
  const current = { notBefore: new Date(now - HOUR), notAfter: new Date(now + 24 * HOUR) };
  const caKeys = keyPair();
  const ca = certificate(caKeys.publicKey, { ca: true, commonName: 'rxconnect test CA', ...current }, { cert: undefined, key: caKeys.privateKey });
  const leafKeys = keyPair();
  const signedByCa = { cert: ca, key: caKeys.privateKey };
  const pem = (cert) => ({ key: leafKeys.pem, cert: forge.pki.certificateToPem(cert) });
  const localhost = { commonName: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1', '::1'], usage: 'server' };
  const expiredDates = { notBefore: new Date(now - 48 * HOUR), notAfter: new Date(now - 24 * HOUR) };
  made = Object.freeze({
    ca: forge.pki.certificateToPem(ca),
    server: pem(certificate(leafKeys.publicKey, { ...localhost, ...current }, signedByCa)),
    wrongName: pem(certificate(leafKeys.publicKey, { commonName: 'other.example', dnsNames: ['other.example'], usage: 'server', ...current }, signedByCa)),
    localhostOnly: pem(certificate(leafKeys.publicKey, { commonName: 'localhost', dnsNames: ['localhost'], usage: 'server', ...current }, signedByCa)),
    expired: pem(certificate(leafKeys.publicKey, { ...localhost, ...expiredDates }, signedByCa)),
    selfSigned: pem(certificate(leafKeys.publicKey, { ...localhost, ...current }, { cert: undefined, key: leafKeys.privateKey })),
    client: pem(certificate(leafKeys.publicKey, { commonName: 'rxconnect test client', usage: 'client', ...current }, signedByCa)),
    selfSignedClient: pem(certificate(leafKeys.publicKey, { commonName: 'rxconnect test client', usage: 'client', ...current }, { cert: undefined, key: leafKeys.privateKey })),
  });
  return made;
}
