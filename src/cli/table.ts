import { pad, visibleLength } from './colors.js';

/** A column of {@link renderTable}. */
export type Column = { readonly header: string; readonly align?: 'left' | 'right' };

/**
 * A plain-text table: a header row, a rule, then the rows, columns separated by two spaces. Cells may carry
 * colour codes; widths count visible columns. Pure: returns the lines (without trailing spaces).
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    (indent + columns.map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align === 'right')).join('  ')).replace(/\s+$/, '');
  return [line(columns.map((c) => c.header)), indent + widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}
