import { describe, expect, it } from 'vitest';
import { displayUrl } from '../../../../gateway/browser/url-display.js';

describe('address shown in the address bar', () => {
  it('shows Japanese domain names and paths decoded', () => {
    expect(displayUrl('https://xn--eckwd4c7c.xn--zckzah/')).toBe('https://ドメイン.テスト/');
    expect(displayUrl('https://ja.wikipedia.org/wiki/%E9%9B%BB%E5%AD%90%E3%82%AB%E3%83%AB%E3%83%86?q=%E5%86%85%E7%A7%91#%E6%A6%82%E8%A6%81')).toBe(
      'https://ja.wikipedia.org/wiki/電子カルテ?q=内科#概要',
    );
    expect(displayUrl('http://example.jp:8080/a')).toBe('http://example.jp:8080/a');
  });

  it('keeps ASCII escapes, so the shown address still means the same', () => {
    expect(displayUrl('https://example.jp/a%2Fb%3Fc%25d%20e')).toBe('https://example.jp/a%2Fb%3Fc%25d%20e');
    expect(displayUrl('https://example.jp/%E5%86%85%2F%E7%A7%91')).toBe('https://example.jp/内%2F科');
  });

  it('never decodes to invisible, bidi or delimiter look-alike characters, or broken UTF-8', () => {
    expect(displayUrl('https://example.jp/x%E2%80%AEfdp.exe')).toBe('https://example.jp/x%E2%80%AEfdp.exe');
    expect(displayUrl('https://example.jp/a%EF%BC%8Fb')).toBe('https://example.jp/a%EF%BC%8Fb');
    expect(displayUrl('https://example.jp/%E3%80%80')).toBe('https://example.jp/%E3%80%80');
    expect(displayUrl('https://example.jp/%E5%86')).toBe('https://example.jp/%E5%86');
    expect(displayUrl('https://example.jp/%FF%E5%86%85')).toBe('https://example.jp/%FF内');
  });

  it('keeps look-alike domain labels in xn-- form', () => {
    // Cyrillic "а" in "pаypal": Latin look-alike.
    expect(displayUrl('https://xn--pypal-4ve.com/')).toBe('https://xn--pypal-4ve.com/');
    // A label of Katakana ノ alone passes for "/".
    expect(displayUrl(`https://${new URL('https://ノ.com').hostname}/`)).toMatch(/^https:\/\/xn--/);
  });

  it('leaves other schemes and junk alone', () => {
    expect(displayUrl('about:blank')).toBe('about:blank');
    expect(displayUrl('not a url')).toBe('not a url');
  });
});
