// Checks the code blocks of README.md and docs/*.md. Every ```ts block is written to spec/readme/ as a module,
// so that `tsc` type-checks it (and a block with a `describe(` runs as a spec under jest). Every ```js block is
// written there as an .mjs file and syntax-checked with `node --check`, since it is meant to be pasted into one.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'spec', 'readme');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const documents = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

let failures = 0;
for (const document of documents) {
  const text = readFileSync(join(root, document), 'utf8');
  // README.md → readme, docs/tcl.md → docs-tcl: one prefix per document, so the files of two never clash.
  const prefix = document.replace(/\.md$/, '').replace(/\//g, '-').toLowerCase();
  const ts = [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const js = [...text.matchAll(/^```js\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  ts.forEach((code, i) => {
    // Each block is its own module; `export {}` keeps top-level names from clashing.
    const suffix = /\bdescribe\(/.test(code) ? '.spec.ts' : '.ts';
    const name = `${prefix}-block-${String(i + 1).padStart(2, '0')}${suffix}`;
    writeFileSync(join(out, name), `// From ${document}, TypeScript block ${i + 1}. Generated: do not edit.\n${code}\nexport {};\n`);
  });
  js.forEach((code, i) => {
    const name = `${prefix}-js-${String(i + 1).padStart(2, '0')}.mjs`;
    writeFileSync(join(out, name), `// From ${document}, JavaScript block ${i + 1}. Generated: do not edit.\n${code}`);
    const check = spawnSync(process.execPath, ['--check', join(out, name)], { encoding: 'utf8' });
    if (check.status !== 0) {
      failures++;
      console.error(`${document}, JavaScript block ${i + 1} (spec/readme/${name}):\n${check.stderr}`);
    }
  });
  console.log(`${document}: ${ts.length} TypeScript block(s) written to spec/readme/, ${js.length} JavaScript block(s) checked`);
}
if (failures > 0) process.exit(1);
