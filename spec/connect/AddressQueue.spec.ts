import { AddressQueue } from '../../src/connect/AddressQueue.js';
import type { AddressOrder, FirstFamily } from '../../src/connect/AddressQueue.js';
import type { SocketAddress } from '../../src/index.js';

// Table-driven, as trio's test_highlevel_open_tcp_stream and SwiftNIO's TargetIterator tests: each row gives the
// answers as they arrive (with how many addresses are taken before the next answer) and the order of the tries.

function address(text: string): SocketAddress {
  return { address: text, family: text.includes(':') ? 6 : 4, port: 80 };
}

type Row = {
  readonly name: string;
  readonly order: AddressOrder;
  readonly firstFamilyCount: number;
  /** The family the interleaving starts with (default IPv6). */
  readonly firstFamily?: FirstFamily;
  /** Each answer, and how many addresses are taken after it (all that are left, after the last one). */
  readonly answers: readonly { readonly addresses: readonly string[]; readonly take?: number }[];
  readonly tried: readonly string[];
};

const rows: readonly Row[] = [
  { name: 'IPv6 first, then the families alternate', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '::1', '::2'] }], tried: ['::1', '1.1.1.1', '::2', '2.2.2.2'] },
  { name: 'one family runs out: the other goes on', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['::1', '1.1.1.1', '2.2.2.2', '3.3.3.3'] }], tried: ['::1', '1.1.1.1', '2.2.2.2', '3.3.3.3'] },
  { name: 'firstFamilyCount 2: two IPv6 lead', order: 'interleaved', firstFamilyCount: 2,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '::1', '::2', '::3'] }], tried: ['::1', '::2', '1.1.1.1', '::3', '2.2.2.2'] },
  { name: 'firstFamilyCount larger than the family: the lead ends with it', order: 'interleaved', firstFamilyCount: 5,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '::1', '::2'] }], tried: ['::1', '::2', '1.1.1.1', '2.2.2.2'] },
  { name: 'IPv4 only', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2'] }], tried: ['1.1.1.1', '2.2.2.2'] },
  { name: 'IPv4 answered first and taken: IPv4 leads, a late IPv6 answer alternates in', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '3.3.3.3'], take: 1 }, { addresses: ['::1', '::2'] }],
    tried: ['1.1.1.1', '::1', '2.2.2.2', '::2', '3.3.3.3'] },
  { name: 'a late answer joins the untried tail', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['::1', '::2'], take: 1 }, { addresses: ['1.1.1.1'] }], tried: ['::1', '1.1.1.1', '::2'] },
  { name: 'a late answer after the queue ran dry', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['::1'], take: 1 }, { addresses: ['1.1.1.1', '2.2.2.2'] }], tried: ['::1', '1.1.1.1', '2.2.2.2'] },
  { name: 'repeats within an answer and across answers are dropped', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: ['::1', '::1', '1.1.1.1'], take: 0 }, { addresses: ['1.1.1.1', '::1', '2.2.2.2'] }],
    tried: ['::1', '1.1.1.1', '2.2.2.2'] },
  { name: 'resolver order: kept as answered', order: 'resolver', firstFamilyCount: 1,
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '::1', '3.3.3.3'] }], tried: ['1.1.1.1', '2.2.2.2', '::1', '3.3.3.3'] },
  { name: 'resolver order: repeats dropped, a later answer appended', order: 'resolver', firstFamilyCount: 1,
    answers: [{ addresses: ['::1', '1.1.1.1', '::1'], take: 1 }, { addresses: ['1.1.1.1', '::2'] }], tried: ['::1', '1.1.1.1', '::2'] },
  { name: 'IPv4 first when asked, then the families alternate', order: 'interleaved', firstFamilyCount: 1, firstFamily: 4,
    answers: [{ addresses: ['::1', '::2', '1.1.1.1', '2.2.2.2'] }], tried: ['1.1.1.1', '::1', '2.2.2.2', '::2'] },
  { name: 'IPv4 first when asked, but IPv6 when it is all there is', order: 'interleaved', firstFamilyCount: 1, firstFamily: 4,
    answers: [{ addresses: ['::1', '::2'] }], tried: ['::1', '::2'] },
  { name: 'the resolver\'s first family first (IPv4), then alternating', order: 'interleaved', firstFamilyCount: 1, firstFamily: 'resolver',
    answers: [{ addresses: ['1.1.1.1', '2.2.2.2', '::1', '::2'] }], tried: ['1.1.1.1', '::1', '2.2.2.2', '::2'] },
  { name: 'the resolver\'s first family first (IPv6), two leading', order: 'interleaved', firstFamilyCount: 2, firstFamily: 'resolver',
    answers: [{ addresses: ['::1', '1.1.1.1', '::2', '2.2.2.2'] }], tried: ['::1', '::2', '1.1.1.1', '2.2.2.2'] },
  { name: 'no answer has addresses', order: 'interleaved', firstFamilyCount: 1,
    answers: [{ addresses: [], take: 1 }, { addresses: [] }], tried: [] },
];

function drain(queue: AddressQueue, tried: string[], count = Infinity): void {
  for (let i = 0; i < count; i++) {
    const next = queue.next();
    if (next === undefined) return;
    tried.push(next.address);
  }
}

describe('AddressQueue', () => {
  it.each(rows)('should try $name', ({ order, firstFamilyCount, firstFamily, answers, tried }) => {
    const queue = new AddressQueue(order, firstFamilyCount, firstFamily);
    const seen: string[] = [];
    answers.forEach(({ addresses, take }, i) => {
      for (const a of queue.unseen(addresses.map(address))) queue.push(a);
      drain(queue, seen, i === answers.length - 1 ? Infinity : take ?? 0);
    });
    expect(seen).toEqual(tried);
    expect(queue.size).toBe(0);
  });

  it('should return only the addresses not seen before, in answer order', () => {
    const queue = new AddressQueue('interleaved', 1);
    expect(queue.unseen(['::1', '1.1.1.1', '::1'].map(address)).map((a) => a.address)).toEqual(['::1', '1.1.1.1']);
    expect(queue.unseen(['1.1.1.1', '2.2.2.2'].map(address)).map((a) => a.address)).toEqual(['2.2.2.2']);
  });

  it('should count what is queued, and forget everything on clear', () => {
    const queue = new AddressQueue('interleaved', 1);
    for (const a of queue.unseen(['::1', '1.1.1.1', '2.2.2.2'].map(address))) queue.push(a);
    expect(queue.size).toBe(3);
    queue.next();
    expect(queue.size).toBe(2);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.next()).toBeUndefined();
    expect(queue.unseen([address('::1')])).toHaveLength(1);
  });

});
