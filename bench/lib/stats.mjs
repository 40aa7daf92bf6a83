// Small measurement helpers shared by the benchmarks. Plain ESM, no dependencies.
export const now = () => performance.now();

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `rx` and `base` alternately: `warmup` rounds that are thrown away, then `reps` measured rounds. The order
 * flips every round (rx first, then base first), so neither variant always runs on a warmer or a busier machine.
 * Each function returns one measurement. Returns both lists and their medians.
 */
export async function alternate({ reps, warmup, rx, base, log = () => {} }) {
  const rxAll = [];
  const baseAll = [];
  for (let round = -warmup; round < reps; round++) {
    const order = round % 2 === 0 ? ['rx', 'base'] : ['base', 'rx'];
    for (const which of order) {
      // No forced GC between runs: a full GC here throws away optimised code, and every run would measure the JIT
      // warming up again (virtual-connects ran 5x slower with one). Alternating keeps the GC debt fair instead.
      const value = which === 'rx' ? await rx() : await base();
      if (round >= 0) (which === 'rx' ? rxAll : baseAll).push(value);
      log(`${round < 0 ? 'warm-up' : `rep ${round + 1}/${reps}`} ${which}: ${typeof value === 'number' ? value.toFixed(2) : JSON.stringify(value)}`);
    }
  }
  return { rxAll, baseAll, rx: median(rxAll), base: median(baseAll) };
}

/** For a benchmark without a baseline: `warmup` runs thrown away, then `reps` measured ones, and their median. */
export async function repeat({ reps, warmup, run, log = () => {} }) {
  const all = [];
  for (let round = -warmup; round < reps; round++) {
    const value = await run();
    if (round >= 0) all.push(value);
    log(`${round < 0 ? 'warm-up' : `rep ${round + 1}/${reps}`}: ${value.toFixed(2)}`);
  }
  return { all, median: median(all) };
}

/** Rejects if `promise` takes longer than `ms`: every wait in the benchmarks is bounded. */
export function within(ms, promise, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/** `done`, called once whatever calls it after (an error and a close may both report the end of a connect). */
export function once(done) {
  let called = false;
  return (error) => {
    if (called) return;
    called = true;
    done(error);
  };
}

/**
 * `alternate` for more than two variants: `variants` maps names to functions that each return one measurement.
 * Every round runs them all, in an order rotated by one each round, so none always runs first or last. Returns
 * each variant's measured values and their median, by name.
 */
export async function rotate({ reps, warmup, variants, log = () => {} }) {
  const names = Object.keys(variants);
  const all = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = -warmup; round < reps; round++) {
    const shift = (((round % names.length) + names.length) % names.length);
    for (const name of [...names.slice(shift), ...names.slice(0, shift)]) {
      const value = await variants[name]();
      if (round >= 0) all[name].push(value);
      log(`${round < 0 ? 'warm-up' : `rep ${round + 1}/${reps}`} ${name}: ${value.toFixed(2)}`);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { all: all[name], median: median(all[name]) }]));
}
