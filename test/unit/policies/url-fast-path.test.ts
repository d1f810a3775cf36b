/**
 * normalizeSimpleWeb() skips the URL parser for simple URLs; it must give exactly what the
 * WHATWG path (normalizeParsed) gives, on random URL-like text that hits its edges
 * (case, ports, dot segments, numeric and xn-- labels, odd query characters). Pure, seeded.
 */
import { describe, expect, it } from 'vitest';
import { normalizeParsed, normalizeSimpleWeb, normalizeUrl, type WebScheme } from '../../../policies/url-normalize.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['a', 'WWW', 'xn--p1ai', 'xn--zz', '0x7f', '127', '1a', 'a-', '-b', 'c_d', 'mhlw', 'go', 'jp', '', '09'];
const PATH_PARTS = ['/', '/a', '/.', '/..', '/./', '/%2e', '/A~b', "/it's", '/x:y@z', '/a;b=c', '/é', '/ ', '/a|b', '/{x}', '//'];
const QUERIES = ['', '?', '?q=1', '?q=%zz', "?q='", '?a=b&c=d', '?x=/?', '?sp ace', '?é', '?a`b', '?[x]'];
const PORTS = ['', ':443', ':80', ':8443', ':0', ':65535', ':65536', ':099999', ':', ':08080'];

describe('simple-URL fast path', () => {
  it('agrees with the URL parser on 20,000 random URLs', () => {
    const rand = rng(7);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const labels = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(LABELS));
      const scheme = pick(['http', 'https', 'ws', 'wss', 'HTTP', 'Https']);
      const path = rand() < 0.2 ? '' : Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(PATH_PARTS)).join('');
      const text = `${scheme}://${labels.join('.')}${pick(PORTS)}${path}${pick(QUERIES)}${rand() < 0.2 ? '#frag ment' : ''}`;
      const lower = scheme.toLowerCase() as WebScheme;
      const simple = normalizeSimpleWeb(text, lower, null);
      if (simple === null) continue;
      fast++;
      expect({ text, result: { ok: true, url: simple } }).toEqual({ text, result: normalizeParsed(text, lower, null) });
    }
    // Enough simple URLs took the fast path for the comparison to mean something.
    expect(fast).toBeGreaterThan(500);
  });

  it('leaves IDN, numeric hosts, dot segments and percent-encoded paths to the parser', () => {
    for (const text of ['https://xn--p1ai.example/', 'https://a.127/', 'https://0x7f.1/', 'https://a.jp/./x', 'https://a.jp/%61dmin', 'https://a.jp./', 'https://u@a.jp/']) {
      expect(normalizeSimpleWeb(text, 'https', null)).toBeNull();
    }
    expect(normalizeUrl('https://a.jp/%61dmin')).toMatchObject({ ok: true, url: { path: '/admin' } });
    expect(normalizeSimpleWeb('HTTPS://WWW.Example.JP:443/A?', 'https', null)).toMatchObject({ host: 'www.example.jp', port: 443, path: '/A', query: '', href: 'https://www.example.jp/A' });
  });
});
