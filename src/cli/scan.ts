import { InvalidArgumentError as CommanderInvalidArgument } from 'commander';
import { asyncScheduler, interval } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import { colorEnabled, palette } from './colors.js';
import type { ConnectSettings } from './connect.js';
import { planConnect } from './connect.js';
import type { CliIo } from './io.js';
import { jsonLine, terminalJson } from './escape.js';
import { liveRegion } from './liveRegion.js';
import { paced } from './pace.js';
import { renderProgress } from './progress.js';
import type { ScanResult } from './scanConnect.js';
import { scanConnector } from './scanConnect.js';
import type { PortSet, ScanForm, ScanTarget, Shard } from './scanTargets.js';
import { expandForm, listLine, parseScanTarget, parseShard, shardCount, topPorts } from './scanTargets.js';
import { ScanTally, count, jsonTarget, jsonlResult, renderSummary } from './scanTally.js';
import { TOP_PORTS } from './topPorts.js';
import { UsageError } from './usage.js';


/** Options of `rxconnect scan`. */
export type ScanOptions = ConnectSettings & {
  /** How many connects run at once. Default {@link SCAN_CONCURRENCY}. */
  readonly concurrency?: number | undefined;
  /** Connect attempts started per second, evenly spaced; no limit when undefined. */
  readonly rate?: number | undefined;
  /** The ports of a host written without one: the first N of nmap's top 100. */
  readonly top?: number | undefined;
  /** Only every n-th target (`--shard i/n`). */
  readonly shard?: Shard | undefined;
  /** Only connected targets are printed (`--open`). */
  readonly open?: boolean | undefined;
  /** One JSON document at the end. */
  readonly json?: boolean | undefined;
  /** One JSON object per result, as it comes. */
  readonly jsonl?: boolean | undefined;
  /** The clock of `--rate` and of the progress bar (specs may pass another). */
  readonly scheduler?: SchedulerLike | undefined;
};

/** The default concurrency of scan. */
export const SCAN_CONCURRENCY = 64;
/** The default per-target timeout of scan, in ms: a scan should not wait minutes for a black hole. */
export const SCAN_TIMEOUT = 5000;
/** How often the progress bar is redrawn, in ms (not once per result: a scan finishes thousands a second). */
export const PROGRESS_EVERY = 150;
/** The exit code after Ctrl-C (128 + SIGINT), as a shell reports a command that Ctrl-C ended. */
export const EXIT_INTERRUPTED = 130;

/** `--rate N`: connects per second, a positive number. */
export function rateOption(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0) || n > 1_000_000) throw new CommanderInvalidArgument('expected connects per second, a number above 0 and at most 1000000');
  return n;
}

/** `--top N`: 1 to 100. */
export function topOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > TOP_PORTS.length) {
    throw new CommanderInvalidArgument(`expected a whole number from 1 to ${TOP_PORTS.length} (nmap's top ${TOP_PORTS.length} TCP ports)`);
  }
  return Number(value);
}

/** `--shard i/n`. */
export function shardOption(value: string): Shard {
  try {
    return parseShard(value);
  } catch (error) {
    throw new CommanderInvalidArgument((error as Error).message);
  }
}

type Source = { readonly kind: 'form'; readonly form: ScanForm } | { readonly kind: 'list'; readonly file: string; readonly name: string };

/** Checks what the connects would reject (a host name, a service name, a family), before any connect starts. */
function checkForm(form: ScanForm, settings: ConnectSettings): void {
  const host = form.hosts.at(0);
  for (const port of form.ports.services.length > 0 ? form.ports.services : [form.ports.at(0)]) {
    planConnect({ text: form.text, host, port }, settings);
  }
}

/**
 * An argument is a list of targets when it is `-` (standard input) or names an existing file; anything else
 * is a target form. An argument that is neither says both.
 */
function classify(arg: string, top: PortSet | undefined, settings: ConnectSettings, io: CliIo): Source {
  if (arg === '-') return { kind: 'list', file: arg, name: 'stdin' };
  const kind = io.pathKind(arg);
  if (kind === 'file') return { kind: 'list', file: arg, name: arg };
  try {
    const form = parseScanTarget(arg, top);
    checkForm(form, settings);
    return { kind: 'form', form };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const prefix = `bad target ${JSON.stringify(arg.trim())}: `;
    const why = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new UsageError(`${JSON.stringify(arg)} is neither a file of targets (${kind === 'directory' ? 'it is a directory' : 'no such file'}) nor a target (${why})`);
  }
}

/** How many targets the scan has: known before it starts, or once every list has been read. */
type ScanSize = { total: number | undefined };

/** How many targets go to the pacer at once: one promise per batch, not per target. */
const BATCH = 256;

/** The targets of `form`, in batches of at most {@link BATCH}. */
function* batchesOf(form: ScanForm, offset: number, shard: Shard): Generator<ScanTarget[], void, undefined> {
  let batch: ScanTarget[] = [];
  for (const target of expandForm(form, offset, shard)) {
    batch.push(target);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

async function* targetsOf(sources: readonly Source[], shard: Shard, top: PortSet | undefined, settings: ConnectSettings, io: CliIo, size: ScanSize): AsyncGenerator<ScanTarget[]> {
  let offset = 0;
  let total = 0;
  for (const source of sources) {
    if (source.kind === 'form') {
      yield* batchesOf(source.form, offset, shard);
      total += shardCount(source.form.count, offset, shard);
      offset += source.form.count;
      continue;
    }
    let line = 0;
    let found = 0;
    const lines = io.readLines(source.file)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await lines.next();
      } catch (error) {
        throw new UsageError(`cannot read ${source.name}: ${(error as Error).message}`);
      }
      if (next.done === true) break;
      line++;
      let form: ScanForm;
      try {
        const text = listLine(next.value);
        if (text === undefined) continue;
        form = parseScanTarget(text, top);
        checkForm(form, settings);
      } catch (error) {
        await lines.return?.();
        throw new UsageError(`${source.name}, line ${line}: ${(error as Error).message}`);
      }
      found++;
      // A line's targets go out at once: a list that arrives slowly (a pipe) is scanned as it comes.
      yield* batchesOf(form, offset, shard);
      total += shardCount(form.count, offset, shard);
      offset += form.count;
    }
    if (found === 0) throw new UsageError(`no targets in ${source.name} (one target per line; blank lines and # comments are skipped)`);
  }
  size.total = total;
}

/** The total of a scan without lists, computed before it starts: arithmetic over the forms, no iteration. */
function totalOf(sources: readonly Source[], shard: Shard): number | undefined {
  let offset = 0;
  let total = 0;
  for (const source of sources) {
    if (source.kind === 'list') return undefined;
    total += shardCount(source.form.count, offset, shard);
    offset += source.form.count;
  }
  return total;
}

/** Targets finished per second over the last few seconds, from samples taken at each redraw. */
function rateMeter(now: () => number): (done: number) => number {
  const samples: { t: number; done: number }[] = [];
  return (done) => {
    const t = now();
    samples.push({ t, done });
    while (samples.length > 2 && t - samples[0]!.t > 3000) samples.shift();
    const first = samples[0]!;
    return t > first.t ? ((done - first.done) * 1000) / (t - first.t) : 0;
  };
}

/**
 * `rxconnect scan TARGET|FILE|- ...`: connects to every target of the forms and lists given, at most
 * `concurrency` at once and at most `rate` starts a second, pulling targets lazily so that memory does not grow
 * with the size of the scan. Streams `--jsonl`, or ends with a table (or `--json`) of the connected targets and
 * the failures, large groups of the same failure counted instead of listed. A progress bar is drawn on stderr
 * when it is a terminal. Ctrl-C stops the scan, releases every socket, prints what was found, and resolves 130.
 * Resolves with the exit code: 0 when every target is up, 1 when any is down.
 */
export async function scan(args: readonly string[], options: ScanOptions, io: CliIo): Promise<number> {
  const { json, jsonl, open, top: topCount, shard = { index: 1, of: 1 }, rate, scheduler = asyncScheduler, concurrency = SCAN_CONCURRENCY, ...rest } = options;
  const settings: ConnectSettings = { ...rest, timeout: rest.timeout ?? SCAN_TIMEOUT };
  const top = topCount === undefined ? undefined : topPorts(topCount);
  const sources = args.map((arg) => classify(arg, top, settings, io));
  const size: ScanSize = { total: totalOf(sources, shard) };
  const tally = new ScanTally({ list: jsonl !== true, onlyUp: open === true });
  const started = scheduler.now();

  const region = await liveRegion(io.stderr, io.env);
  const errPalette = palette(colorEnabled(io.stderr, io.env));
  const meter = rateMeter(() => scheduler.now());
  const draw = (): void => region?.show([renderProgress({ done: tally.done, total: size.total, open: tally.up, rate: meter(tally.done) }, errPalette)]);
  let ticker: Subscription | undefined;
  if (region !== undefined) {
    draw();
    ticker = interval(PROGRESS_EVERY, scheduler).subscribe(draw);
  }

  const onResult = (result: ScanResult): void => {
    tally.add(result);
    if (jsonl === true && (open !== true || result.outcome === 'connected')) {
      // On a terminal that also shows the bar, the bar is erased first and comes back at the next redraw.
      if (region !== undefined && io.stdout.isTTY === true) region.clear();
      io.stdout.write(jsonLine(jsonlResult(result)) + '\n');
    }
  };

  // A failed connect is data here, and its errors (two or three per refused port) are never shown with a stack:
  // capturing none saves about a sixth of the CPU of a scan of closed ports (measured: bench/README.md, scan-rate).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  let interrupted = false;
  let subscription: Subscription | undefined;
  let stopInterrupt: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const targets = targetsOf(sources, shard, top, settings, io, size);
      stopInterrupt = io.onInterrupt(() => {
        interrupted = true;
        subscription?.unsubscribe();
        resolve();
      });
      subscription = paced(targets, scanConnector(settings, json === true), { concurrency, rate, scheduler }).subscribe({
        next: onResult,
        error: reject,
        complete: resolve,
      });
    });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    stopInterrupt?.();
    subscription?.unsubscribe();
    ticker?.unsubscribe();
    region?.clear();
    region?.done();
  }

  const end = { totalMs: scheduler.now() - started, total: size.total, interrupted };
  if (json === true) {
    const notShown = tally.notShown().map((g) => ({ outcome: g.outcome, count: g.count, ...(g.error === undefined ? {} : { error: g.error }) }));
    io.stdout.write(terminalJson({ targets: tally.listed().map(jsonTarget), notShown, ...(interrupted ? { interrupted } : {}) }) + '\n');
  } else if (jsonl !== true) {
    io.stdout.write(renderSummary(tally, palette(colorEnabled(io.stdout, io.env)), end).join('\n') + '\n');
  }
  if (interrupted) {
    const of = size.total === undefined ? '' : ` of ${count(size.total)}`;
    io.stderr.write(`rxconnect scan: interrupted after ${count(tally.done)}${of} targets\n`);
    return EXIT_INTERRUPTED;
  }
  return tally.up === tally.done ? 0 : 1;
}
