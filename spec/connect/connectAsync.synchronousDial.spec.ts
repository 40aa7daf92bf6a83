import { map, Subscriber, VirtualTimeScheduler } from 'rxjs';
import type { Observable, Subscription } from 'rxjs';
import { connectAsync$, connected } from '../../src/index.js';
import type { Channel, ConnectEvent, SocketEvents, Transport, TransportSocket } from '../../src/index.js';
import { grammarProblems, label } from '../helpers/events.js';
import { scriptedSocket } from '../helpers/scriptedSocket.js';

// A transport may report a socket's connect or error before dial() has returned it, throw from dial(), or see
// its subscriber leave from inside dial(). The virtual network (always asynchronous) cannot produce these, so a
// scripted transport does, and each case is checked against a model of what the connect must do.

type Script = {
  /** What dial() does before it returns. */
  readonly inside: 'nothing' | 'connect' | 'error' | 'throw' | 'connect+error' | 'unsubscribe';
  /** What the socket reports after dial() returned (driven by the spec). */
  readonly after: 'nothing' | 'connect' | 'error' | 'connect+connect' | 'error+connect';
  /** The subscriber unsubscribes in next or error. */
  readonly leaveOn: 'never' | 'next' | 'error';
};

const REFUSED = 'error ECONNREFUSED connection refused (192.0.2.1 port 80: connection refused after 0 ms) [["ECONNREFUSED",0]]';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 192.0.2.1:80'), { code: 'ECONNREFUSED', syscall: 'connect' });
}

/**
 * What `connectAsync$(literal).pipe(connected())` must log for `script`: the first outcome wins (a connect held
 * until dial() returns the socket); a socket whose attempt failed or was left is destroyed when dial() returns
 * it, and again on each later connect it reports; a channel is closed (destroyed) when its subscriber leaves; the
 * final unsubscribe destroys a socket still connecting or connected.
 */
function expectedLog(script: Script): string[] {
  const log = ['dial 192.0.2.1'];
  // left: the subscriber left before an outcome; closed: it left on the channel.
  const model: { state: 'pending' | 'connected' | 'failed' | 'left' | 'closed' } = { state: 'pending' };
  let socketExists = false;
  let connectHeld = false;
  const onConnect = (): void => {
    if (!socketExists) return;
    if (model.state !== 'pending') {
      log.push('destroy');
      return;
    }
    model.state = 'connected';
    log.push('channel 192.0.2.1:80');
    if (script.leaveOn === 'next') {
      log.push('destroy');
      model.state = 'closed';
    }
  };
  const onError = (): void => {
    if (model.state !== 'pending') return;
    if (socketExists) log.push('destroy');
    model.state = 'failed';
    log.push(REFUSED);
  };
  for (const step of script.inside.split('+')) {
    if (step === 'connect') connectHeld = true;
    if (step === 'error' || step === 'throw') onError();
    if (step === 'unsubscribe') model.state = 'left';
  }
  if (script.inside !== 'throw') {
    socketExists = true;
    if (connectHeld) onConnect();
    if (model.state === 'failed' || model.state === 'left') log.push('destroy');
  }
  for (const step of script.after === 'nothing' ? [] : script.after.split('+')) {
    if (step === 'connect') onConnect();
    else onError();
  }
  log.push('unsubscribe');
  if (socketExists && (model.state === 'connected' || model.state === 'pending')) log.push('destroy');
  return log;
}

type Mode = 'fused' | 'connected() over the events' | 'events';

function run(script: Script, mode: Mode): { log: string[]; events: ConnectEvent[]; completed: boolean } {
  const log: string[] = [];
  const events: ConnectEvent[] = [];
  let completed = false;
  let socketEvents: SocketEvents | undefined;
  // A Subscriber made first, so that it can leave while subscribe() is still running (a synchronous connect).
  const subscriber: Subscriber<Channel | ConnectEvent> = new Subscriber<Channel | ConnectEvent>({
    next: (value: Channel | ConnectEvent) => {
      if ('type' in value) {
        events.push(value);
        if (value.type !== 'connected') return;
      }
      const channel = 'type' in value ? value.channel : value;
      log.push(`channel ${channel.peername.address}:${channel.peername.port}`);
      if (script.leaveOn === 'next') subscriber.unsubscribe();
    },
    error: (e: unknown) => {
      const { code, message, attempts } = e as { code: string; message: string; attempts: { code: string; duration: number }[] };
      log.push(`error ${code} ${message} ${JSON.stringify(attempts.map((a) => [a.code, a.duration]))}`);
      if (script.leaveOn === 'error') subscriber.unsubscribe();
    },
    complete: () => (completed = true),
  });
  const transport: Transport = {
    lookup: () => undefined,
    dial(request, dialEvents): TransportSocket {
      socketEvents = dialEvents;
      log.push(`dial ${request.remote.address}`);
      const socket = scriptedSocket(dialEvents, request.remote, { address: '192.0.2.100', family: 4, port: 40000 }, () => log.push('destroy'));
      if (script.inside === 'connect' || script.inside === 'connect+error') dialEvents.connect();
      if (script.inside === 'error' || script.inside === 'connect+error') dialEvents.error(refused());
      if (script.inside === 'throw') throw refused();
      if (script.inside === 'unsubscribe') subscriber.unsubscribe();
      return socket;
    },
    listen: (_r, _e, done) => done(new Error('not here')),
  };
  // Virtual time: an attempt's duration must not depend on the wall clock's millisecond ticking over.
  const events$ = connectAsync$('192.0.2.1', 80, { transport, scheduler: new VirtualTimeScheduler() });
  const source: Observable<Channel | ConnectEvent> =
    mode === 'fused' ? events$.pipe(connected()) : mode === 'events' ? events$ : events$.pipe(map((e) => e), connected());
  source.subscribe(subscriber);
  for (const step of script.after === 'nothing' ? [] : script.after.split('+')) {
    if (step === 'connect') socketEvents?.connect();
    else socketEvents?.error(refused());
  }
  log.push('unsubscribe');
  subscriber.unsubscribe();
  return { log, events, completed };
}

/** A transport whose dial reports the connect before it returns the socket. */
function synchronousTransport(): { transport: Transport; destroyed: () => number } {
  let destroyed = 0;
  const transport: Transport = {
    lookup: (_h, _o, cb) => cb(null, [{ address: '192.0.2.1', family: 4 }]),
    dial(request, events: SocketEvents): TransportSocket {
      const socket = scriptedSocket(events, request.remote, { address: '192.0.2.100', family: 4, port: 40000 }, (s) => {
        destroyed++;
        s.events.close();
      });
      events.connect();
      return socket;
    },
    listen: (_r, _e, done) => done(new Error('not here')),
  };
  return { transport, destroyed: () => destroyed };
}

describe('connectAsync$ over a transport that answers inside dial()', () => {
  it('should connect when the transport reports the connect synchronously inside dial', () => {
    const { transport, destroyed } = synchronousTransport();
    const events: ConnectEvent[] = [];
    let completed = false;
    const sub = connectAsync$('192.0.2.1', 80, { transport }).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
    expect(events.map(label)).toEqual(['resolved 4 192.0.2.1', 'attempt 0 192.0.2.1', 'connected 0 192.0.2.1']);
    sub.unsubscribe();
    expect(destroyed()).toBe(1);
    expect(completed).toBe(false);
  });

  const insides = ['nothing', 'connect', 'error', 'throw', 'connect+error', 'unsubscribe'] as const;
  const afters = ['nothing', 'connect', 'error', 'connect+connect', 'error+connect'] as const;
  const leaves = ['never', 'next', 'error'] as const;
  const cases = insides.flatMap((inside) => afters.flatMap((after) => leaves.map((leaveOn) => ({ inside, after, leaveOn }))));

  it.each(cases)('should take the first outcome and destroy every socket it does not hand out: $inside inside dial, $after after, leaving on $leaveOn', (script) => {
    const expected = expectedLog(script);
    expect(run(script, 'fused').log).toEqual(expected);
    expect(run(script, 'connected() over the events').log).toEqual(expected);
  });

  it.each(cases)('should tell it in events that obey the grammar: $inside inside dial, $after after, leaving on $leaveOn', (script) => {
    const { events, completed } = run(script, 'events');
    expect(grammarProblems(events, completed)).toEqual([]);
    const outcome = expectedLog(script).find((line) => line.startsWith('channel') || line.startsWith('error'));
    const terminal = events.map(label).find((l) => l.startsWith('connected') || l.startsWith('failed'));
    if (script.inside === 'unsubscribe') expect(terminal).toBeUndefined();
    else expect(terminal).toBe(outcome === undefined ? undefined : outcome.startsWith('channel') ? 'connected 0 192.0.2.1' : 'failed ECONNREFUSED');
  });

  it('should destroy a socket that arrives after the subscriber left from inside dial()', () => {
    // A name to look up: the socket comes from an attempt started by a lookup's answer.
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
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
  });
});
