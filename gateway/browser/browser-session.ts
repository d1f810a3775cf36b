/**
 * One user's remote browsing session: an incognito BrowserContext with its tabs,
 * the viewer (WebSocket) attached to it, frame flow control and dialogs. It lives
 * on when the viewer disconnects until the SessionManager reaps it. Input goes to
 * the page through InputForwarder, file choosers through UploadBroker, and every
 * "may the user do this here" question through one check (page-capabilities.ts).
 */
import type { BrowserContext, Page, Target } from 'puppeteer';
import {
  type ClientMessage,
  type ServerMessage,
  type SessionEndReason,
  type Viewport,
} from '../../protocol/index.js';
import { plainText } from '../../protocol/plain-text.js';
import { message } from '../i18n/messages.js';
import type { Actor } from '../actor.js';
import type { Logger } from '../logging.js';
import { addressTarget, httpFallbackWanted } from './address-input.js';
import { displayUrl } from './url-display.js';
import { DialogBroker } from './dialog-broker.js';
import { FrameStream } from './frame-stream.js';
import { InputForwarder } from './input-forwarder.js';
import type { GuardDeps } from './navigation-guard.js';
import { refusalFor, typesIntoPage, type GatewaySwitches, type PageAction } from './page-capabilities.js';
import { RemoteTab, type TabEvents } from './remote-tab.js';
import { UploadBroker } from './upload-broker.js';

const TITLE_POLL_MS = 2000;

/** The connection a session streams to. */
export interface Viewer {
  sendMessage(msg: ServerMessage): void;
  sendFrame(bytes: Uint8Array): void;
  close(): void;
}

/** Streaming figures for /metrics. */
export interface StreamMetrics {
  frameSent(bytes: number): void;
  inputToFrame(seconds: number): void;
}

export interface SessionOptions {
  /** Called when the session ends itself (End session), so its owner releases the rest at once. */
  onSelfEnded?: (sessionId: string) => void;
  metrics?: StreamMetrics;
  /** Receives a printed page (PDF) to pass through the download path; absent = printing off. */
  onPrint?: (sessionId: string, pdf: Uint8Array, title: string) => Promise<void>;
  /** URL policy for this session's navigations (identity-bound); see navigation-guard.ts. */
  guard?: GuardDeps;
  /** Tab cap; read at each new tab so the admin console's setting applies at once. */
  maxTabs: number | (() => number);
  jpegQuality: number;
  maxDeviceScaleFactor: number;
  clipboardToClient: boolean;
  clipboardFromClient: boolean;
  uploadEnabled: boolean;
  /** What a new session's first tab and each new tab open (config session.startPage); absent: a blank page. */
  startPage?: string;
}

/** What the admin console's live-session list shows of a session. */
export interface SessionSummary {
  id: string;
  user: Omit<Actor, 'sourceIp'>;
  sourceIp: string;
  url: string;
  title: string;
  tabs: number;
  since: string;
  lastActivity: string;
  connected: boolean;
}

export class BrowserSession {
  private readonly tabs = new Map<number, RemoteTab>();
  private readonly pages = new Map<Page, number>();
  private readonly adopting = new Map<Page, Promise<RemoteTab | undefined>>();
  private nextTabId = 1;
  private activeTabId: number | null = null;
  private viewer: Viewer | null = null;
  private viewport: Viewport = { width: 1280, height: 800, dpr: 1 };
  private readonly flow: FrameStream;
  private readonly dialogs: DialogBroker;
  private readonly input: InputForwarder;
  /** File choosers the pages opened, waiting for the user's file (upload.http.ts). */
  readonly uploads: UploadBroker;
  private readonly switches: GatewaySwitches;
  private ended = false;
  /** When the last click or key went to the page: the next frame measures input-to-frame latency. */
  private inputAt: number | null = null;
  /** Titles can change without any event (e.g. unread counts): poll the active tab. */
  private titleTimer: NodeJS.Timeout | null = null;
  lastActivity = Date.now();
  readonly createdAt = new Date().toISOString();

  constructor(
    readonly id: string,
    readonly user: Actor,
    private readonly context: BrowserContext,
    private readonly options: SessionOptions,
    private readonly log: Logger,
  ) {
    this.flow = new FrameStream({
      jpegQuality: options.jpegQuality,
      send: (bytes) => {
        if (!this.viewer) return false;
        this.viewer.sendFrame(bytes);
        return true;
      },
      tabId: () => this.activeTabId ?? 0,
      sent: (bytes) => {
        this.options.metrics?.frameSent(bytes);
        if (this.inputAt !== null) {
          this.options.metrics?.inputToFrame((performance.now() - this.inputAt) / 1000);
          this.inputAt = null;
        }
      },
    });
    this.dialogs = new DialogBroker((msg) => this.viewer?.sendMessage(msg));
    this.input = new InputForwarder((msg) => this.viewer?.sendMessage(msg));
    this.uploads = new UploadBroker((tabId) => this.tabs.get(tabId));
    this.switches = {
      clipboardToClient: options.clipboardToClient,
      clipboardFromClient: options.clipboardFromClient,
      uploadEnabled: options.uploadEnabled,
      printEnabled: options.onPrint !== undefined,
    };
    context.on('targetcreated', (target) => {
      if (target.type() !== 'page') return;
      // A popup that cannot be adopted (it closed during set-up, a CDP call failed) is
      // logged: swallowed, it would only show as a tab that never appeared.
      target
        .page()
        .then((page) => page && this.adoptPage(page, target.opener()))
        .catch((err: unknown) => this.log.warn({ sessionId: this.id, url: target.url().slice(0, 200), err: String(err) }, 'new tab could not be adopted'));
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  get hasViewer(): boolean {
    return this.viewer !== null;
  }

  get tabCount(): number {
    return this.tabs.size;
  }

  /** Adopts the pages the context already has (a warm context comes with one). */
  async init(): Promise<void> {
    for (const page of await this.context.pages()) await this.adoptPage(page);
    if (this.tabs.size === 0) await this.openTab();
    else this.openStartPage(this.activeTab());
  }

  /** Loads the start page in a fresh tab, through the navigation guard, without waiting for it. */
  private openStartPage(tab: RemoteTab | undefined): void {
    const start = this.options.startPage;
    if (!start || !tab || tab.state.url !== 'about:blank') return;
    tab.navigate(start).catch((err: unknown) => this.log.warn({ sessionId: this.id, err: String(err) }, 'start page not opened'));
  }

  findTabByTarget(targetId: string): RemoteTab | undefined {
    for (const tab of this.tabs.values()) if (tab.targetId === targetId) return tab;
    return undefined;
  }

  /** Attaches a viewer, replacing any previous one (which is told and closed). */
  async attach(viewer: Viewer, viewport: Viewport): Promise<void> {
    const previous = this.viewer;
    if (previous && previous !== viewer) {
      previous.sendMessage({ type: 'session-ended', reason: 'replaced', message: message('replaced') });
      previous.close();
    }
    this.flow.reset();
    this.viewer = viewer;
    this.viewport = viewport;
    this.touch();
    this.sendTabs();
    const tab = this.activeTab();
    if (tab) {
      this.sendNavState(tab);
      await tab.setViewport(viewport);
      await tab.startStreaming();
    }
    this.dialogs.resend();
    for (const t of this.tabs.values()) if (t.health.state !== 'ok') this.sendHealth(t);
    if (!this.titleTimer) this.titleTimer = setInterval(() => void this.activeTab()?.refreshInfo(), TITLE_POLL_MS);
  }

  detach(viewer: Viewer): void {
    if (this.viewer !== viewer) return;
    this.viewer = null;
    this.flow.reset();
    this.stopTitlePoll();
    void this.activeTab()?.stopStreaming();
    this.touch();
  }

  private stopTitlePoll(): void {
    if (this.titleTimer) clearInterval(this.titleTimer);
    this.titleTimer = null;
  }

  touch(): void {
    this.lastActivity = Date.now();
  }

  /** Handles one validated client message. */
  async handle(msg: ClientMessage): Promise<void> {
    if (msg.type !== 'ack' && msg.type !== 'keyframe') this.touch();
    const tab = this.activeTab();
    switch (msg.type) {
      case 'hello':
        return;
      case 'ack':
        this.flow.onClientAck(msg.seq);
        return;
      case 'keyframe':
        this.flow.requestKey();
        return;
      case 'resize':
        this.viewport = msg.viewport;
        if (tab) await tab.setViewport(msg.viewport);
        return;
      case 'navigate':
        return this.navigate(msg.url);
      case 'history':
        if (tab) await tab.history(msg.action);
        return;
      case 'tab':
        return this.tabAction(msg.action, msg.tabId);
      case 'dialog-reply':
        return this.dialogs.reply(msg);
      case 'file-chooser-cancel':
        this.uploads.cancel(msg.chooserId);
        return;
      case 'paste':
        if (this.refused('paste', tab)) return;
        if (tab?.health.state === 'ok') await tab.insertText(msg.text);
        return;
      case 'copy':
        return this.copySelection(msg.cut ?? false);
      case 'end-session':
        await this.end('ended-by-user');
        this.options.onSelfEnded?.(this.id);
        return;
      case 'print':
        return this.print();
      // A choice in a client-drawn picker counts as a click, not as typing: the
      // pop-up would have taken it from the mouse on a read-only page too.
      case 'picker-choose':
        if (tab?.health.state === 'ok') await tab.pickers.choose(msg);
        return;
      case 'picker-cancel':
        if (tab?.health.state === 'ok') await tab.pickers.cancel(msg.pickerId);
        return;
      // Answered on the control plane's viewer socket (leak guard); never meant for the page.
      case 'leak-reason':
        return;
      default:
        // A hung or crashed page takes no input: it would only wait and hold up the queue.
        if (!tab || tab.health.state !== 'ok') return;
        // Read-only pages (URL policy) take pointer and wheel input but no typing;
        // one notice per key press, not per key-up or IME update.
        if (typesIntoPage(msg) && this.refused('type', tab, msg.type === 'key' && msg.action === 'down')) return;
        if ((msg.type === 'pointer' && msg.action === 'down') || (msg.type === 'key' && msg.action === 'down')) this.inputAt = performance.now();
        // The picture is about to change: a refinement now would only hold up the frame the input causes.
        if (msg.type !== 'pointer' || msg.action !== 'move') this.flow.onInput();
        await this.input.forward(tab, msg, (cut) => this.copySelection(cut));
    }
  }

  private async print(): Promise<void> {
    const tab = this.activeTab();
    if (!tab || this.refused('print', tab) || !this.options.onPrint) return;
    const pdf = await tab.printToPdf();
    await this.options.onPrint(this.id, pdf, tab.state.title || 'page');
  }

  /** What the admin console's live-session list shows. */
  summary(): SessionSummary {
    const tab = this.activeTab();
    return {
      id: this.id,
      user: { id: this.user.id, name: this.user.name, role: this.user.role },
      sourceIp: this.user.sourceIp,
      url: plainText(tab?.state.url ?? '', 8192),
      title: plainText(tab?.state.title ?? '', 2000),
      tabs: this.tabs.size,
      since: this.createdAt,
      lastActivity: new Date(this.lastActivity).toISOString(),
      connected: this.viewer !== null,
    };
  }

  /** Sends a message to the viewer, if one is attached (download progress, for example). */
  send(msg: ServerMessage): void {
    this.viewer?.sendMessage(msg);
  }

  /** The tab whose main frame is `frameId` (downloads name the frame that started them). */
  findTabByFrame(frameId: string): RemoteTab | undefined {
    return this.findTabByTarget(frameId);
  }

  get browserContext(): BrowserContext {
    return this.context;
  }

  private async navigate(input: string): Promise<void> {
    const target = addressTarget(input);
    if (!target) return this.notice('invalid-url', { url: input.slice(0, 200) });
    const tab = this.activeTab() ?? (await this.openTab());
    if (!tab) return;
    const failed = await tab.navigate(target.url);
    // A typed host without a scheme: like Chrome, try http when https cannot connect.
    // The http load passes the navigation guard and the egress proxy like any other.
    if (target.fallback && httpFallbackWanted(failed) && !tab.closed) {
      this.log.info({ sessionId: this.id, error: failed }, 'https failed for a typed address; trying http');
      await tab.navigate(target.fallback);
    }
  }

  private async copySelection(cut: boolean): Promise<void> {
    const tab = this.activeTab();
    if (this.refused(cut ? 'cut' : 'copy', tab)) return;
    const text = tab ? await this.input.selection(tab) : null;
    if (text) this.viewer?.sendMessage({ type: 'clipboard', text });
    if (cut && tab) await tab.key({ type: 'key', action: 'down', key: 'x', code: 'KeyX', keyCode: 88, modifiers: 2 });
  }

  private async tabAction(action: 'new' | 'activate' | 'close', tabId?: number): Promise<void> {
    if (action === 'new') {
      // Adopting the new tab made it the active one already.
      const tab = await this.openTab();
      if (tab && this.activeTabId !== tab.id) await this.activate(tab.id);
      return;
    }
    if (tabId === undefined) return;
    if (action === 'activate') return this.activate(tabId);
    await this.tabs.get(tabId)?.close();
  }

  private async openTab(): Promise<RemoteTab | undefined> {
    if (this.pages.size >= this.maxTabs()) {
      this.notice('tab-limit', { max: this.maxTabs() });
      return undefined;
    }
    const page = await this.context.newPage();
    const tab = await this.adoptPage(page);
    this.openStartPage(tab);
    return tab;
  }

  /**
   * Adopts a page as a tab. A new page is reported twice (by `newPage()` and by the
   * context's `targetcreated`); both callers get the same tab.
   */
  private adoptPage(page: Page, openerTarget?: Target): Promise<RemoteTab | undefined> {
    const pending = this.adopting.get(page);
    if (pending) return pending;
    const adoption = this.adopt(page, openerTarget).finally(() => this.adopting.delete(page));
    this.adopting.set(page, adoption);
    return adoption;
  }

  private async adopt(page: Page, openerTarget?: Target): Promise<RemoteTab | undefined> {
    const existing = this.pages.get(page);
    if (existing !== undefined) return this.tabs.get(existing);
    if (this.ended) return undefined;
    // Counted with the tabs still being set up (`pages`): a popup flood opens dozens at
    // once, and every one of them passed a check of the finished tabs alone.
    if (this.pages.size >= this.maxTabs()) {
      this.notice('tab-limit', { max: this.maxTabs() });
      await page.close().catch(() => undefined);
      return undefined;
    }
    const id = this.nextTabId++;
    this.pages.set(page, id);
    // A popup starts with the limits of the page that opened it (remote-tab.ts).
    const opener = openerTarget ? [...this.tabs.values()].find((t) => t.page.target() === openerTarget) : undefined;
    let tab: RemoteTab;
    try {
      tab = await RemoteTab.open(id, page, this.tabEvents, {
        ...(opener ? { openerLimits: opener.policy } : {}),
        ...(this.options.guard ? { guard: this.options.guard } : {}),
        maxDeviceScaleFactor: this.options.maxDeviceScaleFactor,
        locale: 'ja-JP',
        timezone: 'Asia/Tokyo',
        waitingForUser: () => this.dialogs.isWaiting(id),
      });
    } catch (err) {
      // A page without its guard must not stay open unseen in the context.
      this.pages.delete(page);
      await page.close().catch(() => undefined);
      throw err;
    }
    if (tab.closed) {
      this.pages.delete(page);
      return undefined;
    }
    this.tabs.set(id, tab);
    // A popup or new tab becomes the active one, as in a desktop browser.
    await this.activate(id);
    return tab;
  }

  private async activate(tabId: number): Promise<void> {
    const next = this.tabs.get(tabId);
    if (!next) return;
    const previous = this.activeTab();
    if (previous && previous !== next) {
      previous.pickers.close();
      await previous.stopStreaming();
    }
    this.flow.reset();
    this.activeTabId = tabId;
    this.sendTabs();
    this.sendNavState(next);
    if (this.viewer) {
      await next.setViewport(this.viewport);
      await next.startStreaming();
    }
  }

  private readonly tabEvents: TabEvents = {
    frame: (tab, frame) => {
      if (tab.id !== this.activeTabId || !this.viewer) return frame.ackSource();
      this.flow.onScreencast(frame);
    },
    stateChanged: (tab) => {
      this.sendTabs();
      if (tab.id === this.activeTabId) this.sendNavState(tab);
    },
    dialog: (tab, dialog) => this.dialogs.open(tab.id, dialog),
    picker: (tab, msg) => {
      if (tab.id === this.activeTabId) this.viewer?.sendMessage({ type: 'picker', tabId: tab.id, ...msg });
      else tab.pickers.close();
    },
    pickerClosed: (_tab, pickerId) => this.viewer?.sendMessage({ type: 'picker-closed', pickerId }),
    healthChanged: (tab, state) => {
      if (state !== 'ok') this.log.warn({ sessionId: this.id, tabId: tab.id, state }, 'tab unresponsive or crashed');
      this.sendHealth(tab);
    },
    fileChooser: (tab, chooser) => {
      if (this.refused('upload', tab)) return;
      const chooserId = this.uploads.open(tab.id, chooser);
      this.viewer?.sendMessage({ type: 'file-chooser', chooserId, multiple: chooser.multiple });
    },
    closed: (tab) => {
      this.tabs.delete(tab.id);
      this.pages.delete(tab.page);
      this.dialogs.dropTab(tab.id);
      if (this.ended) return;
      if (this.activeTabId === tab.id) {
        this.activeTabId = null;
        this.flow.reset();
        const fallback = [...this.tabs.keys()].pop();
        if (fallback !== undefined) void this.activate(fallback);
        else void this.openTab();
      }
      this.sendTabs();
    },
  };

  /** Destroys the context at once and tells the viewer why. */
  async end(reason: SessionEndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.flow.reset();
    this.stopTitlePoll();
    const viewer = this.viewer;
    this.viewer = null;
    viewer?.sendMessage({ type: 'session-ended', reason, message: message(reason) });
    viewer?.close();
    for (const tab of this.tabs.values()) tab.health.stop();
    this.tabs.clear();
    await this.context.close().catch(() => undefined);
    this.log.info({ reason, sessionId: this.id }, 'browser session ended');
  }

  private maxTabs(): number {
    return typeof this.options.maxTabs === 'function' ? this.options.maxTabs() : this.options.maxTabs;
  }

  private activeTab(): RemoteTab | undefined {
    return this.activeTabId === null ? undefined : this.tabs.get(this.activeTabId);
  }

  private sendTabs(): void {
    this.viewer?.sendMessage({
      type: 'tabs',
      // Titles and URLs are the page's text: no bidi or other invisible characters (plain-text.ts).
      tabs: [...this.tabs.values()].map((t) => ({ id: t.id, title: plainText(t.state.title, 2000), url: plainText(t.state.url, 8192), loading: t.state.loading })),
      activeTabId: this.activeTabId,
    });
  }

  private sendNavState(tab: RemoteTab): void {
    const s = tab.state;
    const url = plainText(s.url, 8192);
    const shown = plainText(displayUrl(url), 8192);
    this.viewer?.sendMessage({
      type: 'nav-state',
      tabId: tab.id,
      url,
      ...(shown !== url ? { displayUrl: shown } : {}),
      title: plainText(s.title, 2000),
      loading: s.loading,
      canGoBack: s.canGoBack,
      canGoForward: s.canGoForward,
    });
  }

  private sendHealth(tab: RemoteTab): void {
    this.viewer?.sendMessage({ type: 'tab-health', tabId: tab.id, state: tab.health.state });
  }

  /**
   * The one capability check (page-capabilities.ts): true when the gateway's settings
   * or the page's URL policy refuse `action`; the viewer is told why unless `tell` is false.
   */
  private refused(action: PageAction, tab: RemoteTab | undefined, tell = true): boolean {
    const refusal = refusalFor(action, tab?.policy, this.switches);
    if (refusal && tell) this.notice(refusal);
    return refusal !== null;
  }

  private notice(code: Parameters<typeof message>[0], params: Record<string, string | number> = {}): void {
    this.viewer?.sendMessage({ type: 'notice', code, message: message(code, params) });
  }
}
