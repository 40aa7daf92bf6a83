import { TestScheduler } from 'rxjs/testing';
import type { Observable } from 'rxjs';
import type { ConnectEvent } from '../../src/index.js';

/** A TestScheduler that compares with toStrictEqual. */
export function newScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toStrictEqual(expected));
}

/** A compact, readable label of one event, for marble values. */
export function label(event: ConnectEvent): string {
  switch (event.type) {
    case 'resolved':
      return `resolved ${event.family} ${event.addresses.map((a) => a.address).join(',')}`.trimEnd();
    case 'attempt':
      return `attempt ${event.attempt} ${event.address.address}${event.local ? ` from ${event.local.address}:${event.local.port}` : ''}${event.history ? ' history' : ''}`;
    case 'attemptFailed':
      return `attemptFailed ${event.attempt} ${event.address.address} ${event.error.code}`;
    case 'attemptCancelled':
      return `attemptCancelled ${event.attempt} ${event.address.address} ${event.reason}`;
    case 'handshake':
      return `handshake ${event.attempt} ${event.address.address}`;
    case 'connected':
      return `connected ${event.attempt} ${event.address.address}${event.tls ? ` ${event.tls.protocol ?? ''} ${event.tls.alpnProtocol ?? ''}`.trimEnd() : ''}`;
    case 'failed':
      return `failed ${event.error.code}`;
    case 'closed':
      return `closed${event.error ? ` ${(event.error as { code?: string }).code ?? event.error.message}` : ''}`;
  }
}

/**
 * Checks the event grammar (docs/design.md) over a complete (or cut-short) event list. Returns the problems found;
 * an empty list means the events obey it.
 */
export function grammarProblems(events: readonly ConnectEvent[], completed: boolean): string[] {
  const problems: string[] = [];
  let resolved = false;
  let nextAttempt = 0;
  const open = new Set<number>();
  const outcomes = new Map<number, string>();
  let terminal: string | undefined;
  let closed = false;
  /** The attempt whose handshake runs: the only one still in flight, and the only one that may connect. */
  let handshaking: number | undefined;
  let lastElapsed = -Infinity;
  for (const [i, e] of events.entries()) {
    const at = `event ${i} (${label(e)})`;
    if (e.elapsed < lastElapsed) problems.push(`${at}: elapsed went backwards`);
    lastElapsed = e.elapsed;
    if (closed) problems.push(`${at}: after closed`);
    if (terminal === 'failed') problems.push(`${at}: after failed`);
    switch (e.type) {
      case 'resolved':
        if (terminal !== undefined) problems.push(`${at}: resolved after the terminal event`);
        resolved = true;
        break;
      case 'attempt':
        if (!resolved) problems.push(`${at}: attempt before any resolved`);
        if (handshaking !== undefined) problems.push(`${at}: attempt after a handshake started`);
        if (terminal !== undefined) problems.push(`${at}: attempt after the terminal event`);
        if (e.attempt !== nextAttempt) problems.push(`${at}: expected attempt ${nextAttempt}`);
        // A connect's history may place an attempt (the flag is then true); it changes no other rule.
        if ('history' in e && e.history !== true) problems.push(`${at}: history is ${String(e.history)}, not true`);
        nextAttempt = e.attempt + 1;
        open.add(e.attempt);
        break;
      case 'handshake':
        if (!open.has(e.attempt)) problems.push(`${at}: handshake for attempt ${e.attempt}, which is not in flight`);
        if (open.size > 1) problems.push(`${at}: attempts other than ${e.attempt} still in flight at the handshake`);
        if (handshaking !== undefined) problems.push(`${at}: second handshake`);
        handshaking = e.attempt;
        break;
      case 'attemptFailed':
      case 'attemptCancelled':
      case 'connected':
        if (handshaking !== undefined && e.attempt !== handshaking) problems.push(`${at}: outcome for attempt ${e.attempt} during attempt ${handshaking}'s handshake`);
        if (handshaking !== undefined && e.type === 'attemptCancelled' && e.reason === 'lost') problems.push(`${at}: the handshaking attempt cannot lose`);
        if (!open.has(e.attempt)) problems.push(`${at}: outcome for attempt ${e.attempt}, which is not in flight`);
        if (outcomes.has(e.attempt)) problems.push(`${at}: second outcome for attempt ${e.attempt}`);
        outcomes.set(e.attempt, e.type);
        open.delete(e.attempt);
        if (e.type === 'connected') {
          if (terminal !== undefined) problems.push(`${at}: second terminal event`);
          if (open.size > 0) problems.push(`${at}: attempts ${[...open].join(',')} still in flight at connected`);
          terminal = 'connected';
        }
        break;
      case 'failed':
        if (terminal !== undefined) problems.push(`${at}: second terminal event`);
        if (open.size > 0) problems.push(`${at}: attempts ${[...open].join(',')} still in flight at failed`);
        if (e.error.message === '') problems.push(`${at}: empty message`);
        terminal = 'failed';
        break;
      case 'closed':
        if (terminal !== 'connected') problems.push(`${at}: closed without connected`);
        closed = true;
        break;
    }
  }
  if (completed) {
    if (terminal === undefined) problems.push('completed without connected or failed');
    if (terminal === 'connected' && !closed) problems.push('completed after connected without closed');
  }
  return problems;
}

/**
 * Subscribes until the connect settles (`connected` or `failed`), then unsubscribes (closing a connected
 * channel); returns the events so far, after checking their grammar.
 */
export async function settle(events$: Observable<ConnectEvent>): Promise<ConnectEvent[]> {
  const events: ConnectEvent[] = [];
  await new Promise<void>((resolve, reject) => {
    const sub = events$.subscribe({
      next: (e) => {
        events.push(e);
        if (e.type === 'connected' || e.type === 'failed') {
          queueMicrotask(() => sub.unsubscribe());
          resolve();
        }
      },
      error: reject,
    });
  });
  expect(grammarProblems(events, false)).toEqual([]);
  return events;
}
