import { describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumLaunchOptions } from '../../../../gateway/browser/chromium-host.js';

describe('Chromium launch flags', () => {
  const base = { executablePath: '/usr/bin/chromium', maxDeviceScaleFactor: 1 };

  it('fit an isolated host: no background networking, component updates, sync or QUIC', () => {
    const args = chromiumArgs(base, false);
    for (const flag of ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run']) {
      expect(args).toContain(flag);
    }
  });

  it('keep WebRTC off non-proxied UDP and send everything through the proxy, loopback included', () => {
    const args = chromiumArgs({ ...base, proxyServer: '127.0.0.1:3128' }, false);
    expect(args).toContain('--force-webrtc-ip-handling-policy=disable_non_proxied_udp');
    expect(args).toContain('--proxy-server=127.0.0.1:3128');
    expect(args).toContain('--proxy-bypass-list=<-loopback>');
  });

  it('keep the sandbox on unless running as root', () => {
    expect(chromiumArgs(base, false)).not.toContain('--no-sandbox');
    expect(chromiumArgs(base, true)).toContain('--no-sandbox');
  });

  it('render at the configured device scale factor and in Japanese', () => {
    const args = chromiumArgs({ ...base, maxDeviceScaleFactor: 2 }, false);
    expect(args).toContain('--force-device-scale-factor=2');
    expect(args).toContain('--lang=ja-JP');
  });

  it('cap the JavaScript heap of every renderer, so a memory bomb kills only its own tab (issue 10)', () => {
    expect(chromiumArgs({ ...base, rendererMemoryMb: 512 }, false)).toContain('--js-flags=--max-old-space-size=512');
    expect(chromiumArgs(base, false).filter((a) => a.startsWith('--js-flags'))).toEqual([]);
  });

  it('turn the back/forward cache off, so Back loads through the navigation guard', () => {
    const args = chromiumArgs(base, false);
    expect(args).toContain('--disable-back-forward-cache');
    expect(args.find((a) => a.startsWith('--disable-features='))?.split('=')[1]?.split(',')).toContain('BackForwardCache');
  });

  it('talk DevTools over a pipe, never a TCP port another local process could use (issue 9)', () => {
    for (const asRoot of [false, true]) {
      const launch = chromiumLaunchOptions({ ...base, proxyServer: '127.0.0.1:3128' }, asRoot);
      expect(launch.pipe).toBe(true);
      expect(launch.debuggingPort).toBeUndefined();
      expect(launch.args!.filter((a) => a.startsWith('--remote-debugging-port'))).toEqual([]);
    }
  });

  it('start Chromium\'s UI in Japanese in every process and show scrollbars (issue 12)', () => {
    const launch = chromiumLaunchOptions(base, false);
    // Chromium on Linux takes its UI language from LANGUAGE, not from --lang.
    expect(launch.env).toMatchObject({ LANGUAGE: 'ja', TZ: 'Asia/Tokyo' });
    expect(launch.args).toContain('--accept-lang=ja-JP,ja,en-US,en');
    expect(launch.ignoreDefaultArgs).toEqual(['--hide-scrollbars']);
  });

  it('keep the profile and temporary files in the run directory when one is given', () => {
    const launch = chromiumLaunchOptions({ ...base, runDir: { profile: '/data/run/chromium/profile', home: '/data/run/chromium/home' } }, false);
    expect(launch.userDataDir).toBe('/data/run/chromium/profile');
    expect(launch.env).toMatchObject({ TMPDIR: '/data/run/chromium/home', HOME: '/data/run/chromium/home', XDG_CONFIG_HOME: '/data/run/chromium/home/.config' });
  });
});
