// Control characters: C0 (with \t, \n, \r and ESC), DEL and C1. A terminal acts on them instead of showing them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// JSON.stringify escapes C0 itself; DEL and C1 it leaves raw.
const RAW_IN_JSON = /[\u007f-\u009f]/g;

function hex(char: string): string {
  return char.charCodeAt(0).toString(16).padStart(2, '0');
}

/**
 * Text from outside the CLI (arguments, scan files, host names, peers, error messages) made safe to print on a
 * terminal: every control character becomes a visible `\xNN` escape (`\x1b` for ESC, `\x0d` for CR), so that
 * input cannot move the cursor, clear the screen or set the title. Printable text, backslashes included, is
 * left as it is. Pure.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${hex(char)}`);
}

/**
 * `value` as indented JSON that is also safe on a terminal: JSON.stringify's output, with DEL and C1 characters
 * written as `\u00NN` escapes (still valid JSON, parsing to the same strings). Pure.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, (char) => `\\u00${hex(char)}`);
}

/** `value` as one line of JSON (for `--jsonl`), safe on a terminal as {@link terminalJson} is. Pure. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(RAW_IN_JSON, (char) => `\\u00${hex(char)}`);
}
