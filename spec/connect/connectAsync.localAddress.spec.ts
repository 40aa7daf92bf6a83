import { connectAfter, hang } from '../../src/testing/index.js';
import { runVirtual } from '../helpers/virtual.js';

describe('connectAsync$ with a local address (myaddr)', () => {
  it('should fail with EHOSTUNREACH, not the other family\'s lookup error, when no address matches myaddr', () => {
    const run = runVirtual('v6only.test', { 'v6only.test': { addresses: { '2001:db8::1': connectAfter(1) } } }, { myaddr: '192.0.2.200' });
    expect(run.timeline).toEqual(['0 resolved 6 2001:db8::1', '0 resolved 4', '0 failed EHOSTUNREACH']);
  });

  it('should not wait the resolution delay for a family no local address can use', () => {
    const hosts = { 'h.test': { addresses: { '2001:db8::1': hang(), '192.0.2.1': connectAfter(5) }, lookup: { ipv4: 0, ipv6: 100 } } };
    const run = runVirtual('h.test', hosts, { myaddr: '192.0.2.200' }, 500);
    expect(run.timeline).toEqual(['0 resolved 4 192.0.2.1', '0 attempt 0 192.0.2.1 from 192.0.2.200:0', '5 connected 0 192.0.2.1']);
  });
});
