/**
 * Launches and owns the one shared Chromium. Flags fit an isolated host: no
 * background networking, component updates, sync or QUIC; WebRTC may not use
 * non-proxied UDP; all traffic goes through kekkai's egress proxy when one is set.
 * The sandbox stays on unless the gateway runs as root.
 */
import puppeteer, { type Browser, type BrowserContext, type CDPSession } from 'puppeteer';

export interface ChromiumOptions {
  executablePath: string;
  /** Frames can be rendered up to this devicePixelRatio (see config stream.maxDeviceScaleFactor). */
  maxDeviceScaleFactor: number;
  /** host:port of the egress proxy; every request of the browser goes through it. */
  proxyServer?: string;
  /** Extra flags (tests only). */
  extraArgs?: string[];
}

export interface HostLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function chromiumArgs(options: ChromiumOptions, runningAsRoot: boolean): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-quic',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-breakpad',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,InterestFeedContentSuggestions',
    '--metrics-recording-only',
    '--mute-audio',
    '--lang=ja-JP',
    '--accept-lang=ja-JP,ja,en-US,en',
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    // Headless screencast frames follow the browser-wide factor, not the per-page
    // emulated one, so render at the highest factor and let each tab pick its own.
    `--force-device-scale-factor=${options.maxDeviceScaleFactor}`,
  ];
  if (options.proxyServer) {
    args.push(`--proxy-server=${options.proxyServer}`, '--proxy-bypass-list=<-loopback>');
  }
  if (runningAsRoot) args.push('--no-sandbox');
  return [...args, ...(options.extraArgs ?? [])];
}

export class ChromiumHost {
  private browserCdp: CDPSession | null = null;
  private readonly infoListeners = new Set<(info: { targetId: string; title: string; url: string }) => void>();

  private constructor(readonly browser: Browser) {}

  static async launch(options: ChromiumOptions, log: HostLog): Promise<ChromiumHost> {
    const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (runningAsRoot) {
      log.warn({ component: 'chromium' }, 'running as root: Chromium sandbox DISABLED (--no-sandbox). Run kekkai as a non-root user in production.');
    }
    const browser = await puppeteer.launch({
      executablePath: options.executablePath,
      headless: true,
      defaultViewport: null,
      args: chromiumArgs(options, runningAsRoot),
      // C.UTF-8 exists on every Debian system; a missing ja_JP locale would make
      // Chromium mangle non-ASCII file names (uploads named 紹介状.pdf). The page
      // language comes from --lang and the per-tab locale override instead.
      env: { ...process.env, LANG: 'C.UTF-8', TZ: 'Asia/Tokyo' },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const host = new ChromiumHost(browser);
    await host.watchTargets();
    log.info({ component: 'chromium', version: await browser.version() }, 'chromium started');
    return host;
  }

  private async watchTargets(): Promise<void> {
    this.browserCdp = await this.browser.target().createCDPSession();
    this.browserCdp.on('Target.targetInfoChanged', ({ targetInfo }) => {
      if (targetInfo.type !== 'page') return;
      for (const listener of this.infoListeners) listener({ targetId: targetInfo.targetId, title: targetInfo.title, url: targetInfo.url });
    });
    await this.browserCdp.send('Target.setDiscoverTargets', { discover: true });
  }

  /** Title/URL changes of any page target (titles change without navigation). */
  onTargetInfo(listener: (info: { targetId: string; title: string; url: string }) => void): void {
    this.infoListeners.add(listener);
  }

  /**
   * A fresh incognito context, its traffic through its own egress proxy, with
   * downloads denied until the download path takes them.
   */
  async newContext(proxyServer?: string): Promise<BrowserContext> {
    const context = await this.browser.createBrowserContext(
      proxyServer ? { proxyServer, proxyBypassList: ['<-loopback>'] } : {},
    );
    await this.browserCdp?.send('Browser.setDownloadBehavior', { behavior: 'deny', browserContextId: context.id! });
    return context;
  }

  get connected(): boolean {
    return this.browser.connected;
  }

  onDisconnected(listener: () => void): void {
    this.browser.on('disconnected', listener);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }
}
