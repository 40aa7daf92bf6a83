// The library under test: the build in ../../dist, or another build named by RXCONNECT_BENCH_DIST (a folder with
// index.js and testing/index.js), to compare two versions on the same machine and day.
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const base = process.env.RXCONNECT_BENCH_DIST
  ? pathToFileURL(`${resolve(process.env.RXCONNECT_BENCH_DIST)}/`)
  : new URL('../../dist/', import.meta.url);

/** The `rxconnect` command of that build (cli-startup, scan-rate, scan-memory). */
export const CLI_MAIN = fileURLToPath(new URL('cli/main.js', base));

// createConnectHistory is undefined for a build from before the connect history (he-repeat, fetch-he-repeat).
export const { connectAsync$, connected, createConnectHistory } = await import(new URL('index.js', base).href);
export const { connectAfter, createVirtualNetwork } = await import(new URL('testing/index.js', base).href);
// rxconnect/http (the fetch-* benchmarks); undefined for a build from before it existed.
export const { connector } = await import(new URL('http/index.js', base).href).catch(() => ({ connector: undefined }));
