import { AddressQueue } from '../../src/connect/AddressQueue.js';
import { HistoryQueue } from '../../src/connect/HistoryQueue.js';
import type { Recalled } from '../../src/connect/ConnectHistory.js';
import type { SocketAddress } from '../../src/index.js';

function address(text: string): SocketAddress {
  return { address: text, family: text.includes(':') ? 6 : 4, port: 80 };
}

function queue(recalled: Recalled, order: 'interleaved' | 'resolver' = 'interleaved'): HistoryQueue {
  return new HistoryQueue(new AddressQueue(order, 1, 6), recalled);
}

/** Pushes `answer`, then takes every address: each as `address` or `address*` (placed by the history). */
function drain(q: HistoryQueue, answer: readonly string[]): string[] {
  for (const a of q.unseen(answer.map(address))) q.push(a);
  const tried: string[] = [];
  for (let a = q.next(); a !== undefined; a = q.next()) tried.push(q.moved ? `${a.address}*` : a.address);
  return tried;
}

const winner = (text: string): Recalled['winner'] => ({ address: text, family: text.includes(':') ? 6 : 4 });

describe('HistoryQueue', () => {
  it('should put the last winner first, whatever its family, and keep RFC 8305 order after it', () => {
    expect(drain(queue({ winner: winner('2.2.2.2'), failed: new Set() }), ['::1', '::2', '1.1.1.1', '2.2.2.2'])).toEqual(['2.2.2.2*', '::1', '1.1.1.1', '::2']);
  });

  it('should put the addresses that failed last time after every other, in their order', () => {
    expect(drain(queue({ winner: undefined, failed: new Set(['::1', '1.1.1.1']) }), ['::1', '::2', '1.1.1.1', '2.2.2.2'])).toEqual(['::2', '2.2.2.2', '::1*', '1.1.1.1*']);
  });

  it('should keep the resolver\'s order after the winner in sequential order', () => {
    expect(drain(queue({ winner: winner('::2'), failed: new Set(['1.1.1.1']) }, 'resolver'), ['1.1.1.1', '::1', '2.2.2.2', '::2'])).toEqual(['::2*', '::1', '2.2.2.2', '1.1.1.1*']);
  });

  it('should count and clear every list, and drop repeats', () => {
    const q = queue({ winner: winner('1.1.1.1'), failed: new Set(['::1']) });
    for (const a of q.unseen(['::1', '1.1.1.1', '::2', '::1'].map(address))) q.push(a);
    expect(q.size).toBe(3);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.next()).toBeUndefined();
  });

  it('should say when to start at once and when the other family is worth waiting for', () => {
    const q = queue({ winner: winner('1.1.1.1'), failed: new Set(['::1']) });
    expect(q.learned(6)).toBe('other');
    q.push(address('::1'));
    expect(q.learned(6)).toBe('other');
    q.push(address('1.1.1.1'));
    expect(q.learned(4)).toBe('now');
    q.next();
    // The winner's own family answered without it: it has left the name, and RFC 8305 decides.
    const moved = queue({ winner: winner('1.1.1.1'), failed: new Set() });
    moved.push(address('3.3.3.3'));
    expect(moved.learned(4)).toBeUndefined();
    expect(moved.learned(0)).toBeUndefined();
    // Only addresses that failed last time are queued: the other family may bring better ones.
    const failedOnly = queue({ winner: undefined, failed: new Set(['::1']) });
    failedOnly.push(address('::1'));
    expect(failedOnly.learned(6)).toBe('other');
  });
});
