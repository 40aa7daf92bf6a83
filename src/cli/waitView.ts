import type { Palette } from './colors.js';
import { pad, truncate } from './colors.js';
import { visible } from './escape.js';
import type { JsonError } from './report.js';
import { duration } from './scanTally.js';
import { shortError } from './timeline.js';
import type { TryResult, WaitEvent } from './waitLoop.js';

/** What wait knows of one target, from its tries so far. */
export type TargetState = {
  /** The TARGET as written, control characters escaped. */
  readonly label: string;
  /** Tries started. */
  readonly tries: number;
  /** The last try's result; undefined before the first ends. */
  readonly last?: TryResult | undefined;
  /** When the last try ended, in ms from the start. */
  readonly at: number;
  /** Whether the target reached its goal (up, or down with `--reverse`). */
  readonly met: boolean;
};

/** The state of every target, at the start. */
export function initialStates(labels: readonly string[]): TargetState[] {
  return labels.map((label) => ({ label: visible(label), tries: 0, at: 0, met: false }));
}

/** The states after `event`; `changed` when the target's state (up, or down with its error code) is not what it was. */
export function applyEvent(states: readonly TargetState[], event: WaitEvent): { states: TargetState[]; changed: number | undefined } {
  if (event.type === 'end') return { states: [...states], changed: undefined };
  const next = [...states];
  const old = states[event.index]!;
  if (event.type === 'trying') {
    next[event.index] = { ...old, tries: event.tries };
    return { states: next, changed: undefined };
  }
  next[event.index] = { ...old, tries: event.tries, last: event.result, at: event.elapsed, met: event.met };
  return { states: next, changed: old.last === undefined || stateKey(old.last) !== stateKey(event.result) || event.met ? event.index : undefined };
}

function stateKey(result: TryResult): string {
  return result.up ? 'up' : `down ${result.error.code}`;
}

function tries(n: number): string {
  return `${n} ${n === 1 ? 'try' : 'tries'}`;
}

function errorText(error: JsonError): string {
  return visible(error.message === '' ? error.code : error.message);
}

function upText(result: Extract<TryResult, { up: true }>): string {
  const parts = [result.detail, result.address].filter((p): p is string => p !== undefined).map(visible);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/**
 * The plain line of a change of state, for pipes and CI: `127.0.0.1:5432 up after 1.2 s (4 tries)`,
 * `127.0.0.1:5432 down: connection refused (::1 port 5432: ...; 127.0.0.1 port 5432: ...)`. Pure.
 */
export function changeLine(state: TargetState): string {
  const last = state.last;
  if (last === undefined) return `${state.label} waiting`;
  const word = last.up ? 'up' : 'down';
  const when = state.met ? ` after ${duration(state.at)} (${tries(state.tries)})` : '';
  return last.up ? `${state.label} ${word}${when}${upText(last)}` : `${state.label} ${word}${when}: ${errorText(last.error)}`;
}

/** Braille spinner frames, one per redraw. */
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The live lines of a terminal, one per target: a spinner (a tick once the goal is reached), the target, the
 * state, the tries, the last error (short) and the time since the start; each cut to `columns`. The last frame,
 * drawn when the wait is over (`over`), marks a target still not there with a cross rather than a spinner that
 * would look as if it were still turning. Pure.
 */
export function liveLines(states: readonly TargetState[], p: Palette, elapsed: number, frame: number, columns: number | undefined, over = false): string[] {
  const width = Math.max(...states.map((s) => [...s.label].length), 6);
  const cols = Math.max(40, columns ?? 80) - 1;
  return states.map((s) => {
    const label = truncate(s.label, Math.min(width, Math.floor(cols / 2)));
    const mark = s.met ? p.green('✔') : over ? p.red('✘') : p.cyan(SPINNER[frame % SPINNER.length]!);
    const head = `${mark} ${pad(label, Math.min(width, Math.floor(cols / 2)))}  `;
    const used = 2 + Math.min(width, Math.floor(cols / 2)) + 2;
    const last = s.last;
    let word: string;
    let rest: string;
    if (s.met) {
      word = last?.up === false ? 'down' : 'up';
      rest = `after ${duration(s.at)} (${tries(s.tries)})`;
    } else {
      word = last === undefined ? 'waiting' : last.up ? 'up' : 'down';
      const why = last === undefined ? '' : last.up ? upText(last).replace(/^ \(|\)$/g, '') : visible(shortError(last.error));
      rest = `${duration(elapsed)}, ${tries(s.tries)}${why === '' ? '' : `, ${why}`}`;
    }
    const text = truncate(`${word}  ${rest}`, Math.max(8, cols - used));
    const cut = text.slice(word.length);
    const paint = s.met ? p.green : last === undefined ? p.dim : last.up ? p.green : p.red;
    return `${head}${paint(word)}${p.dim(cut)}`;
  });
}

/**
 * The report of a timeout, one line per target that has not reached its goal: how many tries, and the last
 * readable error (or what it still answered, with `--reverse`). Pure.
 */
export function timeoutLines(states: readonly TargetState[], elapsed: number, reverse: boolean): string[] {
  const waiting = states.filter((s) => !s.met);
  const lines = [`rxconnect wait: timed out after ${duration(elapsed)}: ${waiting.length} of ${states.length} target${states.length === 1 ? '' : 's'} still ${reverse ? 'up' : 'down'}`];
  for (const s of waiting) {
    const last = s.last;
    if (last === undefined) lines.push(`  ${s.label}: no answer yet (try ${s.tries} still running)`);
    else if (last.up) lines.push(`  ${s.label}: still up after ${tries(s.tries)}${upText(last)}`);
    else lines.push(`  ${s.label}: ${tries(s.tries)}, last: ${errorText(last.error)}`);
  }
  return lines;
}

/** One JSON line of `--json`: a change of state of a target. */
export function stateJson(state: TargetState, target: string): Record<string, unknown> {
  const last = state.last;
  const base = { type: 'state', target, state: last === undefined ? 'waiting' : last.up ? 'up' : 'down', met: state.met, tries: state.tries, elapsed: Math.round(state.at) };
  if (last === undefined) return base;
  if (!last.up) return { ...base, error: last.error };
  return { ...base, ...(last.address === undefined ? {} : { address: last.address }), ...(last.detail === undefined ? {} : { detail: last.detail }) };
}
