import { asyncScheduler, firstValueFrom, map, take, timer, toArray } from 'rxjs';
import { paced } from '../../src/cli/pace.js';

/** An endless source of batches of 4 numbers that counts how many batches were taken and whether it was ended. */
function endless() {
  const state = { batches: 0, returned: false };
  async function* batches(): AsyncGenerator<number[]> {
    try {
      for (let n = 0; ; n += 4) {
        state.batches++;
        await Promise.resolve();
        yield [n, n + 1, n + 2, n + 3];
      }
    } finally {
      state.returned = true;
    }
  }
  return { state, source: batches() };
}

describe('paced', () => {
  it('pulls a batch only when the last one has started, runs at most `concurrency` at once, and ends the source on unsubscribe', async () => {
    const { state, source } = endless();
    let running = 0;
    let most = 0;
    const work = (n: number) => {
      running++;
      most = Math.max(most, running);
      return timer(2).pipe(map(() => (running--, n)));
    };
    const values = await firstValueFrom(paced(source, work, { concurrency: 3, scheduler: asyncScheduler }).pipe(take(10), toArray()));
    expect(values.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
    expect(state.batches).toBeLessThanOrEqual(4);
    await new Promise((r) => setTimeout(r, 10));
    expect(state.returned).toBe(true);
  });

  it('completes when the source ends and every work has completed', async () => {
    async function* two(): AsyncGenerator<number[]> {
      yield await Promise.resolve([1, 2]);
      yield [3];
    }
    const values = await firstValueFrom(paced(two(), (n) => timer(1).pipe(map(() => n * 10)), { concurrency: 2, scheduler: asyncScheduler }).pipe(toArray()));
    expect(values.sort((a, b) => a - b)).toEqual([10, 20, 30]);
  });
});
