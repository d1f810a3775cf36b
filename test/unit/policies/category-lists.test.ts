import { describe, expect, it } from 'vitest';
import { importUt1Directory, normalizeListDomain, parseCategoryList, type ListFileSystem } from '../../../policies/index.js';

describe('parseCategoryList', () => {
  it('reads hosts files, skipping boilerplate names and counting bad lines', () => {
    const text = [
      '# StevenBlack-style hosts file',
      '127.0.0.1 localhost',
      '::1 ip6-localhost ip6-loopback',
      '0.0.0.0 Bad.Example.   # trailing comment',
      '0.0.0.0 ads.example tracker.example',
      '0.0.0.0 ads.example',
      'not-an-ip bad.example',
      '0.0.0.0 http://x/',
      '',
    ].join('\r\n');
    const r = parseCategoryList(text, 'hosts');
    expect(r.domains).toEqual(['bad.example', 'ads.example', 'tracker.example']);
    expect(r.invalid).toBe(2);
    expect(r.invalidLines).toEqual([7, 8]);
  });

  it('reads plain lists with comments, IDN, wildcards and leading dots', () => {
    const text = '\uFEFFexample.com\n# comment\n*.例え.jp\n.dot.example\nWWW.UPPER.EXAMPLE.\n10.0.0.1\nfoo bar\nhttp://x.jp/\n-bad-.jp\nexample.com\n';
    const r = parseCategoryList(text, 'plain');
    expect(r.domains).toEqual(['example.com', 'xn--r8jz45g.jp', 'dot.example', 'www.upper.example', '10.0.0.1']);
    expect(r.invalid).toBe(3);
  });

  it('auto-detects hosts lines mixed with plain lines', () => {
    expect(parseCategoryList('0.0.0.0 a.example\nb.example\n').domains).toEqual(['a.example', 'b.example']);
  });

  it('normalizeListDomain rejects what is not a host', () => {
    for (const bad of ['', 'a b', 'a/b', 'a.jp:80', 'u@a.jp', '*', 'a*.jp']) expect(normalizeListDomain(bad), bad).toBeNull();
    expect(normalizeListDomain('ＷＷＷ.Example.JP')).toBe('www.example.jp');
  });
});

describe('importUt1Directory', () => {
  const files: Record<string, string> = {
    '/ut1/adult/domains': 'porn.example\nbad line here\n',
    '/ut1/gambling/domains': 'casino.example\n# c\nBET.example.\n',
    '/ut1/empty-dir/urls': 'x',
  };
  const fs: ListFileSystem = {
    readdir: async (dir) =>
      dir === '/ut1'
        ? ['adult', 'gambling', 'empty-dir', 'README'].map((name) => ({ name, isDirectory: () => name !== 'README' }))
        : Promise.reject(new Error('ENOENT')),
    readFile: async (path) => (path in files ? files[path]! : Promise.reject(new Error(`ENOENT ${path}`))),
  };

  it('turns <category>/domains files into categories, skipping directories without one', async () => {
    const r = await importUt1Directory('/ut1', { fs });
    expect(r.categories).toEqual({ adult: ['porn.example'], gambling: ['casino.example', 'bet.example'] });
    expect(r.invalid).toEqual({ adult: 1, gambling: 0 });
  });

  it('imports only the named categories', async () => {
    const r = await importUt1Directory('/ut1', { fs, only: ['gambling'] });
    expect(Object.keys(r.categories)).toEqual(['gambling']);
  });
});
