/**
 * One remote tab: a puppeteer Page plus a CDP session of our own for the
 * screencast, input, emulation and navigation state. Reports what happens through
 * the {@link TabEvents} callbacks given by its BrowserSession.
 */
import type { CDPSession, Dialog, Page } from 'puppeteer';
import type { ImeMessage, KeyMessage, PickerMessage, PointerMessage, Viewport, WheelMessage } from '../../protocol/index.js';
import { ControlPickers } from './control-pickers.js';
import type { SourceFrame } from './frame-flow.js';
import { keyToCdp, pointerToCdp, wheelToCdp } from './input-mapper.js';
import { NavigationGuard, type GuardDeps } from './navigation-guard.js';
import { PageRestrictions, type PagePolicy } from './page-restrictions.js';

/** Name of the isolated world the probes run in (page scripts cannot see or change it). */
const PROBE_WORLD = 'kekkai-probes';
/** A probe that has not answered by then (a hung page) yields null; the input goes on. */
const PROBE_TIMEOUT_MS = 1_000;
import { DEFAULT_TAB_HEALTH, TabHealth, type TabHealthOptions, type TabHealthState } from './tab-health.js';

export interface TabState {
  url: string;
  title: string;
  loading: boolean;
  canGoBack: boolean;
  canGoForward: boolean;
}

export interface TabEvents {
  frame(tab: RemoteTab, frame: SourceFrame): void;
  stateChanged(tab: RemoteTab): void;
  dialog(tab: RemoteTab, dialog: Dialog): void;
  fileChooser(tab: RemoteTab, chooser: { backendNodeId: number; multiple: boolean }): void;
  /** A form control's pop-up opened (page-controls.ts): the client draws the picker. */
  picker(tab: RemoteTab, msg: Omit<PickerMessage, 'type' | 'tabId'>): void;
  pickerClosed(tab: RemoteTab, pickerId: number): void;
  /** The page stopped answering, its renderer crashed, or it works again (tab-health.ts). */
  healthChanged(tab: RemoteTab, state: TabHealthState): void;
  closed(tab: RemoteTab): void;
}

export interface TabOptions {
  /** URL policy on navigations; absent only in tests that run without policy. */
  guard?: GuardDeps;
  maxDeviceScaleFactor: number;
  locale: string;
  timezone: string;
  /** True while a dialog of this tab waits for the user: the page is blocked, not hung. */
  waitingForUser?: () => boolean;
  health?: TabHealthOptions;
  /** The limits of the page that opened this one (a popup): kept until the popup loads a web page of its own. */
  openerLimits?: PagePolicy;
}

/** How long closing a tab may take before the tab is given up as closed. */
const CLOSE_TIMEOUT_MS = 5000;

export class RemoteTab {
  readonly state: TabState = { url: 'about:blank', title: '', loading: false, canGoBack: false, canGoForward: false };
  private streaming = false;
  private viewport: Viewport | null = null;
  private closedFlag = false;
  private readonly restrictions: PageRestrictions;
  /** Execution context of the probes' isolated world in the current document; made on first use. */
  private probeWorld: Promise<number> | null = null;
  /** Whether the page answers; probed while the tab streams. */
  readonly health: TabHealth;
  /** Select, date and colour pop-ups drawn by the client (control-pickers.ts). */
  readonly pickers: ControlPickers;

  private constructor(
    readonly id: number,
    readonly page: Page,
    private readonly cdp: CDPSession,
    private readonly events: TabEvents,
    private readonly options: TabOptions,
  ) {
    this.restrictions = new PageRestrictions();
    // A popup starts with its opener's limits (a read-only page cannot shed them by
    // writing into a blank window it opened); its first web page sets its own.
    if (options.openerLimits) this.restrictions.derivedDocument(options.openerLimits);
    this.health = new TabHealth(
      () => cdp.send('Runtime.evaluate', { expression: '1', returnByValue: true, silent: true }),
      () => options.waitingForUser?.() ?? false,
      (state) => this.events.healthChanged(this, state),
      options.health ?? DEFAULT_TAB_HEALTH,
    );
    this.pickers = new ControlPickers(cdp, {
      opened: (msg) => this.events.picker(this, msg),
      closed: (pickerId) => this.events.pickerClosed(this, pickerId),
    });
  }

  static async open(id: number, page: Page, events: TabEvents, options: TabOptions): Promise<RemoteTab> {
    const cdp = await page.createCDPSession();
    const tab = new RemoteTab(id, page, cdp, events, options);
    await tab.init();
    return tab;
  }

  /** CDP target id; also the id of the tab's main frame. */
  targetId = '';

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The strictest verdict of the documents on the page: read-only takes no typing; flags limit copy, paste, upload. */
  get policy(): PagePolicy {
    return this.restrictions.current;
  }

  private async init(): Promise<void> {
    const { cdp, page } = this;
    this.targetId = (await cdp.send('Target.getTargetInfo')).targetInfo.targetId;
    cdp.on('Page.screencastFrame', (event) => {
      if (!this.streaming) {
        void cdp.send('Page.screencastFrameAck', { sessionId: event.sessionId }).catch(() => undefined);
        return;
      }
      const vp = this.viewport;
      const scale = this.scaleFactor();
      this.events.frame(this, {
        data: Buffer.from(event.data, 'base64'),
        width: Math.round((vp?.width ?? event.metadata.deviceWidth) * scale),
        height: Math.round((vp?.height ?? event.metadata.deviceHeight) * scale),
        captureTime: (event.metadata.timestamp ?? Date.now() / 1000) * 1000,
        scrollY: event.metadata.scrollOffsetY * event.metadata.pageScaleFactor * scale,
        ackSource: () => void cdp.send('Page.screencastFrameAck', { sessionId: event.sessionId }).catch(() => undefined),
      });
    });
    cdp.on('Page.frameStartedLoading', (e) => this.onLoading(e.frameId, true));
    cdp.on('Page.frameStoppedLoading', (e) => {
      this.onLoading(e.frameId, false);
      void this.refreshInfo();
      // History read at commit can miss the new entry under load: read it again once the
      // page has loaded, so Back and Forward are enabled when they should be.
      if (e.frameId === this.targetId) void this.refreshHistory();
    });
    cdp.on('Page.domContentEventFired', () => void this.refreshInfo());
    cdp.on('Inspector.targetCrashed', () => this.health.crashed());
    cdp.on('Page.frameNavigated', (e) => {
      if (e.frame.parentId) return;
      // A new document comes without our isolated world; make it again on the next probe.
      this.probeWorld = null;
      this.health.newDocument();
      this.state.url = e.frame.url + (e.frame.urlFragment ?? '');
      void this.refreshHistory();
    });
    cdp.on('Page.navigatedWithinDocument', (e) => {
      if (e.frameId !== this.targetId) return;
      this.state.url = e.url;
      void this.refreshHistory();
    });
    cdp.on('Page.fileChooserOpened', (e) => {
      if (e.backendNodeId !== undefined) this.events.fileChooser(this, { backendNodeId: e.backendNodeId, multiple: e.mode === 'selectMultiple' });
    });
    const guard = this.options.guard ? new NavigationGuard(cdp, () => this.targetId, this.options.guard, this.restrictions) : null;
    await guard?.enable();
    page.on('dialog', (dialog) => this.events.dialog(this, dialog));
    page.on('close', () => this.markClosed());
    await Promise.all([
      cdp.send('Page.enable'),
      cdp.send('Page.setInterceptFileChooserDialog', { enabled: true }),
      cdp.send('Emulation.setLocaleOverride', { locale: this.options.locale }).catch(() => undefined),
      cdp.send('Emulation.setTimezoneOverride', { timezoneId: this.options.timezone }),
    ]);
    await this.pickers.install();
    // A popup's first document may have loaded before the guard was attached.
    await guard?.checkCommitted();
    this.state.url = page.url();
  }

  /** Title and URL from Target.targetInfoChanged (titles change without navigation). */
  updateInfo(info: { title: string; url: string }): void {
    // Chromium reports the URL without its scheme as the title of untitled pages.
    const title = info.title === info.url || info.url.endsWith(`//${info.title}`) ? '' : info.title;
    if (title === this.state.title && info.url === this.state.url) return;
    this.state.title = title;
    this.state.url = info.url;
    this.events.stateChanged(this);
  }

  /** Re-reads title and URL; called on load events and periodically for the active tab. */
  async refreshInfo(): Promise<void> {
    try {
      const { targetInfo } = await this.cdp.send('Target.getTargetInfo');
      this.updateInfo(targetInfo);
    } catch {
      // The tab closed meanwhile.
    }
  }

  private onLoading(frameId: string, loading: boolean): void {
    if (frameId !== this.targetId || this.state.loading === loading) return;
    this.state.loading = loading;
    this.events.stateChanged(this);
  }

  private async refreshHistory(): Promise<void> {
    try {
      const history = await this.cdp.send('Page.getNavigationHistory');
      this.state.canGoBack = history.currentIndex > 0;
      this.state.canGoForward = history.currentIndex < history.entries.length - 1;
    } catch {
      // The tab closed meanwhile; nothing to report.
    }
    this.events.stateChanged(this);
  }

  async setViewport(viewport: Viewport): Promise<void> {
    const same = this.viewport && this.viewport.width === viewport.width && this.viewport.height === viewport.height && this.viewport.dpr === viewport.dpr;
    this.viewport = viewport;
    if (same) return;
    await this.cdp.send('Emulation.setDeviceMetricsOverride', {
      width: viewport.width,
      height: viewport.height,
      deviceScaleFactor: this.scaleFactor(),
      mobile: false,
    });
    if (this.streaming) await this.restartScreencast();
  }

  /** The client's devicePixelRatio, capped at what Chromium was launched for. */
  private scaleFactor(): number {
    return Math.min(this.viewport?.dpr ?? 1, this.options.maxDeviceScaleFactor);
  }

  async startStreaming(): Promise<void> {
    this.streaming = true;
    this.health.start();
    await this.restartScreencast();
  }

  async stopStreaming(): Promise<void> {
    this.streaming = false;
    this.health.stop();
    await this.cdp.send('Page.stopScreencast').catch(() => undefined);
  }

  private async restartScreencast(): Promise<void> {
    const vp = this.viewport;
    await this.cdp.send('Page.stopScreencast').catch(() => undefined);
    await this.cdp
      .send('Page.startScreencast', {
        format: 'png',
        ...(vp ? { maxWidth: Math.round(vp.width * this.scaleFactor()), maxHeight: Math.round(vp.height * this.scaleFactor()) } : {}),
        everyNthFrame: 1,
      })
      // A navigation that swaps the page's renderer while the screencast restarts can
      // leave it running already: that is the state wanted, not an error.
      .catch((err: unknown) => {
        if (!/already active/i.test(String(err))) throw err;
      });
  }

  async pointer(msg: PointerMessage): Promise<void> {
    await this.cdp.send('Input.dispatchMouseEvent', pointerToCdp(msg));
  }

  async wheel(msg: WheelMessage): Promise<void> {
    await this.cdp.send('Input.dispatchMouseEvent', wheelToCdp(msg));
  }

  async key(msg: KeyMessage): Promise<void> {
    await this.cdp.send('Input.dispatchKeyEvent', keyToCdp(msg));
  }

  /** IME composition: show composing text in place, commit with insertText. */
  async ime(msg: ImeMessage): Promise<void> {
    if (msg.phase === 'update') {
      const end = msg.selectionEnd ?? msg.text.length;
      await this.cdp.send('Input.imeSetComposition', {
        text: msg.text,
        selectionStart: Math.min(msg.selectionStart ?? end, msg.text.length),
        selectionEnd: Math.min(end, msg.text.length),
      });
    } else if (msg.phase === 'commit') {
      if (msg.text) await this.cdp.send('Input.insertText', { text: msg.text });
      else await this.cdp.send('Input.imeSetComposition', { text: '', selectionStart: 0, selectionEnd: 0 });
    } else if (msg.phase === 'cancel') {
      await this.cdp.send('Input.imeSetComposition', { text: '', selectionStart: 0, selectionEnd: 0 });
    }
  }

  async insertText(text: string): Promise<void> {
    await this.cdp.send('Input.insertText', { text });
  }

  /** Loads `url`; resolves with Chromium's error code when the load failed (e.g. net::ERR_SSL_PROTOCOL_ERROR). */
  async navigate(url: string): Promise<string | undefined> {
    const { errorText } = await this.cdp.send('Page.navigate', { url });
    return errorText || undefined;
  }

  async history(action: 'back' | 'forward' | 'reload' | 'stop'): Promise<void> {
    if (action === 'reload') return this.reload();
    if (action === 'stop') {
      await this.cdp.send('Page.stopLoading');
      return;
    }
    const history = await this.cdp.send('Page.getNavigationHistory');
    const entry = history.entries[history.currentIndex + (action === 'back' ? -1 : 1)];
    if (entry) await this.cdp.send('Page.navigateToHistoryEntry', { entryId: entry.id });
  }

  /**
   * Evaluates one of page-probes.ts with JSON arguments; any failure yields null.
   * It runs in an isolated world, where the page's own scripts cannot replace the
   * builtins it uses (getComputedStyle, String.prototype, getSelection…); the
   * probes still cut their results down inside the page, and callers validate.
   */
  async probe<T>(fnSource: string, ...args: Array<number | string>): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), PROBE_TIMEOUT_MS)));
    const expression = `(${fnSource})(${args.map((a) => JSON.stringify(a)).join(',')})`;
    const run = this.evaluateInProbeWorld<T>(expression).catch(() => this.evaluateInProbeWorld<T>(expression, true)).catch(() => null);
    return Promise.race([run, late]).finally(() => clearTimeout(timer));
  }

  private async evaluateInProbeWorld<T>(expression: string, fresh = false): Promise<T | null> {
    if (fresh) this.probeWorld = null;
    const world = this.probeWorld ?? this.createProbeWorld();
    this.probeWorld = world;
    const result = await this.cdp.send('Runtime.evaluate', {
      expression,
      contextId: await world,
      returnByValue: true,
      silent: true,
      timeout: 500,
    });
    if (result.exceptionDetails) return null;
    return (result.result.value ?? null) as T | null;
  }

  private createProbeWorld(): Promise<number> {
    const world = this.cdp
      .send('Page.createIsolatedWorld', { frameId: this.targetId, worldName: PROBE_WORLD, grantUniveralAccess: false })
      .then((r) => r.executionContextId);
    // A failed attempt (the document was being replaced) is not cached.
    world.catch(() => {
      if (this.probeWorld === world) this.probeWorld = null;
    });
    return world;
  }

  /** The page as PDF, as Chromium prints it (A4, backgrounds on). */
  async printToPdf(): Promise<Uint8Array> {
    const { data } = await this.cdp.send('Page.printToPDF', { printBackground: true, paperWidth: 8.27, paperHeight: 11.69, transferMode: 'ReturnAsBase64' });
    return Buffer.from(data, 'base64');
  }

  async setFiles(backendNodeId: number, files: string[]): Promise<void> {
    await this.cdp.send('DOM.setFileInputFiles', { backendNodeId, files });
  }

  /**
   * Reloads the page, also a hung or crashed one: a script that never returns is
   * stopped first (Runtime.terminateExecution interrupts it; only while a probe is
   * unanswered, so it cannot hit the next page's first script), and a crashed tab
   * whose reload fails is navigated to its URL again. Both go through the
   * navigation guard like any navigation; the screencast resumes by itself.
   */
  private async reload(): Promise<void> {
    const health = this.health.state;
    if (health === 'unresponsive') await this.cdp.send('Runtime.terminateExecution').catch(() => undefined);
    try {
      await this.cdp.send('Page.reload', {});
    } catch (err) {
      if (health !== 'crashed' || !/^https?:/.test(this.state.url)) throw err;
      await this.cdp.send('Page.navigate', { url: this.state.url });
    }
  }

  /**
   * Closes the tab without running beforeunload (puppeteer: Target.closeTarget),
   * which also works while the page's script never returns. If Chromium takes
   * too long, the script is stopped and the tab is given up as closed; it goes
   * with its context at the latest.
   */
  async close(): Promise<void> {
    this.streaming = false;
    const closing = this.page.close({ runBeforeUnload: false }).then(() => true, () => true);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS)));
    const closed = await Promise.race([closing, late]).finally(() => clearTimeout(timer));
    if (!closed) await this.cdp.send('Runtime.terminateExecution').catch(() => undefined);
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.health.stop();
    this.events.closed(this);
  }
}
