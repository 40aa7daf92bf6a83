import { jest } from '@jest/globals';
import { VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { ArgumentOutOfRangeError, InvalidArgumentError, createConnectHistory } from '../../src/index.js';
import type { ConnectHistoryOptions } from '../../src/index.js';
import { parseHistory } from '../../src/connect/ConnectHistory.js';
import type { HistoryStore } from '../../src/connect/ConnectHistory.js';

const V4 = { address: '192.0.2.1', family: 4, port: 80 } as const;
const V6 = { address: '2001:db8::1', family: 6, port: 80 } as const;

/** A history on a virtual clock, and a way to move the clock on. */
function clocked(options: ConnectHistoryOptions = {}): { history: HistoryStore; advance: (ms: number) => void } {
  const scheduler = new VirtualTimeScheduler(VirtualAction, Infinity);
  const history = createConnectHistory({ scheduler, ...options }) as HistoryStore;
  return {
    history,
    advance: (ms) => {
      scheduler.schedule(() => undefined, ms);
      scheduler.flush();
    },
  };
}

describe('createConnectHistory', () => {
  it('should record a winner and failures per host and port, and recall them', () => {
    const { history, advance } = clocked();
    history.failed('h.test', 80, V6, 'ETIMEDOUT');
    advance(10);
    history.won('h.test', 80, V4);
    expect(history.entries()).toEqual([
      { host: 'h.test', port: 80, winner: { address: '192.0.2.1', family: 4, at: 10 }, failed: [{ address: '2001:db8::1', family: 6, code: 'ETIMEDOUT', at: 0 }] },
    ]);
    expect(history.recall('H.Test', 80)).toEqual({ winner: { address: '192.0.2.1', family: 4, at: 10 }, failed: new Set(['2001:db8::1']) });
    expect(history.recall('h.test', 81)).toBeUndefined();
  });

  it('should turn a winner that fails into a failure, and a failure that wins into the winner', () => {
    const { history } = clocked();
    history.won('h.test', 80, V4);
    history.failed('h.test', 80, V4, 'ECONNREFUSED');
    expect(history.recall('h.test', 80)).toEqual({ winner: undefined, failed: new Set(['192.0.2.1']) });
    history.won('h.test', 80, V4);
    expect(history.recall('h.test', 80)).toEqual({ winner: { address: '192.0.2.1', family: 4, at: 0 }, failed: new Set() });
  });

  it('should let each record expire ttl after it was made, and drop an entry with nothing left', () => {
    const { history, advance } = clocked({ ttl: 100 });
    history.failed('h.test', 80, V6, 'ETIMEDOUT');
    advance(60);
    history.won('h.test', 80, V4);
    advance(40);
    expect(history.entries()[0]?.failed).toEqual([]);
    expect(history.entries()[0]?.winner?.address).toBe('192.0.2.1');
    advance(60);
    expect(history.entries()).toEqual([]);
    expect(history.recall('h.test', 80)).toBeUndefined();
  });

  it('should drop the least recently used entry beyond maxEntries (a recall counts as a use)', () => {
    const { history } = clocked({ maxEntries: 2 });
    history.won('a.test', 80, V4);
    history.won('b.test', 80, V4);
    history.recall('a.test', 80);
    history.won('c.test', 80, V4);
    expect(history.entries().map((e) => e.host)).toEqual(['a.test', 'c.test']);
  });

  it('should forget everything on clear()', () => {
    const { history } = clocked();
    history.won('a.test', 80, V4);
    history.clear();
    expect(history.entries()).toEqual([]);
  });

  it('should default to a 10-minute ttl on asyncScheduler\'s clock', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      const history = createConnectHistory() as HistoryStore;
      history.won('a.test', 80, V4);
      now.mockReturnValue(1_000_000 + 599_999);
      expect(history.entries()[0]?.winner?.at).toBe(1_000_000);
      now.mockReturnValue(1_000_000 + 600_000);
      expect(history.recall('a.test', 80)).toBeUndefined();
    } finally {
      now.mockRestore();
    }
  });

  it('should validate its options, naming the bad one', () => {
    expect(() => createConnectHistory({ tll: 5 } as ConnectHistoryOptions)).toThrow(/options\.tll: unknown option; did you mean "ttl"\?/);
    expect(() => createConnectHistory({ ttl: '5' as unknown as number })).toThrow(InvalidArgumentError);
    expect(() => createConnectHistory({ ttl: 0 })).toThrow(/ttl/);
    expect(() => createConnectHistory({ ttl: -1 })).toThrow(ArgumentOutOfRangeError);
    expect(() => createConnectHistory({ maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => createConnectHistory({ maxEntries: 1.5 })).toThrow(ArgumentOutOfRangeError);
    expect(() => createConnectHistory({ scheduler: {} as never })).toThrow(/scheduler/);
    expect(() => createConnectHistory(null as never)).toThrow(/options/);
  });

  it('should take as the history option only a history, false or undefined', () => {
    const history = createConnectHistory();
    expect(parseHistory(history, 'history')).toBe(history);
    expect(parseHistory(false, 'history')).toBeUndefined();
    expect(parseHistory(undefined, 'history')).toBeUndefined();
    expect(() => parseHistory({ entries: () => [], clear: () => undefined }, 'history')).toThrow(/history: must be a ConnectHistory/);
  });
});
