import { lastValueFrom, toArray } from 'rxjs';
import { connectAsync$ } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { refusedPort, settledTcpHandles } from '../helpers/loopback.js';

describe('connectAsync$ binding the port it dials (TCP self-connect)', () => {
  afterEach(async () => {
    expect(await settledTcpHandles()).toBe(0);
  });

  it('should fail with ESELFCONNECT, not connect the socket to itself, when nothing listens on the port', async () => {
    const port = await refusedPort();
    const events = await lastValueFrom(connectAsync$('127.0.0.1', port, { myport: port }).pipe(toArray()));
    expect(grammarProblems(events, true)).toEqual([]);
    expect(events.map(label)).toEqual([
      'resolved 4 127.0.0.1',
      `attempt 0 127.0.0.1 from 0.0.0.0:${port}`,
      'attemptFailed 0 127.0.0.1 ESELFCONNECT',
      'failed ESELFCONNECT',
    ]);
    const failed = events.at(-1);
    if (failed?.type !== 'failed') throw new Error('not failed');
    expect(failed.error.message).toBe(`socket connected to itself (127.0.0.1 port ${port}: socket connected to itself after ${failed.error.attempts[0]?.duration ?? '?'} ms)`);
  });
});
