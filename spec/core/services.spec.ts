import { parseServices, servicePort } from '../../src/core/services.js';
import { ipFamily, isHostname, unbracket } from '../../src/core/address.js';

describe('services', () => {
  it('should parse tcp entries and aliases, skipping comments and udp', () => {
    const table = parseServices('# comment\nhttp\t80/tcp\twww # web\ndomain 53/udp\nfoo 7000/tcp bar baz\nbroken x/tcp\n');
    expect([...table]).toEqual([['http', 80], ['www', 80], ['foo', 7000], ['bar', 7000], ['baz', 7000]]);
  });

  it('should know the well-known names', () => {
    expect(servicePort('http')).toBe(80);
    expect(servicePort('https')).toBe(443);
    expect(servicePort('ssh')).toBe(22);
    expect(servicePort('no-such-service-here')).toBeUndefined();
  });
});

describe('addresses', () => {
  it('should tell literals, names and malformed text apart', () => {
    expect(ipFamily('::1')).toBe(6);
    expect(ipFamily('127.0.0.1')).toBe(4);
    expect(ipFamily('localhost')).toBe(0);
    expect(isHostname('a-b.example.test')).toBe(true);
    expect(isHostname('-bad.test')).toBe(false);
    expect(isHostname('1.2.3.4.5')).toBe(false);
    expect(isHostname('has space')).toBe(false);
    expect(unbracket('[::1]')).toBe('::1');
    expect(unbracket('[nope]')).toBe('[nope]');
  });
});
