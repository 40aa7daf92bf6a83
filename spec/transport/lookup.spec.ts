import { safeLookup } from '../../src/transport/lookup.js';
import type { LookupFunction } from '../../src/index.js';

describe('safeLookup', () => {
  const answering: LookupFunction = (_host, _options, callback) => callback(null, [{ address: '192.0.2.1', family: 4 }]);

  it('should let an exception thrown by done out, not take it for the resolver\'s error', () => {
    const calls: unknown[] = [];
    const done = (error: unknown): void => {
      calls.push(error);
      throw new Error('caller failed');
    };
    expect(() => safeLookup(answering, 'h.test', 4, 80, done)).toThrow('caller failed');
    expect(calls).toEqual([undefined]);
  });

  it('should call done once with the error of a lookup function that throws', () => {
    const calls: unknown[] = [];
    const thrown = new Error('resolver broke');
    const throwing: LookupFunction = () => {
      throw thrown;
    };
    expect(safeLookup(throwing, 'h.test', 4, 80, (error, addresses) => calls.push([error, addresses]))).toBeUndefined();
    expect(calls).toEqual([[thrown, []]]);
  });

  it('should hand back a cancel that never throws, even when the resolver\'s does', () => {
    let calls = 0;
    const pending: LookupFunction = () => ({
      cancel() {
        calls++;
        throw new Error('cancel broke');
      },
    });
    const cancel = safeLookup(pending, 'h.test', 4, 80, () => undefined);
    expect(cancel).toBeDefined();
    expect(() => cancel?.()).not.toThrow();
    expect(calls).toBe(1);
  });

  it('should hand back the resolver\'s cancel, bound to its handle, while no answer came', () => {
    const handle = {
      cancelled: false,
      cancel(this: { cancelled: boolean }) {
        this.cancelled = true;
      },
    };
    const pending = ((): typeof handle => handle) as unknown as LookupFunction;
    const cancel = safeLookup(pending, 'h.test', 0, 80, () => undefined);
    cancel?.();
    expect(handle.cancelled).toBe(true);
  });
});
