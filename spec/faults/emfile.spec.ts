import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { settledTcpHandles, startServer } from '../helpers/loopback.js';
import type { TestServer } from '../helpers/loopback.js';

// Running out of file descriptors. A child process (spec/faults/child/emfile.mjs), started under `ulimit -n 40`,
// opens connects to this process's loopback server and keeps them until descriptors run out. It reports what
// happened as JSON; the child watches its own process for uncaught exceptions, unhandled rejections and unhandled
// 'error' events. The child imports the library compiled from the current src/ (scripts/build-cached.mjs builds
// it into node_modules/.cache/rxconnect/lib when src/ changed, leaving dist/ alone).

type Report = {
  connected: number;
  emfile: number;
  outcomes: Record<string, number>;
  failedMessages: string[];
  dual: string[];
  listenError: { name: string; code: string; message: string } | undefined;
  handlesAfterRelease: number;
  recovered: boolean;
  handlesAtEnd: number;
  problems: string[];
};

const run = promisify(execFile);
const root = process.cwd();

describe('running out of file descriptors', () => {
  let lib: string;
  let server: TestServer | undefined;

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [join(root, 'scripts', 'build-cached.mjs')], { cwd: root });
    lib = stdout.trim();
  }, 120_000);

  afterEach(async () => {
    await server?.stop();
    server = undefined;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should fail each attempt with a typed EMFILE, keep the process alive, and connect again once descriptors are free', async () => {
    server = await startServer('127.0.0.1');
    const child = join(root, 'spec', 'faults', 'child', 'emfile.mjs');
    const { stdout, stderr } = await run('bash', ['-c', `ulimit -n 40; exec "${process.execPath}" "${child}" "${lib}" ${server.port}`], { cwd: root, timeout: 60_000 });
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as Report;

    expect(report.problems).toEqual([]);
    // Some connects got a descriptor; every later one failed, attempt by attempt, with EMFILE.
    expect(report.connected).toBeGreaterThan(5);
    expect(report.emfile).toBeGreaterThan(10);
    expect(report.connected + report.emfile).toBe(60);
    expect(report.outcomes).toEqual({
      'resolved 4 127.0.0.1 | attempt 0 127.0.0.1 | connected 0 127.0.0.1': report.connected,
      'resolved 4 127.0.0.1 | attempt 0 127.0.0.1 | attemptFailed 0 127.0.0.1 EMFILE | failed EMFILE': report.emfile,
    });
    expect(report.failedMessages).toEqual(['too many open files (127.0.0.1 port P: too many open files after N ms)']);
    expect(report.dual.filter((l) => !l.startsWith('resolved'))).toEqual([
      'attempt 0 ::1',
      'attemptFailed 0 ::1 EMFILE',
      'attempt 1 127.0.0.1',
      'attemptFailed 1 127.0.0.1 EMFILE',
      'failed EMFILE',
    ]);
    expect(report.listenError).toEqual({ name: 'ConnectError', code: 'EMFILE', message: 'too many open files (listen on 127.0.0.1 port 0)' });
    // Released, the process has no socket left, and connects again.
    expect(report.handlesAfterRelease).toBe(0);
    expect(report.recovered).toBe(true);
    expect(report.handlesAtEnd).toBe(0);
  });
});
