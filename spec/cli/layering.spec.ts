import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// DESIGN.md: cli → sources/operators → channel → transport. The command uses the library as users do (its
// public index) and never touches the network modules itself.
describe('src/cli layering', () => {
  const dir = join(process.cwd(), 'src', 'cli');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  const imports = (file: string): string[] => [...readFileSync(join(dir, file), 'utf8').matchAll(/^import .*? from '([^']+)';$/gm)].map((m) => m[1]!);

  it.each(files)('%s imports no node:net or node:dns, and the library only through its index', (file) => {
    for (const spec of imports(file)) {
      expect(spec).not.toMatch(/^(node:)?(net|dns|dns\/promises|tls)$/);
      if (spec.startsWith('../')) expect(spec).toBe('../index.js');
    }
  });

  it('is not part of the library exports', () => {
    expect(readFileSync(join(process.cwd(), 'src', 'index.ts'), 'utf8')).not.toMatch(/cli\//);
  });
});
