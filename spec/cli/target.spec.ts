import { formatTarget, parseTarget, parseTargetList } from '../../src/cli/target.js';
import { UsageError } from '../../src/cli/usage.js';

describe('parseTarget', () => {
  it.each([
    ['localhost:8080', 'localhost', 8080],
    ['127.0.0.1:1', '127.0.0.1', 1],
    ['[::1]:22', '::1', 22],
    ['[2001:db8::1]:65535', '2001:db8::1', 65535],
    ['example.com:https', 'example.com', 'https'],
    ['  host:echo  ', 'host', 'echo'],
  ])('%s → host %s, port %s', (text, host, port) => {
    expect(parseTarget(text)).toEqual({ text: text.trim(), host, port });
  });

  it.each([
    ['', /empty target/],
    ['localhost', /missing port \(expected localhost:port\)/],
    ['::1:80', /needs brackets, as in \[::1\]:80/],
    ['2001:db8::1', /needs brackets, as in \[2001:db8:\]:1|needs brackets/],
    ['[::1]', /missing port \(expected \[::1\]:port\)/],
    ['[::1:80', /"\[" without "\]"/],
    ['[::1]80', /expected ":port" after "\]"/],
    ['[localhost]:80', /brackets are for IPv6 addresses only/],
    [':80', /missing host/],
    ['host:', /missing port/],
    ['host:0', /port 0 is out of range/],
    ['host:70000', /port 70000 is out of range/],
    ['host:-1', /neither a port number nor a service name/],
  ])('rejects %j with a UsageError', (text, message) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
    expect(() => parseTarget(text)).toThrow(message);
  });

  it('writes targets back with brackets around IPv6', () => {
    expect(formatTarget('::1', 80)).toBe('[::1]:80');
    expect(formatTarget('localhost', 'http')).toBe('localhost:http');
  });
});

describe('parseTargetList', () => {
  it('takes one target per line and skips blank lines and # comments, keeping line numbers', () => {
    const text = '# hosts to check\n\nlocalhost:80\n  [::1]:22   # ssh on IPv6\n\t\n# 10.0.0.1:80\r\nexample.com:https\n';
    expect(parseTargetList(text, 'hosts.txt')).toEqual([
      { line: 3, target: { text: 'localhost:80', host: 'localhost', port: 80 } },
      { line: 4, target: { text: '[::1]:22', host: '::1', port: 22 } },
      { line: 7, target: { text: 'example.com:https', host: 'example.com', port: 'https' } },
    ]);
  });

  it('returns nothing for a list of comments', () => {
    expect(parseTargetList('# nothing\n\n   # here\n')).toEqual([]);
  });

  it('names the file and line of a bad target', () => {
    expect(() => parseTargetList('a:1\n\nnoport\n', 'hosts.txt')).toThrow('hosts.txt, line 3: bad target "noport": missing port');
    expect(() => parseTargetList('a:1 b:2\n', 'stdin')).toThrow('stdin, line 1: one target per line');
  });
});
