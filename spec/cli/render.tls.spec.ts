import { palette, stripAnsi } from '../../src/cli/colors.js';
import { describeSettings } from '../../src/cli/connect.js';
import { jsonCertificate, targetReport, toJsonEvent } from '../../src/cli/report.js';
import type { JsonCertificate, JsonEvent } from '../../src/cli/report.js';
import { MARKS, renderTimeline } from '../../src/cli/timeline.js';
import { commonName, tlsDetails } from '../../src/cli/tlsDetails.js';
import type { Channel, TlsCertificate, TlsInfo } from '../../src/index.js';

const plain = palette(false);
const v4 = { address: '127.0.0.1', family: 4 as const, port: 8443 };
const target = { text: 'localhost:8443', host: 'localhost', port: 8443 };
const tls: TlsInfo = { protocol: 'TLSv1.3', alpnProtocol: 'h2', authorized: true, cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' } };
const certificate: JsonCertificate = {
  subject: { CN: 'localhost', O: 'rxconnect tests' },
  issuer: { CN: 'rxconnect test CA', O: 'rxconnect tests' },
  subjectaltname: 'DNS:localhost, IP Address:127.0.0.1',
  valid_from: 'Dec  2 14:00:00 2026 GMT',
  valid_to: 'Dec  3 15:00:00 2026 GMT',
  fingerprint256: 'AB:CD',
  serialNumber: '01AB',
};

/** TCP connects in 3 ms, the handshake takes 9 more. */
const secure: JsonEvent[] = [
  { type: 'resolved', elapsed: 0, host: 'localhost', port: 8443, family: 4, addresses: [v4] },
  { type: 'attempt', elapsed: 0, attempt: 0, address: v4 },
  { type: 'handshake', elapsed: 3, attempt: 0, address: v4 },
  { type: 'connected', elapsed: 12, attempt: 0, address: v4, tls, certificate },
  { type: 'closed', elapsed: 13 },
];

const selfSigned: JsonEvent[] = [
  ...secure.slice(0, 3),
  { type: 'attemptFailed', elapsed: 8, attempt: 0, address: v4, error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'certificate for localhost is self-signed (127.0.0.1 port 8443: TLS handshake failed after 5 ms)' } },
  { type: 'failed', elapsed: 8, error: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'certificate for localhost is self-signed (127.0.0.1 port 8443: TLS handshake failed after 5 ms)' } },
];

describe('renderTimeline with TLS', () => {
  const lines = (events: JsonEvent[], width = 37): string[] => renderTimeline(targetReport(target, events), { palette: plain, width, note: 'TLS' });

  it('draws the TCP attempt up to the handshake event and the handshake as its own bar, then what TLS agreed on', () => {
    const out = lines(secure);
    expect(out[2]).toMatch(/^ {2}#0 127\.0\.0\.1 +├─+● +0 ms → 3 ms {2}TCP connected$/);
    expect(out[3]).toMatch(/^ {5}TLS handshake +╞═+● {2}3 ms → 12 ms {2}TLS connected$/);
    expect(out[5]).toBe('  ✔ connected to 127.0.0.1 port 8443 in 12 ms (TLS handshake 9 ms)');
    expect(out.slice(6)).toEqual([
      '    protocol  TLSv1.3',
      '    ALPN      h2',
      '    cipher    TLS_AES_256_GCM_SHA384',
      '    verified  yes',
      '    subject   localhost',
      '    issuer    rxconnect test CA',
      '    expires   Dec  3 15:00:00 2026 GMT',
    ]);
  });

  it('puts the TCP bar and the handshake bar where their times fall, end to end', () => {
    const out = lines(secure);
    // Indent 2, the widest label ('   TLS handshake', 16), two spaces: the bars start at column 20; 12 ms fill 37 columns.
    const bar = (row: number): string => [...out[row]!].slice(20, 20 + 37).join('');
    expect(bar(2).trimEnd()).toBe(`${MARKS.start}${MARKS.run.repeat(8)}${MARKS.connected}`);
    expect(bar(3).indexOf(MARKS.tlsStart)).toBe(9);
    expect(bar(3).trimEnd()).toBe(`${' '.repeat(9)}${MARKS.tlsStart}${MARKS.tlsRun.repeat(26)}${MARKS.connected}`);
  });

  it('ends the handshake bar with the readable error when the handshake fails, TCP still shown as connected', () => {
    const out = lines(selfSigned);
    expect(out[2]).toMatch(/├─+● +0 ms → 3 ms {2}TCP connected$/);
    expect(out[3]).toMatch(/TLS handshake +╞═+✗ +3 ms → 8 ms {2}certificate for localhost is self-signed$/);
    expect(out.at(-1)).toBe(
      '  ✘ failed after 8 ms: DEPTH_ZERO_SELF_SIGNED_CERT certificate for localhost is self-signed (127.0.0.1 port 8443: TLS handshake failed after 5 ms)',
    );
  });

  it('names the attempt count with the handshake time when the winner was not the first attempt', () => {
    const v6 = { ...v4, address: '::1', family: 6 as const };
    const events: JsonEvent[] = [
      { type: 'resolved', elapsed: 0, host: 'localhost', port: 8443, family: 0, addresses: [v6, v4] },
      { type: 'attempt', elapsed: 0, attempt: 0, address: v6 },
      { type: 'attemptFailed', elapsed: 1, attempt: 0, address: v6, error: { code: 'ECONNREFUSED', message: 'connection refused' } },
      { type: 'attempt', elapsed: 1, attempt: 1, address: v4 },
      { type: 'handshake', elapsed: 2, attempt: 1, address: v4 },
      { type: 'connected', elapsed: 10, attempt: 1, address: v4, tls, certificate },
    ];
    const out = lines(events);
    expect(out.filter((l) => l.includes(MARKS.tlsStart))).toHaveLength(1);
    expect(out).toContain('  ✔ connected to 127.0.0.1 port 8443 in 10 ms (attempt #1 of 2, TLS handshake 8 ms)');
  });

  it('says when the certificate did not verify and was accepted, and when no ALPN protocol was agreed', () => {
    const insecure: JsonEvent[] = secure.map((e) =>
      e.type === 'connected' ? { ...e, tls: { ...tls, alpnProtocol: null, authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' } } : e,
    );
    const out = lines(insecure);
    expect(out).toContain('    ALPN      none');
    expect(out).toContain('    verified  no: DEPTH_ZERO_SELF_SIGNED_CERT (accepted: --insecure)');
  });

  it('fits a terminal of `columns`: a row\'s outcome is cut with …, the failure line broken at spaces; a pipe gets them whole', () => {
    const report = targetReport(target, selfSigned);
    const narrow = renderTimeline(report, { palette: palette(true), width: 16, columns: 80 });
    expect(Math.max(...narrow.map((l) => [...stripAnsi(l)].length))).toBeLessThanOrEqual(80);
    expect(stripAnsi(narrow[3]!)).toMatch(/3 ms → 8 ms {2}certificate for .*…$/);
    expect(narrow.slice(-2).map(stripAnsi)).toEqual([
      '  ✘ failed after 8 ms: DEPTH_ZERO_SELF_SIGNED_CERT certificate for localhost is',
      '    self-signed (127.0.0.1 port 8443: TLS handshake failed after 5 ms)',
    ]);
    const piped = renderTimeline(report, { palette: plain, width: 16 });
    expect(piped[3]).toMatch(/certificate for localhost is self-signed$/);
    expect(piped.at(-1)).toMatch(/^ {2}✘ failed after 8 ms: .*failed after 5 ms\)$/);
  });

  it('colours without changing the text', () => {
    const report = targetReport(target, secure);
    expect(stripAnsi(renderTimeline(report, { palette: palette(true) }).join('\n'))).toBe(renderTimeline(report, { palette: plain }).join('\n'));
  });
});

describe('TLS details', () => {
  it('show a name by its CN, else by every field, else as empty', () => {
    expect(commonName({ CN: 'localhost', O: 'x' })).toBe('localhost');
    expect(commonName({ CN: ['a.example', 'b.example'] })).toBe('a.example, b.example');
    expect(commonName({ O: 'Example', C: 'DE' })).toBe('O=Example, C=DE');
    expect(commonName({})).toBe('(empty)');
  });

  it('are empty for plain TCP and say so when the server sent no certificate', () => {
    expect(tlsDetails({ type: 'connected', elapsed: 1, attempt: 0, address: v4 }, plain)).toEqual([]);
    const rows = tlsDetails({ type: 'connected', elapsed: 1, attempt: 0, address: v4, tls, certificate: null }, plain);
    expect(rows.at(-1)).toEqual({ label: 'certificate', value: 'none sent' });
  });

  it('escape control characters from the certificate', () => {
    const evil = { ...certificate, subject: { CN: 'local\u001b]0;owned\u0007host' }, issuer: { O: 'CA\r\u009b2J' }, valid_to: 'soon\u001b[2J' };
    const text = tlsDetails({ type: 'connected', elapsed: 1, attempt: 0, address: v4, tls: { ...tls, alpnProtocol: 'h2\u0000' }, certificate: evil }, plain)
      .map((r) => r.value)
      .join('\n');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/); // eslint-disable-line no-control-regex
    expect(text).toContain('local\\x1b]0;owned\\x07host');
    expect(text).toContain('O=CA\\x0d\\x9b2J');
    expect(text).toContain('soon\\x1b[2J');
    expect(text).toContain('h2\\x00');
  });
});

describe('TLS in --json', () => {
  it('keeps connected\'s tls and adds the peer certificate, read from the channel, without its DER bytes', () => {
    const peer: TlsCertificate = { ...certificate, raw: new Uint8Array([1, 2, 3]) };
    const channel = { tls: { ...tls, peerCertificate: () => peer } } as unknown as Channel;
    const event = toJsonEvent({ type: 'connected', elapsed: 12, attempt: 0, address: v4, channel, tls });
    expect(event).toEqual({ type: 'connected', elapsed: 12, attempt: 0, address: v4, tls, certificate });
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
    expect(jsonCertificate(peer)).not.toHaveProperty('raw');
    const none = { tls: { ...tls, peerCertificate: () => null } } as unknown as Channel;
    expect(toJsonEvent({ type: 'connected', elapsed: 1, attempt: 0, address: v4, channel: none, tls })).toMatchObject({ certificate: null });
  });
});

describe('describeSettings with TLS', () => {
  it('names TLS and what was asked of it', () => {
    expect(describeSettings({ tls: true })).toBe('happy-eyeballs, attempt delay 250 ms, TLS');
    expect(describeSettings({ tls: { servername: 'example.com', ALPNProtocols: ['h2', 'http/1.1'], rejectUnauthorized: false } })).toBe(
      'happy-eyeballs, attempt delay 250 ms, TLS, servername example.com, ALPN h2 http/1.1, insecure',
    );
  });
});
