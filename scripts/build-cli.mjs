#!/usr/bin/env node
// Bundles the `rxconnect` command: replaces <dist>/cli/main.js (tsc's output, which imports the rest of
// <dist>/cli and the library) with one ES module holding the command, the parts of the library it uses, and the
// parts of rxjs, commander, picocolors and log-update it uses; then removes the rest of <dist>/cli. The library
// in <dist> is left as tsc wrote it.
//
//   node scripts/build-cli.mjs [dist]      (default: dist)
//
// The reason is the command's start-up: unbundled, Node loaded 363 modules (223 of them rxjs's CommonJS
// build, which cannot be tree-shaken) before the first connect. bench/README.md ("scan results", cli-startup) has
// the numbers.
// rxjs is taken from its ES2015 build (the `es2015` condition of its exports) so that only the operators the
// command uses are kept. The licences of every bundled package go beside the bundle in THIRD-PARTY-LICENSES.txt.

import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const cli = join(dist, 'cli');
const entry = join(cli, 'main.js');

const result = await build({
  absWorkingDir: root,
  // Packages come from this project's node_modules, wherever <dist> is (the specs build into a scratch folder).
  nodePaths: [join(root, 'node_modules')],
  entryPoints: [entry],
  outfile: entry,
  // Written below, once the licences are collected: a failed build leaves tsc's output as it was.
  write: false,
  allowOverwrite: true,
  bundle: true,
  format: 'esm',
  // `neutral` with these conditions picks each package's ES module build; Node's own modules stay imports.
  platform: 'neutral',
  target: 'node20',
  conditions: ['es2015', 'import', 'default'],
  mainFields: ['module', 'main'],
  external: [...builtinModules, ...builtinModules.map((name) => `node:${name}`)],
  // commander is CommonJS and calls require() for Node's modules: an ES module has no require of its own.
  banner: { js: "import { createRequire as __rxconnectRequire } from 'node:module';\nconst require = __rxconnectRequire(import.meta.url);" },
  // No keepNames: it wraps every closure in a call at run time. Error classes set their `name` themselves.
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// Every package that contributed code, with its licence text, for THIRD-PARTY-LICENSES.txt.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const path = resolve(root, input);
  if (path.startsWith(dist + sep)) continue;
  const parts = relative(root, path).split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) continue;
  const name = parts[at + 1].startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  const dir = join(root, ...parts.slice(0, at + 1), ...name.split('/'));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!packages.has(`${name}@${pkg.version}`)) packages.set(`${name}@${pkg.version}`, { dir, pkg });
}
const notices = [...packages].sort(([a], [b]) => a.localeCompare(b)).map(([name, { dir, pkg }]) => {
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.|$)/i.test(f));
  if (file === undefined) throw new Error(`build-cli: ${name} has no licence file to ship with the bundle`);
  return `${name} (${pkg.license})\n\n${readFileSync(join(dir, file), 'utf8').trim()}\n`;
});

for (const file of readdirSync(cli)) rmSync(join(cli, file), { recursive: true, force: true });
writeFileSync(entry, result.outputFiles[0].contents, { mode: 0o755 });
writeFileSync(
  join(cli, 'THIRD-PARTY-LICENSES.txt'),
  `main.js bundles code from these packages, under these licences.\n\n${notices.join(`\n${'-'.repeat(78)}\n\n`)}`,
);
