import fc from 'fast-check';
import { formatIPv6, parseCidr, parseIPv6 } from '../../src/cli/ipRange.js';
import type { ScanForm, ScanTarget } from '../../src/cli/scanTargets.js';
import { expandForm, listLine, parsePorts, parseScanTarget, parseShard, shardCount, topPorts } from '../../src/cli/scanTargets.js';
import { TOP_PORTS } from '../../src/cli/topPorts.js';
import { UsageError } from '../../src/cli/usage.js';

const all = (form: ScanForm): string[] => [...expandForm(form, 0)].map((t) => `${t.host}|${t.port}`);
const ports = (text: string): (number | string)[] => {
  const set = parsePorts(text, 'x');
  return Array.from({ length: set.count }, (_, i) => set.at(i));
};

describe('scan target forms', () => {
  it('reads port lists, ranges, mixes and service names, in the order written', () => {
    expect(ports('22,80,443')).toEqual([22, 80, 443]);
    expect(ports('1-1024')).toHaveLength(1024);
    expect(ports('1-1024').slice(0, 2)).toEqual([1, 2]);
    expect(ports('22,8000-8100')).toEqual([22, ...Array.from({ length: 101 }, (_, i) => 8000 + i)]);
    expect(ports('http,8080,ssh')).toEqual(['http', 8080, 'ssh']);
    expect(parsePorts('http,8080,ssh', 'x').services).toEqual(['http', 'ssh']);
  });

  it('scans a port written twice once, at its first place: repeats, overlapping ranges, a name twice', () => {
    expect(ports('80,80')).toEqual([80]);
    expect(ports('443,22,443,22')).toEqual([443, 22]);
    expect(ports('1-5,3-8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ports('3-8,1-5')).toEqual([3, 4, 5, 6, 7, 8, 1, 2]);
    expect(ports('10-20,1-30')).toEqual([...Array.from({ length: 11 }, (_, i) => 10 + i), ...Array.from({ length: 9 }, (_, i) => 1 + i), ...Array.from({ length: 10 }, (_, i) => 21 + i)]);
    expect(ports('http,80,http')).toEqual(['http', 80]);
    expect(parseScanTarget('127.0.0.0/30:22,22').count).toBe(4);
  });

  it('takes a list of every port, one by one and in any order, in one pass', () => {
    const all = Array.from({ length: 65535 }, (_, i) => 1 + ((i * 7919) % 65535));
    const set = parsePorts([...all, ...all.slice(0, 1000), '1-65535'].join(','), 'x');
    expect(set.count).toBe(65535);
    expect([set.at(0), set.at(1), set.at(65534)]).toEqual([all[0], all[1], all[65534]]);
  });

  it('matches a naive expansion without repeats, for any list of ports and ranges', () => {
    const item = fc.oneof(
      fc.integer({ min: 1, max: 60 }).map(String),
      fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 20 })).map(([from, n]) => `${from}-${from + n}`),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), (items) => {
        const naive = items.flatMap((part) => {
          const [from, to = from] = part.split('-').map(Number) as [number, number?];
          return Array.from({ length: to - from + 1 }, (_, i) => from + i);
        });
        expect(ports(items.join(','))).toEqual([...new Set(naive)]);
      }),
    );
  });

  it.each([
    ['host:80-22', /port range 80-22 runs backwards \(write 22-80\)/],
    ['host:0', /port 0 is out of range \(1 to 65535\)/],
    ['host:70000', /port 70000 is out of range/],
    ['host:1-70000', /port 70000 is out of range/],
    ['host:22,,80', /empty port/],
    ['host:22;80', /neither a port, a range like 1-1024, nor a service name/],
    ['host', /missing port \(expected host:port, or --top N/],
    ['host:', /missing port/],
    ['127.0.0.0/33:80', /the prefix length must be 0 to 32/],
    ['127.0.0.0/x:80', /the prefix length must be 0 to 32/],
    ['300.0.0.0/8:80', /"300\.0\.0\.0" is not an IP address/],
    ['example.com/24:80', /is not an IP address/],
    ['[fd00::/129]:22', /the prefix length must be 0 to 128/],
    ['[fd00::/64]:22', /2\^64 addresses is more than a scan can count/],
    ['fd00::/120:22', /needs brackets/],
    ['::1:80', /an IPv6 address needs brackets, as in \[::1\]:80/],
    ['[127.0.0.0/8]:80', /brackets are for IPv6 addresses only/],
    ['[localhost]:80', /brackets are for IPv6 addresses only/],
    ['[::1]80', /expected ":port" after "\]"/],
    ['[::/76]:1-65535', /more targets than a scan can count/],
  ])('rejects %j, naming it', (text, message) => {
    const error = (() => {
      try {
        parseScanTarget(text);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('expands IPv4 blocks host by host, clearing the host bits as nmap does', () => {
    expect(all(parseScanTarget('127.0.0.5/30:80,81'))).toEqual([
      '127.0.0.4|80', '127.0.0.4|81', '127.0.0.5|80', '127.0.0.5|81', '127.0.0.6|80', '127.0.0.6|81', '127.0.0.7|80', '127.0.0.7|81',
    ]);
    expect(parseScanTarget('127.0.0.0/28:80').count).toBe(16);
    expect(all(parseScanTarget('127.0.0.1/32:22'))).toEqual(['127.0.0.1|22']);
    expect(parseScanTarget('10.0.0.0/8:1-65535').count).toBe(2 ** 24 * 65535);
  });

  it('expands IPv6 blocks written in brackets, and writes addresses as RFC 5952 does', () => {
    const block = parseScanTarget('[fd00::/120]:22');
    expect(block.count).toBe(256);
    expect(block.hosts.at(0)).toBe('fd00::');
    expect(block.hosts.at(255)).toBe('fd00::ff');
    expect(all(parseScanTarget('[::1/128]:22'))).toEqual(['::1|22']);
    expect(all(parseScanTarget('[::1]:22,23'))).toEqual(['::1|22', '::1|23']);
    expect(parseCidr('2001:db8::8:800:200c:417a/127').at(1)).toBe('2001:db8::8:800:200c:417b');
    for (const text of ['::', '::1', '1::', '2001:db8::1', '2001:db8:0:0:1:0:0:1', 'fe80::1:2:3:4', '1:2:3:4:5:6:7:8', '::ffff:127.0.0.1']) {
      const n = parseIPv6(text);
      expect(n).toBeDefined();
      expect(parseIPv6(formatIPv6(n!))).toBe(n);
    }
    expect(formatIPv6(parseIPv6('2001:db8:0:0:1:0:0:1')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(parseIPv6('2001:0db8:0000:0000:0000:0000:0002:0001')!)).toBe('2001:db8::2:1');
    expect(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')!)).toBe('1:0:2:3:4:5:6:7');
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':1', 'g::1', '12345::']) expect(parseIPv6(bad)).toBeUndefined();
  });

  it('gives a host without a port the first N of nmap\'s top 100 TCP ports', () => {
    expect(new Set(TOP_PORTS).size).toBe(100);
    expect(TOP_PORTS.slice(0, 10)).toEqual([80, 23, 443, 21, 22, 25, 3389, 110, 445, 139]);
    expect(all(parseScanTarget('127.0.0.1', topPorts(3)))).toEqual(['127.0.0.1|80', '127.0.0.1|23', '127.0.0.1|443']);
    expect(parseScanTarget('[::1]', topPorts(100)).count).toBe(100);
    expect(parseScanTarget('127.0.0.0/30', topPorts(10)).count).toBe(40);
    // A port written wins over --top.
    expect(all(parseScanTarget('127.0.0.1:22', topPorts(3)))).toEqual(['127.0.0.1|22']);
  });

  it('is lazy: the first targets of 10.0.0.0/8:1-65535 (about 10^12) come without making the rest', () => {
    const form = parseScanTarget('10.0.0.0/8:1-65535');
    const generator = expandForm(form, 0);
    const first: ScanTarget[] = [];
    for (const target of generator) {
      first.push(target);
      if (first.length === 10) break;
    }
    expect(first.map((t) => `${t.host}:${t.port}`)).toEqual(Array.from({ length: 10 }, (_, i) => `10.0.0.0:${i + 1}`));
    // The last host is reached by arithmetic, not by walking there.
    expect(form.hosts.at(form.hosts.count - 1)).toBe('10.255.255.255');
    const shard = expandForm(form, 0, { index: 2, of: 65535 * 1000 }).next().value as ScanTarget;
    expect(shard).toEqual({ host: '10.0.0.0', port: 2, index: 1 });
  });

  it('splits into shards that together take every target exactly once, in order, counted arithmetically', () => {
    const formArb = fc.record({ hostBits: fc.integer({ min: 0, max: 4 }), from: fc.integer({ min: 1, max: 65000 }), ports: fc.integer({ min: 1, max: 7 }) });
    fc.assert(
      fc.property(fc.array(formArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 9 }), (specs, n) => {
        const forms = specs.map((s) => parseScanTarget(`127.0.0.0/${32 - s.hostBits}:${s.from}-${s.from + s.ports - 1}`));
        const whole: string[] = [];
        const seen: string[] = [];
        for (let i = 1; i <= n; i++) {
          let offset = 0;
          let counted = 0;
          const taken: number[] = [];
          for (const form of forms) {
            for (const t of expandForm(form, offset, { index: i, of: n })) {
              taken.push(t.index);
              seen.push(`${t.index}|${t.host}|${t.port}`);
            }
            counted += shardCount(form.count, offset, { index: i, of: n });
            offset += form.count;
          }
          expect(taken.every((p) => p % n === i - 1)).toBe(true);
          expect(counted).toBe(taken.length);
        }
        let offset = 0;
        for (const form of forms) {
          for (const t of expandForm(form, offset)) whole.push(`${t.index}|${t.host}|${t.port}`);
          offset += form.count;
        }
        expect(seen.sort()).toEqual([...whole].sort());
        expect(new Set(seen).size).toBe(whole.length);
      }),
    );
  });

  it('reads --shard i/n, 1-based', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, of: 3 });
    expect(parseShard('3/3')).toEqual({ index: 3, of: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', '1/3/4', '-1/3', 'a/b']) expect(() => parseShard(bad)).toThrow(UsageError);
  });

  it('reads list lines: comments, blanks, one target a line', () => {
    expect(listLine('  127.0.0.1:22   # ssh')).toBe('127.0.0.1:22');
    expect(listLine('# only a comment')).toBeUndefined();
    expect(listLine('   ')).toBeUndefined();
    expect(() => listLine('a:1 b:2')).toThrow(/one target per line/);
  });
});
