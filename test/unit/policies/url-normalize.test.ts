import { describe, expect, it } from 'vitest';
import { normalizeHost, normalizeUrl, type NormalizedUrl } from '../../../policies/index.js';

function ok(input: string): NormalizedUrl {
  const r = normalizeUrl(input);
  if (!r.ok) throw new Error(`${input} refused: ${r.reason}`);
  return r.url;
}

describe('normalizeUrl: IPv4 literals in every form', () => {
  it.each([
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://0x7f.0.0.1/',
    'http://0x7F.1/',
    'http://127.1/',
    'http://127.0.1/',
    'http://１２７．０．０．１/',
    'http://127.0.0.1./',
    'http://127.0.0.1../',
    'http://%31%32%37.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::127.0.0.1]/',
    'http://[64:ff9b::127.0.0.1]/',
    'http://[2002:7f00:1::]/',
  ])('%s → 127.0.0.1', (input) => {
    const u = ok(input);
    expect(u.host).toBe('127.0.0.1');
    expect(u.hostKind).toBe('ip');
    expect(u.ip).toBe('127.0.0.1');
    expect(u.href).toBe('http://127.0.0.1/');
  });

  it('keeps other IPv6 addresses in RFC 5952 form', () => {
    const u = ok('https://[FE80:0:0::1]:8443/x');
    expect(u).toMatchObject({ host: 'fe80::1', ip: 'fe80::1', port: 8443, href: 'https://[fe80::1]:8443/x' });
  });
});

describe('normalizeUrl: hosts and tricks', () => {
  it.each([
    ['http://good.jp@evil.test/', 'evil.test'],
    ['http://good.jp:pw@evil.test/', 'evil.test'],
    ['http://evil.test\\@good.jp/', 'evil.test'],
    ['http://evil.test#@good.jp/', 'evil.test'],
    ['http://evil.test?@good.jp/', 'evil.test'],
    ['ht\ttp://ev\nil.te\rst/', 'evil.test'],
    ['  http://EVIL.Test./  ', 'evil.test'],
    ['http://ＥＶＩＬ．ｔｅｓｔ/', 'evil.test'],
    ['https://例え.テスト/', 'xn--r8jz45g.xn--zckzah'],
    ['http://Mail.Example.Test.../', 'mail.example.test'],
  ])('%j → host %s', (input, host) => {
    expect(ok(input).host).toBe(host);
  });

  it('strips userinfo and fragment from href and fills default ports', () => {
    expect(ok('http://u:p@a.jp/x?y#z')).toMatchObject({ href: 'http://a.jp/x?y', port: 80, path: '/x', query: '?y' });
    expect(ok('https://a.jp').port).toBe(443);
    expect(ok('wss://a.jp').port).toBe(443);
    expect(ok('ws://a.jp').port).toBe(80);
    expect(ok('https://a.jp:443/').href).toBe('https://a.jp/');
    expect(ok('http://a.jp:443/').href).toBe('http://a.jp:443/');
  });

  it('resolves dot segments and decodes unreserved percent-encoding in paths', () => {
    expect(ok('http://a.jp/public/../%61dmin/%2e%2E/admin/x%2Fy').path).toBe('/admin/x%2Fy');
    expect(ok('http://a.jp/a\\b').path).toBe('/a/b');
  });
});

describe('normalizeUrl: wrappers and schemes', () => {
  it.each([
    ['view-source:http://127.1/', 'view-source', '127.0.0.1'],
    ['VIEW-SOURCE:https://a.jp/', 'view-source', 'a.jp'],
    ['blob:https://a.jp/550e8400-e29b', 'blob', 'a.jp'],
    ['filesystem:http://b.jp/temporary/x', 'filesystem', 'b.jp'],
    ['view-source:blob:https://c.jp/x', 'view-source', 'c.jp'],
  ])('%s is judged by its inner URL', (input, wrapper, host) => {
    expect(ok(input)).toMatchObject({ wrapper, host });
  });

  it.each([
    ['javascript:alert(1)', 'non-web-scheme', 'javascript'],
    ['  JaVa\tScRiPt:alert(1)', 'non-web-scheme', 'javascript'],
    ['file:///etc/passwd', 'non-web-scheme', 'file'],
    ['chrome://settings', 'non-web-scheme', 'chrome'],
    ['chrome-extension://abc/x', 'non-web-scheme', 'chrome-extension'],
    ['data:text/html,<b>x</b>', 'non-web-scheme', 'data'],
    ['ftp://a.jp/', 'non-web-scheme', 'ftp'],
    ['about:config', 'about-page', 'about'],
    ['view-source:javascript:alert(1)', 'non-web-scheme', 'javascript'],
    ['view-source:about:blank', 'about-page', 'about'],
    ['blob:null/abc', 'invalid-url', 'blob'],
    ['view-source:view-source:view-source:http://a.jp/', 'nested-wrapper', 'view-source'],
    ['http://./', 'missing-host', 'http'],
    ['http://foo.123/', 'invalid-url', 'http'],
    ['example.jp', 'invalid-url', null],
  ])('%j is refused (%s)', (input, reason, scheme) => {
    const r = normalizeUrl(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ reason: r.reason, scheme: r.scheme }).toEqual({ reason, scheme });
  });

  it('allows about:blank only', () => {
    expect(ok('about:blank')).toMatchObject({ scheme: 'about', hostKind: 'none', href: 'about:blank' });
    expect(ok('ABOUT:blank#x').href).toBe('about:blank');
    expect(normalizeUrl('about:srcdoc').ok).toBe(false);
  });
});

describe('normalizeHost', () => {
  it('normalizes and validates bare hosts', () => {
    expect(normalizeHost('WWW.Example.JP.')).toEqual({ host: 'www.example.jp', hostKind: 'domain', ip: null });
    expect(normalizeHost('::ffff:10.0.0.1')).toEqual({ host: '10.0.0.1', hostKind: 'ip', ip: '10.0.0.1' });
    expect(normalizeHost('0xa.1')?.host).toBe('10.0.0.1');
    for (const bad of ['a b', 'a.jp/x', 'u@a.jp', 'a.jp:80', '', '...']) expect(normalizeHost(bad), bad).toBeNull();
  });
});
