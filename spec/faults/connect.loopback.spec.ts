import { lastValueFrom, toArray } from 'rxjs';
import { connectAsync$, connectTimeout, listen$ } from '../../src/index.js';
import type { ConnectEvent, LookupFunction } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { DUAL, fixedLookup, loopbackFixtures } from '../helpers/loopback.js';
import { guardProcess, quiet } from './support.js';
import type { ProcessGuard } from './support.js';

// Faults before a connection exists, on loopback: an address that never answers (a listener whose accept queue
// is full, so SYNs are dropped), and resolvers that fail, throw, reject, answer twice, or never answer. Each ends
// in a typed `failed` (or a connection through another address), with no crash and no handle left open.

/** Runs a connect to its end (unsubscribing once connected), checking the event grammar. */
async function run(events$: ReturnType<typeof connectAsync$>): Promise<ConnectEvent[]> {
  const events: ConnectEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    const sub = events$.subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'connected') queueMicrotask(() => (sub.unsubscribe(), resolve()));
      },
      error: reject,
      complete: resolve,
    });
  });
  expect(grammarProblems(events, events.at(-1)?.type === 'failed')).toEqual([]);
  return events;
}

const failure = (events: readonly ConnectEvent[]): { code: string; message: string } => {
  const last = events.at(-1);
  if (last?.type !== 'failed') throw new Error(`expected failed, got ${last === undefined ? 'nothing' : label(last)}`);
  return { code: last.error.code, message: last.error.message };
};

describe('faults while connecting (loopback)', () => {
  let guard: ProcessGuard;
  // After the servers and black holes stop, and before the handle check: no uncaught error, rejection or 'error' event.
  const net = loopbackFixtures({
    afterStop: async () => {
      await quiet();
      expect(guard.stop()).toEqual([]);
    },
  });

  beforeEach(() => {
    guard = guardProcess();
  });

  describe('the hanging address', () => {
    it('should fail the attempt with ETIMEDOUT after attemptTimeout', async () => {
      const hole = await net.blackhole(4);
      const events = await run(connectAsync$('127.0.0.1', hole.port, { attemptTimeout: 150 }));
      expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'attemptFailed 0 127.0.0.1 ETIMEDOUT', 'failed ETIMEDOUT']);
      expect(failure(events).message).toMatch(/^connection timed out \(127\.0\.0\.1 port \d+: connection timed out after 1\d\d ms\)$/);
    });

    it('should give up at the connectTimeout deadline, cancelling the attempt (reason timeout)', async () => {
      const hole = await net.blackhole(4);
      const events = await run(connectAsync$('127.0.0.1', hole.port).pipe(connectTimeout(150)));
      expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'attemptCancelled 0 127.0.0.1 timeout', 'failed ETIMEDOUT']);
    });

    it('should race past a hanging ::1 to 127.0.0.1 on the same port, and cancel the loser', async () => {
      const server = await net.server('127.0.0.1');
      await net.blackhole(6, server.port);
      const events = await run(connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL), attemptDelay: 50 }));
      expect(events.map(label).filter((l) => !l.startsWith('resolved'))).toEqual([
        'attempt 0 ::1',
        'attempt 1 127.0.0.1',
        'attemptCancelled 0 ::1 lost',
        'connected 1 127.0.0.1',
      ]);
    });

    it('should move on from the hanging address after attemptTimeout in the sequential strategy', async () => {
      const server = await net.server('127.0.0.1');
      await net.blackhole(6, server.port);
      const events = await run(connectAsync$('dual.test', server.port, { lookup: fixedLookup(DUAL), strategy: 'sequential', attemptTimeout: 100 }));
      expect(events.map(label)).toEqual([
        'resolved 0 ::1,127.0.0.1',
        'attempt 0 ::1',
        'attemptFailed 0 ::1 ETIMEDOUT',
        'attempt 1 127.0.0.1',
        'connected 1 127.0.0.1',
      ]);
    });
  });

  describe('the resolver', () => {
    const errors: [string, LookupFunction, string][] = [
      ['calls back with an error', (_h, _o, cb) => void setImmediate(() => cb(Object.assign(new Error('getaddrinfo ENOTFOUND x.test'), { code: 'ENOTFOUND' }))), 'ENOTFOUND'],
      ['calls back with a temporary failure', (_h, _o, cb) => void setTimeout(() => cb(Object.assign(new Error('getaddrinfo EAI_AGAIN x.test'), { code: 'EAI_AGAIN' })), 5), 'EAI_AGAIN'],
      ['throws an error with a code', () => {
        throw Object.assign(new Error('resolver broke'), { code: 'EAI_FAIL' });
      }, 'EAI_FAIL'],
      ['throws an error without a code', () => {
        throw new Error('resolver broke');
      }, 'ERR_LOOKUP'],
      ['throws something that is not an error', () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a resolver that throws a non-Error is the fault under test
        throw 'a string';
      }, 'ERR_LOOKUP'],
      // eslint-disable-next-line @typescript-eslint/require-await -- an async resolver whose promise rejects is the fault under test
      ['is an async function that throws (its promise rejects)', (async () => {
        throw Object.assign(new Error('async resolver broke'), { code: 'EAI_FAIL' });
      }), 'EAI_FAIL'],
      ['answers with nothing', (_h, _o, cb) => void setImmediate(() => cb(null, [])), 'ENOTFOUND'],
      ['answers with junk', (_h, _o, cb) => void setImmediate(() => cb(null, [{ address: 'not an address', family: 4 }, null as never, 42 as never])), 'ENOTFOUND'],
    ];

    it.each(errors)('should end in a typed failed when it %s', async (_what, lookup, code) => {
      for (const strategy of ['happy-eyeballs', 'sequential'] as const) {
        const events = await run(connectAsync$('x.test', 80, { lookup, strategy }).pipe(connectTimeout(2000)));
        expect(failure(events).code).toBe(code);
        expect(failure(events).message).not.toBe('');
        expect(events.filter((e) => e.type === 'attempt')).toEqual([]);
      }
    });

    it('should give up at the connectTimeout deadline when it never answers, cancel the lookup, and ignore a late answer', async () => {
      const server = await net.server('127.0.0.1');
      const late: ((error: Error | null, addresses?: { address: string; family: number }[]) => void)[] = [];
      let cancelled = 0;
      const never: LookupFunction = (_h, _o, cb) => {
        late.push(cb);
        return { cancel: () => cancelled++ };
      };
      const events = await run(connectAsync$('x.test', server.port, { lookup: never }).pipe(connectTimeout(100)));
      expect(events.map(label)).toEqual(['failed ETIMEDOUT']);
      expect(cancelled).toBe(2);
      // The answer comes after all: nobody is listening, and nothing is dialed.
      for (const cb of late) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      await quiet();
      expect(server.clients).toEqual([]);
    });

    it('should give up at the deadline when it never answers and has no cancel', async () => {
      const events = await run(connectAsync$('x.test', 80, { lookup: () => undefined, strategy: 'sequential' }).pipe(connectTimeout(50)));
      expect(events.map(label)).toEqual(['failed ETIMEDOUT']);
    });

    it('should ignore a second answer and connect with the first', async () => {
      const server = await net.server('127.0.0.1');
      const twice: LookupFunction = (_h, _o, cb) => {
        setImmediate(() => {
          cb(null, [{ address: '127.0.0.1', family: 4 }]);
          cb(Object.assign(new Error('late failure'), { code: 'ENOTFOUND' }));
          cb(null, [{ address: '::1', family: 6 }]);
        });
      };
      const events = await run(connectAsync$('x.test', server.port, { lookup: twice, family: 4 }));
      expect(events.map(label)).toEqual(['resolved 4 127.0.0.1', 'attempt 0 127.0.0.1', 'connected 0 127.0.0.1']);
    });

    it('should fail listen$ with a typed error when its resolver throws or rejects', async () => {
      const throwing: LookupFunction = () => {
        throw Object.assign(new Error('resolver broke'), { code: 'EAI_FAIL' });
      };
      // eslint-disable-next-line @typescript-eslint/require-await -- an async resolver whose promise rejects is the fault under test
      const rejecting = (async () => {
        throw Object.assign(new Error('async resolver broke'), { code: 'EAI_FAIL' });
      }) as LookupFunction;
      for (const lookup of [throwing, rejecting]) {
        const error = await lastValueFrom(listen$(0, { myaddr: 'me.test', lookup }).pipe(toArray())).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ name: 'ConnectError', code: 'EAI_FAIL' });
      }
    });
  });
});
