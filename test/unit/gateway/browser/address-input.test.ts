import { describe, expect, it } from 'vitest';
import { addressTarget, addressToUrl, httpFallbackWanted } from '../../../../gateway/browser/address-input.js';

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

describe('http fallback of scheme-less addresses', () => {
  it('is offered only when no scheme was typed', () => {
    expect(addressTarget('example.test')).toEqual({ url: 'https://example.test/', fallback: 'http://example.test/' });
    expect(addressTarget('localhost:8080/form?a=1')).toEqual({ url: 'https://localhost:8080/form?a=1', fallback: 'http://localhost:8080/form?a=1' });
    expect(addressTarget('https://example.test')?.fallback).toBeNull();
    expect(addressTarget('http://example.test')?.fallback).toBeNull();
  });

  it('follows connection and TLS failures, not name resolution, policy blocks or aborts', () => {
    for (const e of ['net::ERR_SSL_PROTOCOL_ERROR', 'net::ERR_CONNECTION_REFUSED', 'net::ERR_CERT_AUTHORITY_INVALID', 'net::ERR_TUNNEL_CONNECTION_FAILED', 'net::ERR_CONNECTION_RESET']) {
      expect(httpFallbackWanted(e), e).toBe(true);
    }
    for (const e of [undefined, '', 'net::ERR_NAME_NOT_RESOLVED', 'net::ERR_ABORTED', 'net::ERR_BLOCKED_BY_CLIENT', 'net::ERR_SSL_PROTOCOL_ERROR; x']) {
      expect(httpFallbackWanted(e), String(e)).toBe(false);
    }
  });
});
