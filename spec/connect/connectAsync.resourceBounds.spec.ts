import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { connectAsync$, ArgumentOutOfRangeError, InvalidArgumentError } from '../../src/index.js';
import type { LookupFunction } from '../../src/index.js';
import { createVirtualNetwork, hang } from '../../src/testing/index.js';
import type { VirtualHosts } from '../../src/testing/index.js';
import { label, newScheduler } from '../helpers/events.js';
import { runVirtual } from '../helpers/virtual.js';

function documentationAddress(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

describe('connectAsync$ under a hostile resolver answer', () => {
  it('should deduplicate an answer of 40,000 entries (20,000 addresses, each twice) with a linear number of comparisons', () => {
    const unique = Array.from({ length: 20_000 }, (_, i) => ({ address: documentationAddress(i), family: 4 }));
    const answer = [...unique, ...unique];
    const lookup: LookupFunction = (_host, _options, callback) => callback(null, answer);
    // Every element comparison a list search makes (Array.prototype.some's predicate calls) is counted.
    let comparisons = 0;
    const some = Array.prototype.some;
    Array.prototype.some = function <T>(this: T[], predicate: (value: T, index: number, array: T[]) => unknown, thisArg?: unknown): boolean {
      return some.call(this, (value: T, index: number, array: T[]) => {
        comparisons++;
        return predicate.call(thisArg, value, index, array);
      });
    };
    let resolvedCount: number;
    try {
      const run = runVirtual('h.test', {}, { lookup, family: 4 }, 1);
      const resolved = run.events.find((e) => e.type === 'resolved');
      resolvedCount = resolved?.type === 'resolved' ? resolved.addresses.length : 0;
    } finally {
      Array.prototype.some = some;
    }
    expect(resolvedCount).toBe(20_000);
    expect(comparisons).toBeLessThan(10 * answer.length);
  });

  it('should keep at most maxConcurrentAttempts attempts in flight (default 6)', () => {
    const addresses = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`192.0.2.${i + 1}`, hang()]));
    const hosts: VirtualHosts = { 'h.test': { addresses } };
    const started = (options: object): string[] =>
      runVirtual('h.test', hosts, { family: 4, attemptDelay: 10, attemptTimeout: 100, ...options }, 115)
        .timeline.filter((t) => t.includes('attempt ') && !t.includes('attemptFailed'))
        .map((t) => t.split(' attempt ')[0] ?? '');
    // Six start 10 ms apart; the seventh waits until the first times out at 100 ms.
    expect(started({})).toEqual(['0', '10', '20', '30', '40', '50', '100', '110']);
    expect(started({ maxConcurrentAttempts: 2 })).toEqual(['0', '10', '100', '110']);
  });

  it('should validate maxConcurrentAttempts as an integer of at least 1', () => {
    expect(() => connectAsync$('h.test', 80, { maxConcurrentAttempts: 0 })).toThrow(ArgumentOutOfRangeError);
    expect(() => connectAsync$('h.test', 80, { maxConcurrentAttempts: 1.5 })).toThrow(ArgumentOutOfRangeError);
    expect(() => connectAsync$('h.test', 80, { maxConcurrentAttempts: '2' as unknown as number })).toThrow(InvalidArgumentError);
    expect(() => connectAsync$('h.test', 80, { maxConcurrentAttempts: 1 })).not.toThrow();
  });

  it('should not keep the connect reachable from a lookup callback still pending after unsubscribe', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const pendingCallbacks: unknown[] = [];
    // A resolver that never answers and cannot be cancelled, as a busy system resolver.
    const lookup: LookupFunction = (_host, _options, callback) => void pendingCallbacks.push(callback);
    const scheduler = newScheduler();
    const network = createVirtualNetwork(scheduler, {});
    const reachable = ((): WeakRef<object> => {
      const subscription = connectAsync$('h.test', 80, { lookup, transport: network.transport, scheduler }).subscribe(() => undefined);
      subscription.unsubscribe();
      return new WeakRef(subscription);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(pendingCallbacks).toHaveLength(2);
    expect(reachable.deref()).toBeUndefined();
  });

  it('should still tell each attempt as it starts under the cap', () => {
    const hosts: VirtualHosts = { 'h.test': { addresses: { '192.0.2.1': hang(), '192.0.2.2': hang() } } };
    const run = runVirtual('h.test', hosts, { family: 4, maxConcurrentAttempts: 1, attemptTimeout: 50 }, 120);
    expect(run.events.map(label).filter((l) => !l.startsWith('resolved'))).toEqual([
      'attempt 0 192.0.2.1',
      'attemptFailed 0 192.0.2.1 ETIMEDOUT',
      'attempt 1 192.0.2.2',
      'attemptFailed 1 192.0.2.2 ETIMEDOUT',
      'failed ETIMEDOUT',
    ]);
  });
});
