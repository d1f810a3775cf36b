import { describe, expect, it } from 'vitest';
import { japanMinute, onWatermarkSite } from '../../../client/viewer/watermark.js';
import { watermarkFor } from '../../../gateway/http/auth.http.js';

describe('watermark', () => {
  it('writes the time in Japan time to the minute, whatever the machine\'s zone', () => {
    expect(japanMinute(new Date('2026-12-02T00:14:05.332Z'))).toBe('2026/12/02 09:14');
  });

  it('shows on every page without a site list, else only on the listed hosts and domains', () => {
    expect(onWatermarkSite([], 'about:blank')).toBe(true);
    const sites = ['webmail.example.jp', '*.hospital.example'];
    expect(onWatermarkSite(sites, 'https://webmail.example.jp/inbox')).toBe(true);
    expect(onWatermarkSite(sites, 'https://www.webmail.example.jp/')).toBe(false);
    expect(onWatermarkSite(sites, 'https://hospital.example/')).toBe(true);
    expect(onWatermarkSite(sites, 'https://a.b.hospital.example/')).toBe(true);
    expect(onWatermarkSite(sites, 'https://evilhospital.example/')).toBe(false);
    expect(onWatermarkSite(sites, 'not a url')).toBe(false);
  });

  it('is given to the roles configured, with user and address filled in and the time left to the client', () => {
    const settings = { enabled: true, text: '{user} {time} {address}', opacity: 0.2, density: 'high' as const, roles: ['staff' as const], sites: [] };
    expect(watermarkFor(settings, { name: '看護師A', role: 'staff' }, '10.1.2.3')).toEqual({ text: '看護師A {time} 10.1.2.3', opacity: 0.2, density: 'high', sites: [] });
    expect(watermarkFor(settings, { name: 'boss', role: 'admin' }, '10.1.2.3')).toBeNull();
    expect(watermarkFor({ ...settings, enabled: false }, { name: 'a', role: 'staff' }, 'x')).toBeNull();
  });
});
