import type { LookupFunction } from '../../src/index.js';
import { runVirtual } from '../helpers/virtual.js';

function failing(code: string, host: string): Error {
  return Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, syscall: 'getaddrinfo', hostname: host });
}

describe('connectAsync$ when both lookups fail', () => {
  it('should keep each lookup\'s error when the AAAA and A lookups fail differently, and say so in the message', () => {
    const aaaa = failing('ENOTFOUND', 'h.test');
    const a = failing('EAI_AGAIN', 'h.test');
    const lookup: LookupFunction = (_host, options, callback) => callback(options.family === 6 ? aaaa : a);
    const run = runVirtual('h.test', {}, { lookup });
    expect(run.timeline).toEqual(['0 resolved 6', '0 resolved 4', '0 failed EAI_AGAIN']);
    const failed = run.events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.error.message).toBe(
      'Temporary failure in name resolution (lookups of h.test failed: IPv6 Name or service not known; IPv4 Temporary failure in name resolution)',
    );
    expect(failed.error.cause).toBeInstanceOf(AggregateError);
    expect((failed.error.cause as AggregateError).errors).toEqual([aaaa, a]);
  });

  it('should report one error when both lookups fail the same way', () => {
    const lookup: LookupFunction = (host, _options, callback) => callback(failing('ENOTFOUND', host));
    const failed = runVirtual('h.test', {}, { lookup }).events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.error.message).toBe('Name or service not known (lookup of h.test failed)');
    expect((failed.error.cause as Error).message).toBe('getaddrinfo ENOTFOUND h.test');
  });
});
