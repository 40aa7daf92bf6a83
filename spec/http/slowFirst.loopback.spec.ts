import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { connector } from '../../src/http/index.js';
import { DUAL, fixedLookup, settledTcpHandles } from '../helpers/loopback.js';

/** The benchmarks' loopback listeners (Python): `slowhttp` accepts on ::1 only after a while, then answers HTTP. */
const LOOPBACK_PY = fileURLToPath(new URL('../../bench/lib/loopback.py', import.meta.url));

describe('fetch through the connector when ::1 is slow but alive and 127.0.0.1 refuses', () => {
  let helper: ChildProcess | undefined;
  let agent: Agent | undefined;

  afterEach(async () => {
    await agent?.close();
    agent = undefined;
    helper?.stdin?.end();
    if (helper !== undefined && helper.exitCode === null) await once(helper, 'exit');
    helper = undefined;
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should get the response over the slow ::1, where the first attempt is kept running', async () => {
    helper = spawn('python3', [LOOPBACK_PY], { stdio: ['pipe', 'pipe', 'inherit'] });
    const reply = once(helper.stdout as NodeJS.ReadableStream, 'data');
    helper.stdin?.write('slowhttp 6 0 0.5\n');
    const [line] = (await reply) as [Buffer];
    const port = Number(/^ok \d+ (\d+)/.exec(line.toString())?.[1]);
    expect(port).toBeGreaterThan(0);
    // Nothing listens on 127.0.0.1 at that port: the IPv4 attempt is refused at once.
    agent = new Agent({ connect: connector({ lookup: fixedLookup(DUAL), attemptDelay: 250 }) });
    const started = Date.now();
    const response = await fetch(`http://dual.test:${port}/`, { dispatcher: agent });
    expect(await response.text()).toBe('ok');
    // The SYN retry after about 1 s got through once the listener accepted.
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
  }, 15_000);
});
