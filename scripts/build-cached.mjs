#!/usr/bin/env node
// Compiles src/ into node_modules/.cache/rxconnect/lib (JavaScript only), unless that build is already newer than
// every file in src/. Prints the directory. The fault specs' child processes and `npm run soak` import the library
// from there, so they run the current source without touching dist/ (which `npm run build` owns).
//
//   node scripts/build-cached.mjs          build if stale, print the lib directory
//   import { buildCached } from './build-cached.mjs'

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'node_modules', '.cache', 'rxconnect');
const lib = join(cache, 'lib');
const stamp = join(cache, 'stamp');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds if stale; resolves to the directory holding index.js and testing/index.js. */
export async function buildCached() {
  const sources = String(Math.max(newest(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs));
  if (existsSync(join(lib, 'index.js')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sources) return lib;
  mkdirSync(cache, { recursive: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const flags = ['--declaration', 'false', '--declarationMap', 'false', '--sourceMap', 'false', '--isolatedDeclarations', 'false'];
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', lib, ...flags], { cwd: root });
  } catch (error) {
    // Type errors still emit JavaScript; they are `npm run typecheck`'s to report. Anything else is fatal.
    if (!existsSync(join(lib, 'index.js'))) throw error;
    process.stderr.write(`build-cached: tsc reported errors, using its output anyway:\n${error.stdout ?? ''}`);
  }
  // Under node_modules, Node looks for no package scope above: say the build is ESM.
  writeFileSync(join(lib, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(stamp, sources);
  return lib;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildCached().then(
    (dir) => console.log(dir),
    (error) => {
      console.error(error.stdout || error.message);
      process.exit(1);
    },
  );
}
