import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// Layers and import circles are checked by dependency-cruiser (npm run lint); this checks what it cannot: that
// every source file stays small enough to read in one sitting.
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/', () => {
  const root = process.cwd();
  it.each(sources(join(root, 'src')).map((file) => [relative(root, file), file]))(`%s has at most ${MAX_LINES} lines`, (_name, file) => {
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(MAX_LINES);
  });
});
