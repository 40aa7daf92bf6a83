import { isIP } from 'node:net';
import fc from 'fast-check';
import { ipFamily, unbracket } from '../../src/core/address.js';

// core/ may not import node:net, so it parses IP literals itself; node's isIP is the reference it must agree with.
describe('ipFamily', () => {
  it.each([
    ['1.2.3.4', 4],
    ['0.0.0.0', 4],
    ['255.255.255.255', 4],
    ['01.2.3.4', 0],
    ['256.1.1.1', 0],
    ['1.2.3', 0],
    ['::', 6],
    ['::1', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7:8:9', 0],
    ['1::2::3', 0],
    ['::ffff:1.2.3.4', 6],
    ['1.2.3.4::', 0],
    ['fe80::1%eth0', 6],
    ['fe80::1%', 0],
    ['[::1]', 0],
    ['localhost', 0],
    ['', 0],
  ])('%j is family %d, as net.isIP says', (text, family) => {
    expect(ipFamily(text)).toBe(family);
    expect(isIP(text)).toBe(family);
  });

  it('agrees with net.isIP on random strings of address characters', () => {
    const text = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%g'), maxLength: 24 });
    fc.assert(fc.property(text, (s) => ipFamily(s) === isIP(s)), { numRuns: 20000 });
  });

  it('agrees with net.isIP on every real address and its spellings', () => {
    fc.assert(fc.property(fc.ipV4(), (s) => ipFamily(s) === 4));
    fc.assert(fc.property(fc.ipV6(), (s) => ipFamily(s) === 6 && isIP(s) === 6));
  });

  it('unbracket strips brackets only around an IPv6 literal', () => {
    expect(unbracket('[::1]')).toBe('::1');
    expect(unbracket('[localhost]')).toBe('[localhost]');
  });
});
