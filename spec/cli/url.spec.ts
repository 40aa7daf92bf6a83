import { isUrlTarget, parseUrlTarget } from '../../src/cli/url.js';

describe('parseUrlTarget', () => {
  it('takes the scheme\'s default port, the path with the query, and the Host header', () => {
    expect(parseUrlTarget('https://example.com')).toEqual({ text: 'https://example.com', secure: true, host: 'example.com', port: 443, path: '/', hostHeader: 'example.com' });
    expect(parseUrlTarget('HTTP://Example.com:8080/a/b?c=1#frag')).toEqual({
      text: 'HTTP://Example.com:8080/a/b?c=1#frag', secure: false, host: 'example.com', port: 8080, path: '/a/b?c=1', hostHeader: 'example.com:8080',
    });
    // The default port written out is left out of Host, as browsers do.
    expect(parseUrlTarget('http://example.com:80/').hostHeader).toBe('example.com');
  });

  it('takes an IPv6 literal in brackets, and gives the host without them', () => {
    expect(parseUrlTarget('https://[::1]:8443/x')).toMatchObject({ host: '::1', port: 8443, hostHeader: '[::1]:8443' });
  });

  it('tells URLs from host:port targets', () => {
    expect(isUrlTarget('https://example.com/')).toBe(true);
    expect(isUrlTarget(' ftp://example.com/')).toBe(true);
    expect(isUrlTarget('example.com:https')).toBe(false);
    expect(isUrlTarget('[::1]:80')).toBe(false);
  });

  it.each([
    ['gopher://example.com/', 'unknown scheme "gopher:"'],
    ['https://example.com:65536/', 'port 65536 is out of range (1 to 65535)'],
    ['https://u@example.com/', 'credentials (user:password@) are not sent by probe'],
    ['http://[::1/', 'not a valid URL'],
  ])('refuses %s naming it', (text, why) => {
    expect(() => parseUrlTarget(text)).toThrow(`bad URL ${JSON.stringify(text)}: ${why}`);
  });
});
