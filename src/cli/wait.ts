import { InvalidArgumentError as CommanderInvalidArgument, Option } from 'commander';
import type { Command } from 'commander';
import { interval as every } from 'rxjs';
import type { Subscription } from 'rxjs';
import { constants } from 'node:os';
import { colorEnabled, palette } from './colors.js';
import { jsonLine, visible } from './escape.js';
import type { CliIo } from './io.js';
import { liveRegion } from './liveRegion.js';
import { probeTls } from './tlsFlags.js';
import { UsageError } from './usage.js';
import { checkOf } from './waitCheck.js';
import { waitLoop } from './waitLoop.js';
import type { WaitEvent, WaitRules } from './waitLoop.js';
import { parseDuration, parseStatusList, parseWaitTarget, SUCCESS_STATUSES } from './waitTarget.js';
import type { StatusRanges } from './waitTarget.js';
import { applyEvent, changeLine, initialStates, liveLines, stateJson, timeoutLines } from './waitView.js';
import type { TargetState } from './waitView.js';

/** Defaults of `rxconnect wait`, in ms. */
export const WAIT_DEFAULTS = { timeout: 60_000, interval: 250, maxInterval: 2000, attemptTimeout: 5000 } as const;

/** The exit code of a wait stopped by `signal` (Ctrl-C: 130), as a shell gives it. */
function signalExit(signal: NodeJS.Signals | undefined): number {
  return 128 + (constants.signals[signal ?? 'SIGINT'] ?? constants.signals.SIGINT);
}

/** Options of `rxconnect wait`, as commander parsed them. */
export type WaitFlags = {
  readonly timeout: number;
  readonly interval: number;
  readonly maxInterval: number;
  readonly attemptTimeout: number;
  readonly any?: boolean | undefined;
  readonly reverse?: boolean | undefined;
  readonly quiet?: boolean | undefined;
  readonly json?: boolean | undefined;
  readonly status?: StatusRanges | undefined;
  readonly servername?: string | undefined;
  readonly ca?: string | undefined;
  readonly insecure?: boolean | undefined;
};

/** What a wait came to: every target (or one, with `--any`) reached its goal, the timeout, or a signal. */
type Outcome = { readonly kind: 'met' } | { readonly kind: 'timeout' } | { readonly kind: 'signal'; readonly signal: NodeJS.Signals | undefined };

/**
 * Runs the wait loop over `targets` and shows it: live lines on a terminal's stderr, a plain line per change of
 * state otherwise, a JSON line per change on stdout with `--json`. Resolves with the exit code: 0 when the goal
 * was reached, 1 on timeout (every target that did not reach it reported with its last error), 128 + n when
 * signal n (Ctrl-C: 130) stopped it. Everything is released before it resolves.
 */
export async function runWait(texts: readonly string[], checks: Parameters<typeof waitLoop>[0], rules: WaitRules, flags: Pick<WaitFlags, 'quiet' | 'json'>, io: CliIo): Promise<number> {
  const quiet = flags.quiet === true;
  const json = flags.json === true;
  // With --json, stdout carries the states; stderr keeps only the report of a timeout.
  const region = quiet || json ? undefined : await liveRegion(io.stderr, io.env);
  const p = palette(colorEnabled(io.stderr, io.env));
  let states: TargetState[] = initialStates(texts);
  let frame = 0;
  const started = Date.now();
  const draw = (elapsed = Date.now() - started, over = false): void => region?.show(liveLines(states, p, elapsed, frame, io.stderr.columns, over));
  return new Promise<number>((resolve) => {
    let ticker: Subscription | undefined;
    let loop: Subscription | undefined;
    let stopInterrupts: () => void = () => undefined;
    const finish = (outcome: Outcome, elapsed: number): void => {
      stopInterrupts();
      ticker?.unsubscribe();
      loop?.unsubscribe();
      if (region !== undefined) {
        draw(elapsed, true);
        region.done();
      }
      const end = outcome.kind === 'signal' ? 'interrupted' : outcome.kind;
      if (json) io.stdout.write(jsonLine({ type: 'end', outcome: end, elapsed: Math.round(elapsed), waiting: texts.filter((_, i) => !states[i]!.met) }) + '\n');
      if (outcome.kind === 'timeout') io.stderr.write(timeoutLines(states, elapsed, rules.reverse).join('\n') + '\n');
      if (outcome.kind === 'signal' && !quiet && !json) io.stderr.write(`rxconnect wait: interrupted after ${(elapsed / 1000).toFixed(1)} s\n`);
      resolve(outcome.kind === 'met' ? 0 : outcome.kind === 'timeout' ? 1 : signalExit(outcome.signal));
    };
    const onEvent = (event: WaitEvent): void => {
      if (event.type === 'end') {
        finish({ kind: event.outcome }, event.elapsed);
        return;
      }
      const next = applyEvent(states, event);
      states = next.states;
      if (next.changed === undefined) return;
      const state = states[next.changed]!;
      if (json) io.stdout.write(jsonLine(stateJson(state, texts[next.changed]!)) + '\n');
      if (region !== undefined) draw();
      else if (!quiet && !json) io.stderr.write(changeLine(state) + '\n');
    };
    stopInterrupts = io.onInterrupt((signal) => finish({ kind: 'signal', signal }, Date.now() - started));
    if (region !== undefined) {
      draw();
      ticker = every(100).subscribe(() => {
        frame++;
        draw();
      });
    }
    loop = waitLoop(checks, rules).subscribe({ next: onEvent });
  });
}

function durationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new CommanderInvalidArgument((error as Error).message);
  }
}

function statusOption(value: string): StatusRanges {
  try {
    return parseStatusList(value);
  } catch (error) {
    throw new CommanderInvalidArgument((error as Error).message);
  }
}

/** The help's tail: exit codes and what goes where. */
const WAIT_HELP = `
DURATION is whole milliseconds (1500) or a number with ms, s or m (1.5s, 2m);
0 means no limit for --timeout and --attempt-timeout. Status lines go to stderr:
stdout is the command's, or --json's.

Exit codes: 0 every target up (or down, with --reverse), or after -- the
command's own status (128+n if signal n killed it); 1 timed out; 2 usage error;
126 the command could not be run, 127 not found; 130 Ctrl-C while waiting.`;

/**
 * Defines `rxconnect wait` on `command` (made by the caller, so that it has the CLI's output and errors):
 * options, help and action. `childCommand` is what followed `--` on the command line (undefined without `--`);
 * `started` is called when the action starts, `finished` with the exit code.
 */
export function defineWait(command: Command, io: CliIo, childCommand: readonly string[] | undefined, hooks: { started(): void; finished(code: number): void }): Command {
  return command
    .description('wait until every TARGET is up (a TCP connect, a TLS handshake, an HTTP status), then exit 0 or run COMMAND')
    .usage('[options] <target...> [-- command [args...]]')
    .argument('<target...>', 'host:port, [ipv6]:port, host:service, tcp://host:port, tls://host:port, or an http:// or https:// URL')
    .addOption(new Option('--timeout <duration>', 'give up after this long (0: never)').argParser(durationOption).default(WAIT_DEFAULTS.timeout, '60s'))
    .addOption(new Option('--interval <duration>', 'pause after a failed try; doubles after each one').argParser(durationOption).default(WAIT_DEFAULTS.interval, '250ms'))
    .addOption(new Option('--max-interval <duration>', 'the longest pause between tries').argParser(durationOption).default(WAIT_DEFAULTS.maxInterval, '2s'))
    .addOption(new Option('--attempt-timeout <duration>', 'limit of one try: connect, handshake, response (0: none)').argParser(durationOption).default(WAIT_DEFAULTS.attemptTimeout, '5s'))
    .option('--any', 'one target up is enough')
    .option('--reverse', 'wait until every target is down (the try fails: refused, unreachable, timed out, ...)')
    .option('--status <codes>', 'http(s):// targets: the statuses that count as up (default: 2xx), e.g. 200,204,301-399', statusOption)
    .option('--servername <name>', 'tls:// and https://: the name sent by SNI and checked in the certificate (default: the host)')
    .option('--ca <file>', "tls:// and https://: trust the CA certificates of this PEM file instead of Node's bundled ones")
    .option('--insecure', 'tls:// and https://: count a handshake as up even when the certificate does not verify')
    .option('-q, --quiet', 'no status lines; only the report of a timeout')
    .option('--json', 'one JSON line per change of state on stdout, then one for the end')
    .addHelpText('after', WAIT_HELP)
    .action(async (texts: string[], flags: WaitFlags) => {
      hooks.started();
      if (childCommand !== undefined && childCommand.length === 0) throw new UsageError('nothing after "--": expected a command to run (rxconnect wait TARGET... -- COMMAND [ARGS...])');
      if (childCommand !== undefined && childCommand[0]!.trim() === '') throw new UsageError('the command after "--" is empty');
      if (flags.interval < 1) throw new UsageError("option '--interval <duration>' must be at least 1 ms");
      const targets = texts.map(parseWaitTarget);
      const tlsTargets = targets.some((t) => t.kind === 'tls');
      const httpsTargets = targets.some((t) => t.kind === 'http' && t.url.secure);
      if (flags.status !== undefined && !targets.some((t) => t.kind === 'http')) throw new UsageError("option '--status <codes>' needs an http:// or https:// target");
      if (!tlsTargets && !httpsTargets) {
        const given = (['servername', 'ca', 'insecure'] as const).find((name) => flags[name] !== undefined);
        if (given !== undefined) throw new UsageError(`option '--${given}' needs a tls:// or https:// target`);
      }
      const { tls, https } = await probeTls({ tls: tlsTargets || undefined, servername: flags.servername, ca: flags.ca, insecure: flags.insecure }, io, httpsTargets);
      const settings = { timeout: flags.attemptTimeout === 0 ? undefined : flags.attemptTimeout, tls, https, statuses: flags.status ?? SUCCESS_STATUSES };
      const checks = targets.map((t) => checkOf(t, settings));
      const rules: WaitRules = { timeout: flags.timeout, interval: flags.interval, maxInterval: flags.maxInterval, any: flags.any === true, reverse: flags.reverse === true };
      let code = await runWait(targets.map((t) => t.text), checks, rules, flags, io);
      if (code === 0 && childCommand !== undefined) {
        const exit = await io.run(childCommand[0]!, childCommand.slice(1));
        if (exit.error !== undefined) io.stderr.write(`rxconnect wait: ${visible(childCommand[0]!)}: ${visible(exit.error)}\n`);
        code = exit.code;
      }
      hooks.finished(code);
    });
}

/**
 * Splits `rxconnect wait ... -- COMMAND ARGS` at the first `--` (commander would take what follows as more
 * targets). Other commands' arguments are returned as they are.
 */
export function splitWaitCommand(argv: readonly string[]): { argv: readonly string[]; childCommand: readonly string[] | undefined } {
  const at = argv.indexOf('--');
  if (argv[0] !== 'wait' || at < 0) return { argv, childCommand: undefined };
  return { argv: argv.slice(0, at), childCommand: argv.slice(at + 1) };
}
