import fc from 'fast-check';
import { count, duration } from '../../src/cli/scanTally.js';

describe('scanTally', () => {
  it('count groups digits in threes, as toLocaleString("en-US") does for whole numbers', () => {
    expect([0, 7, 999, 1000, 65_536, 1_048_576, -1234].map(count)).toEqual(['0', '7', '999', '1,000', '65,536', '1,048,576', '-1,234']);
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => count(n) === n.toLocaleString('en-US')),
    );
  });

  it('duration prints whole ms below a second and tenths of seconds above', () => {
    expect([0, 12.4, 999, 1000, 1849, 61_000].map(duration)).toEqual(['0 ms', '12 ms', '999 ms', '1.0 s', '1.8 s', '61.0 s']);
  });
});
