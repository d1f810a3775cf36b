import { describe, expect, it } from 'vitest';
import { addressToUrl } from '../../../../gateway/browser/address-input.js';

describe('address bar input', () => {
  it('adds https:// to scheme-less hosts, including host:port', () => {
    expect(addressToUrl('www.pmda.go.jp')).toBe('https://www.pmda.go.jp/');
    expect(addressToUrl('  example.jp/path?q=1 ')).toBe('https://example.jp/path?q=1');
    expect(addressToUrl('intranet.local:8080/x')).toBe('https://intranet.local:8080/x');
  });

  it('keeps explicit http and https URLs', () => {
    expect(addressToUrl('http://example.jp/a')).toBe('http://example.jp/a');
    expect(addressToUrl('HTTPS://Example.JP')).toBe('https://example.jp/');
  });

  it('refuses non-web schemes and junk', () => {
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'chrome://settings', 'data:text/html,x', '', 'two words', 'http://']) {
      expect(addressToUrl(bad), bad).toBeNull();
    }
  });
});
