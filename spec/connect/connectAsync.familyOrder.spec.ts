import { connectAsync$, InvalidArgumentError } from '../../src/index.js';
import { hang } from '../../src/testing/index.js';
import type { VirtualHosts } from '../../src/testing/index.js';
import { runVirtual } from '../helpers/virtual.js';

// Resolver order: two IPv4 addresses, then one IPv6 (as a resolver that sorts IPv4 first answers).
const V4_FIRST: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': hang(), '192.0.2.2': hang(), '2001:db8::1': hang() } } };

const attempts = (timeline: readonly string[]): string[] => timeline.filter((t) => t.includes(' attempt '));

describe('connectAsync$ familyOrder', () => {
  it('should start with IPv6 by default (ipv6first, RFC 8305)', () => {
    const run = runVirtual('h.test', V4_FIRST, { attemptDelay: 10 }, 25);
    expect(attempts(run.timeline)).toEqual(['0 attempt 0 2001:db8::1', '10 attempt 1 192.0.2.1', '20 attempt 2 192.0.2.2']);
  });

  it('should start with IPv4, then alternate, with ipv4first', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '2001:db8::2': hang(), '192.0.2.1': hang() } } };
    const run = runVirtual('h.test', hosts, { attemptDelay: 10, familyOrder: 'ipv4first' }, 25);
    expect(run.timeline.filter((t) => t.includes('resolved'))).toEqual(['0 resolved 4 192.0.2.1', '0 resolved 6 2001:db8::1,2001:db8::2']);
    expect(attempts(run.timeline)).toEqual(['0 attempt 0 192.0.2.1', '10 attempt 1 2001:db8::1', '20 attempt 2 2001:db8::2']);
  });

  it('should wait the resolution delay for IPv4 when IPv6 answers first, with ipv4first', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': hang() }, lookup: { ipv4: 30, ipv6: 0 } } };
    const run = runVirtual('h.test', hosts, { familyOrder: 'ipv4first' }, 40);
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '30 resolved 4 192.0.2.1', '30 attempt 0 192.0.2.1']);
  });

  it('should start with the family of the resolver\'s first answer, then alternate, with verbatim', () => {
    const run = runVirtual('h.test', V4_FIRST, { attemptDelay: 10, familyOrder: 'verbatim' }, 25);
    expect(run.timeline).toEqual([
      '0 resolved 0 192.0.2.1,192.0.2.2,2001:db8::1',
      '0 attempt 0 192.0.2.1',
      '10 attempt 1 2001:db8::1',
      '20 attempt 2 192.0.2.2',
    ]);
    expect(run.network.lookups.map((l) => l.family)).toEqual([0]);
  });

  it('should reject an unknown familyOrder, naming it', () => {
    expect(() => connectAsync$('h.test', 80, { familyOrder: 'ipv5first' as 'verbatim' })).toThrow(InvalidArgumentError);
    expect(() => connectAsync$('h.test', 80, { familyOrder: 'ipv5first' as 'verbatim' })).toThrow(/familyOrder/);
  });
});
