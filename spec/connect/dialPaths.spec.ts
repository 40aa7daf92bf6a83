import { map, Subscriber, Subscription, VirtualTimeScheduler } from 'rxjs';
import type { Observable } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel, SocketEvents, Transport, TransportSocket } from '../../src/index.js';
import { scriptedSocket } from '../helpers/scriptedSocket.js';

// The fused `connectAsync$(literal).pipe(connected())` dials with OneAddressDial; with anything in between, the
// Dialer does the work. A scripted transport that may answer synchronously, inside dial(), checks that the two
// end the same way in the cases the virtual network (always asynchronous) cannot produce.

type Script = {
  /** What dial() does before it returns. */
  readonly inside: 'nothing' | 'connect' | 'error' | 'throw' | 'connect+error' | 'unsubscribe';
  /** What happens after it returned (called by the spec). */
  readonly after: 'nothing' | 'connect' | 'error' | 'connect+connect' | 'error+connect';
  /** The subscriber unsubscribes in next or error. */
  readonly leaveOn: 'never' | 'next' | 'error';
};

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:80'), { code: 'ECONNREFUSED', syscall: 'connect' });
}

function run(script: Script, fused: boolean): string[] {
  const log: string[] = [];
  let events: SocketEvents | undefined;
  let subscription: Subscription | undefined;
  const unsubscribeNow = { wanted: false };

  const transport: Transport = {
    lookup: () => undefined,
    dial(request, socketEvents): TransportSocket {
      events = socketEvents;
      log.push(`dial ${request.remote.address}`);
      const socket = scriptedSocket(socketEvents, request.remote, { address: '192.0.2.100', family: 4, port: 40000 }, () => log.push('destroy'));
      if (script.inside === 'connect' || script.inside === 'connect+error') socketEvents.connect();
      if (script.inside === 'error' || script.inside === 'connect+error') socketEvents.error(refused());
      if (script.inside === 'throw') throw refused();
      if (script.inside === 'unsubscribe') unsubscribeNow.wanted = true;
      if (unsubscribeNow.wanted) subscription?.unsubscribe();
      return socket;
    },
    listen: (_r, _e, done) => done(new Error('not here')),
  };
  // Virtual time: an attempt's duration must not depend on the wall clock's millisecond ticking over.
  const events$ = connectAsync$('192.0.2.1', 80, { transport, scheduler: new VirtualTimeScheduler() });
  const channel$: Observable<Channel> = fused ? events$.pipe(connected()) : events$.pipe(map((e) => e), connected());
  // A Subscriber made first, so that it can leave while subscribe() is still running (a synchronous connect).
  const subscriber: Subscriber<Channel> = new Subscriber<Channel>({
    next: (channel) => {
      log.push(`channel ${channel.peername.address}:${channel.peername.port}`);
      if (script.leaveOn === 'next') subscriber.unsubscribe();
    },
    error: (e: unknown) => {
      const { code, message, attempts } = e as { code: string; message: string; attempts: { code: string; duration: number }[] };
      log.push(`error ${code} ${message} ${JSON.stringify(attempts.map((a) => [a.code, a.duration]))}`);
      if (script.leaveOn === 'error') subscriber.unsubscribe();
    },
    complete: () => log.push('complete'),
  });
  subscription = subscriber;
  channel$.subscribe(subscriber);
  for (const step of script.after === 'nothing' ? [] : script.after.split('+')) {
    if (step === 'connect') events?.connect();
    else events?.error(refused());
  }
  log.push('unsubscribe');
  subscription.unsubscribe();
  return log;
}

describe('the dial of one IP literal (OneAddressDial) against the Dialer', () => {
  const insides = ['nothing', 'connect', 'error', 'throw', 'connect+error', 'unsubscribe'] as const;
  const afters = ['nothing', 'connect', 'error', 'connect+connect', 'error+connect'] as const;
  const leaves = ['never', 'next', 'error'] as const;
  const cases = insides.flatMap((inside) => afters.flatMap((after) => leaves.map((leaveOn) => ({ inside, after, leaveOn }))));

  it.each(cases)('should end the same way: $inside inside dial, $after after, leaving on $leaveOn', (script) => {
    expect(run(script, true)).toEqual(run(script, false));
  });

  it('should destroy a socket that arrives after the subscriber left from inside dial()', () => {
    // The Dialer (a name to look up, so not the one-address path) once kept such a socket.
    const log: string[] = [];
    let subscription: Subscription | undefined;
    const transport: Transport = {
      lookup: (_h, _o, cb) => setImmediate(() => cb(null, [{ address: '192.0.2.1', family: 4 }])),
      dial(request, socketEvents): TransportSocket {
        subscription?.unsubscribe();
        return scriptedSocket(socketEvents, request.remote, undefined, () => log.push('destroy'));
      },
      listen: (_r, _e, done) => done(new Error('not here')),
    };
    return new Promise<void>((resolve, reject) => {
      subscription = connectAsync$('h.test', 80, { transport, family: 4 }).subscribe();
      setImmediate(() => {
        try {
          expect(log).toEqual(['destroy']);
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
  });
});
