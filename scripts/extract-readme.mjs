// Writes every ```ts block of README.md to spec/readme/block-N.ts, so `tsc` checks that each one compiles.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'spec', 'readme');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const text = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
blocks.forEach((code, i) => {
  // Each block is its own module; `export {}` keeps top-level names from clashing.
  // A block that is a spec runs as one, so the README's testing example is checked, not just compiled.
  const suffix = /\bdescribe\(/.test(code) ? '.spec.ts' : '.ts';
  writeFileSync(join(out, `block-${String(i + 1).padStart(2, '0')}${suffix}`), `// From README.md, block ${i + 1}. Generated: do not edit.\n${code}\nexport {};\n`);
});
console.log(`README.md: ${blocks.length} TypeScript blocks written to spec/readme/`);
