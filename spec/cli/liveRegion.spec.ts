import { describe, expect, it } from '@jest/globals';
import { stripAnsi } from '../../src/cli/colors.js';
import { liveEnabled, liveRegion } from '../../src/cli/liveRegion.js';

function terminal(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 80, rows: 24, write: (text: string) => chunks.push(text) }, text: () => chunks.join('') };
}

describe('liveRegion', () => {
  it('exists only on a TTY that is not a dumb terminal; NO_COLOR does not matter', async () => {
    expect(await liveRegion(terminal(false).stream, {})).toBeUndefined();
    expect(await liveRegion(terminal(true).stream, { TERM: 'dumb' })).toBeUndefined();
    expect(liveEnabled(terminal(true).stream, { NO_COLOR: '1' })).toBe(true);
  });

  it('redraws its lines in place, keeps printed lines above, and erases itself on clear', async () => {
    const t = terminal(true);
    const region = (await liveRegion(t.stream, {}))!;
    region.show(['one', 'two']);
    region.show(['one', 'TWO']);
    expect(t.text().startsWith('\u001b[?2026hone\ntwo\n')).toBe(true);
    // Only the changed line is written again, after moving the cursor up to it.
    expect(t.text()).toContain('\u001b[1A');
    expect(stripAnsi(t.text())).toContain('TWO');
    const before = t.text().length;
    region.print(['found: 22']);
    const printed = t.text().slice(before);
    expect(stripAnsi(printed)).toContain('found: 22\n');
    expect(printed.indexOf('found: 22')).toBeLessThan(printed.lastIndexOf('TWO'));
    const beforeClear = t.text().length;
    region.clear();
    expect(t.text().slice(beforeClear)).toContain('\u001b[2K');
    region.done();
  });
});
