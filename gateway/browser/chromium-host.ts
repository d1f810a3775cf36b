/**
 * Launches and owns the one shared Chromium. Flags fit an isolated host: no
 * background networking, component updates, sync or QUIC; WebRTC may not use
 * non-proxied UDP; all traffic goes through kekkai's egress proxy when one is set.
 * The sandbox stays on unless the gateway runs as root.
 */
import puppeteer, { type Browser, type BrowserContext, type CDPSession, type LaunchOptions } from 'puppeteer';
import type { Logger } from '../logging.js';

export interface ChromiumOptions {
  executablePath: string;
  /** Frames can be rendered up to this devicePixelRatio (see config stream.maxDeviceScaleFactor). */
  maxDeviceScaleFactor: number;
  /** host:port of the egress proxy; every request of the browser goes through it. */
  proxyServer?: string;
  /**
   * V8 old-space cap of every renderer, MiB (config session.rendererMemoryMb). Chromium
   * hands --js-flags to each renderer; a page allocating past it dies alone (OOM crash
   * of its renderer) instead of growing toward the default ~3.5 GiB heap.
   */
  rendererMemoryMb?: number;
  /** Extra flags (tests only). */
  extraArgs?: string[];
  /**
   * Where Chromium keeps its profile and its temporary, config and cache files (a
   * directory under `<dataDir>/run/` that the gateway empties at start and stop), so
   * nothing of a killed run stays in /tmp. Default: puppeteer's temporary profile.
   */
  runDir?: { profile: string; home: string };
}

/** CDP download events (Browser domain); Chromium sends them without a context id. */
export type DownloadEvent =
  | { kind: 'begin'; guid: string; frameId: string; url: string; suggestedFilename: string }
  | { kind: 'progress'; guid: string; receivedBytes: number; totalBytes: number; state: 'inProgress' | 'completed' | 'canceled'; filePath?: string };

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
    '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,InterestFeedContentSuggestions,BackForwardCache',
    // A page restored from the back/forward cache loads without any request, so the
    // navigation guard never sees it (a read-only page would take typing again, a
    // page a newer policy blocks would come back): Back must load through the guard.
    '--disable-back-forward-cache',
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
  if (options.rendererMemoryMb) args.push(`--js-flags=--max-old-space-size=${options.rendererMemoryMb}`);
  if (runningAsRoot) args.push('--no-sandbox');
  return [...args, ...(options.extraArgs ?? [])];
}

/**
 * How puppeteer starts Chromium. DevTools runs over a pipe (fds 3 and 4), never a
 * TCP port: `--remote-debugging-port` listened on 127.0.0.1 without authentication,
 * so any local process could list every user's tabs and drive them. The pipe also
 * ties Chromium's life to the gateway's: when the gateway dies, the pipe closes and
 * Chromium exits.
 */
export function chromiumLaunchOptions(options: ChromiumOptions, runningAsRoot: boolean): LaunchOptions {
  const home = options.runDir?.home;
  return {
    executablePath: options.executablePath,
    headless: true,
    pipe: true,
    defaultViewport: null,
    args: chromiumArgs(options, runningAsRoot),
    ...(options.runDir ? { userDataDir: options.runDir.profile } : {}),
    // Remote pages get scrollbars, as in a desktop browser: puppeteer's headless
    // defaults hide them, and a page that scrolls would show no sign of it.
    ignoreDefaultArgs: ['--hide-scrollbars'],
    // C.UTF-8 exists on every Debian system; a missing ja_JP locale would make
    // Chromium mangle non-ASCII file names (uploads named 紹介状.pdf). On Linux
    // Chromium ignores --lang for its UI language and reads LANGUAGE instead; it
    // then passes --lang=ja to every helper process, so error pages, validation
    // bubbles, file inputs and date fields are Japanese (needs Debian's
    // chromium-l10n for ja.pak). The per-tab locale override sets Intl and
    // navigator.language; TZ and the per-tab override make it Japan time.
    env: {
      ...process.env,
      LANG: 'C.UTF-8',
      LANGUAGE: 'ja',
      TZ: 'Asia/Tokyo',
      // Temporary files, crash-report database and caches go to the run directory.
      ...(home ? { HOME: home, TMPDIR: home, XDG_CONFIG_HOME: `${home}/.config`, XDG_CACHE_HOME: `${home}/.cache` } : {}),
    },
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
}

export class ChromiumHost {
  private browserCdp: CDPSession | null = null;
  private readonly infoListeners = new Set<(info: { targetId: string; title: string; url: string }) => void>();
  private readonly downloadListeners = new Set<(event: DownloadEvent) => void>();
  /**
   * One CDP session per context for its download behaviour: Chromium keeps one
   * behaviour per session, so setting it for a second context on a shared
   * session silently replaced the first one's (downloads vanished).
   */
  private readonly downloadSessions = new Map<string, CDPSession>();

  private constructor(readonly browser: Browser) {}

  static async launch(options: ChromiumOptions, log: Logger): Promise<ChromiumHost> {
    const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (runningAsRoot) {
      log.warn({ component: 'chromium' }, 'running as root: Chromium sandbox DISABLED (--no-sandbox). Run kekkai as a non-root user in production.');
    }
    const browser = await puppeteer.launch(chromiumLaunchOptions(options, runningAsRoot));
    const host = new ChromiumHost(browser);
    await host.watchTargets();
    log.info({ component: 'chromium', version: await browser.version(), sandbox: !runningAsRoot }, 'chromium started');
    return host;
  }

  private async watchTargets(): Promise<void> {
    this.browserCdp = await this.browser.target().createCDPSession();
    this.browserCdp.on('Target.targetInfoChanged', ({ targetInfo }) => {
      if (targetInfo.type !== 'page') return;
      for (const listener of this.infoListeners) listener({ targetId: targetInfo.targetId, title: targetInfo.title, url: targetInfo.url });
    });
    this.browserCdp.on('Browser.downloadWillBegin', (e) => {
      for (const listener of this.downloadListeners) listener({ kind: 'begin', guid: e.guid, frameId: e.frameId, url: e.url, suggestedFilename: e.suggestedFilename });
    });
    this.browserCdp.on('Browser.downloadProgress', (e) => {
      const filePath = (e as { filePath?: string }).filePath;
      for (const listener of this.downloadListeners) {
        listener({ kind: 'progress', guid: e.guid, receivedBytes: e.receivedBytes, totalBytes: e.totalBytes, state: e.state, ...(filePath ? { filePath } : {}) });
      }
    });
    // Default: no downloads anywhere; this session receives every download event.
    await this.browserCdp.send('Browser.setDownloadBehavior', { behavior: 'deny', eventsEnabled: true });
    await this.browserCdp.send('Target.setDiscoverTargets', { discover: true });
  }

  onDownload(listener: (event: DownloadEvent) => void): void {
    this.downloadListeners.add(listener);
  }

  /** Lets a context download into `dir` (files named by guid), or denies downloads with null. */
  async setDownloadDir(context: BrowserContext, dir: string | null): Promise<void> {
    const id = context.id!;
    let session = this.downloadSessions.get(id);
    if (!session) {
      session = await this.browser.target().createCDPSession();
      this.downloadSessions.set(id, session);
    }
    await session.send(
      'Browser.setDownloadBehavior',
      dir ? { behavior: 'allowAndName', downloadPath: dir, browserContextId: id } : { behavior: 'deny', browserContextId: id },
    );
  }

  async cancelDownload(guid: string, context: BrowserContext): Promise<void> {
    await this.browserCdp?.send('Browser.cancelDownload', { guid, browserContextId: context.id! }).catch(() => undefined);
  }

  /** Forgets a closed context's download session. */
  async releaseContext(context: BrowserContext): Promise<void> {
    const session = this.downloadSessions.get(context.id!);
    this.downloadSessions.delete(context.id!);
    await session?.detach().catch(() => undefined);
  }

  /** Title/URL changes of any page target (titles change without navigation). */
  onTargetInfo(listener: (info: { targetId: string; title: string; url: string }) => void): void {
    this.infoListeners.add(listener);
  }

  /**
   * A fresh incognito context, its traffic through its own egress proxy.
   */
  async newContext(proxyServer?: string): Promise<BrowserContext> {
    // Downloads stay denied (the browser-wide default) until setDownloadDir opens them.
    return this.browser.createBrowserContext(proxyServer ? { proxyServer, proxyBypassList: ['<-loopback>'] } : {});
  }

  get connected(): boolean {
    return this.browser.connected;
  }

  onDisconnected(listener: () => void): void {
    this.browser.on('disconnected', listener);
  }

  /**
   * Asks Chromium to quit and kills it if it has not within `graceMs` (a page with
   * an open dialog or a hung renderer must not hold up the gateway's shutdown).
   */
  async close(graceMs = 3000): Promise<void> {
    const child = this.browser.process();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([this.browser.close().catch(() => undefined), deadline]);
    clearTimeout(timer);
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      // puppeteer starts Chromium as its own process group: take its helpers too.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      await new Promise((resolve) => (child.exitCode === null && child.signalCode === null ? child.once('exit', resolve) : resolve(undefined)));
    }
  }
}
