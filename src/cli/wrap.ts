import { visibleLength } from './colors.js';

/**
 * Breaks a line of prose at spaces so that each piece fits `width` visible columns; the pieces after the first
 * keep the line's indentation and two more spaces. A word longer than the width stays whole. Pure.
 */
export function wrapLine(line: string, width: number): string[] {
  if (visibleLength(line) <= width) return [line];
  const indent = /^ */.exec(line)?.[0] ?? '';
  const words = line.slice(indent.length).split(' ');
  const lines: string[] = [];
  let current = indent;
  let lead = indent;
  for (const word of words) {
    if (current !== lead && visibleLength(current) + 1 + visibleLength(word) > width) {
      lines.push(current);
      lead = indent + '  ';
      current = lead + word;
    } else {
      current = current === lead ? lead + word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}
