/**
 * Toolbar (back, forward, reload/stop, address, title, print, account, End session)
 * and tab strip. The address bar shows the decoded address (`displayUrl`) and
 * keeps what the user entered until the page's address changes, so a session that
 * attaches just after the user pressed Enter does not wipe it; Esc in it restores
 * the page's address and gives the keyboard back to the page.
 */
import type { ClientMessage, TabInfo } from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';

export interface NavState {
  tabId: number;
  url: string;
  displayUrl?: string | undefined;
  title: string;
  loading: boolean;
  canGoBack: boolean;
  canGoForward: boolean;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly back = h('button', { type: 'button', class: 'icon', 'aria-label': t('back'), title: t('back') }, ['←']);
  private readonly forward = h('button', { type: 'button', class: 'icon', 'aria-label': t('forward'), title: t('forward') }, ['→']);
  private readonly reload = h('button', { type: 'button', class: 'icon', 'aria-label': t('reload'), title: t('reload') }, ['⟳']);
  private readonly address = h('input', { type: 'text', class: 'address', 'aria-label': t('address'), spellcheck: 'false', autocomplete: 'off' });
  private readonly title = h('span', { class: 'page-title', 'aria-live': 'polite' });
  private readonly print = h('button', { type: 'button', class: 'icon print', 'aria-label': t('print'), title: t('print') }, [t('printShort')]);
  private readonly account = h('a', { class: 'icon account-link', href: document.documentElement.lang === 'en' ? '/password?lang=en' : '/password', 'aria-label': t('account'), title: t('account') }, ['⚙']);
  private readonly end = h('button', { type: 'button', class: 'end-session' }, [t('endSession')]);
  private readonly tabList = h('div', { class: 'tab-list', role: 'tablist', 'aria-label': t('tabs') });
  private readonly newTab = h('button', { type: 'button', class: 'icon new-tab', 'aria-label': t('newTab'), title: t('newTab') }, ['+']);
  private loading = false;
  private editing = false;
  /** The active tab's address as shown when not editing. */
  private current = '';
  /** What the user entered, kept until the page's address changes from `from`. */
  private submitted: { text: string; tabId: number | null; from: string } | null = null;
  private tabId: number | null = null;
  private tabIds: number[] = [];

  constructor(private readonly send: (msg: ClientMessage) => void, onEnd: () => void, private readonly leave: () => void, extras: HTMLElement[] = []) {
    this.back.addEventListener('click', () => send({ type: 'history', action: 'back' }));
    this.forward.addEventListener('click', () => send({ type: 'history', action: 'forward' }));
    this.reload.addEventListener('click', () => send({ type: 'history', action: this.loading ? 'stop' : 'reload' }));
    this.newTab.addEventListener('click', () => send({ type: 'tab', action: 'new' }));
    this.print.addEventListener('click', () => send({ type: 'print' }));
    this.end.addEventListener('click', onEnd);
    this.address.addEventListener('focus', () => {
      this.editing = true;
      this.address.select();
    });
    this.address.addEventListener('blur', () => (this.editing = false));
    this.address.addEventListener('keydown', (e) => {
      if (e.isComposing) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        this.address.value = this.submitted?.text ?? this.current;
        this.leave();
        return;
      }
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const url = this.address.value.trim();
      if (url) {
        this.submitted = { text: url, tabId: this.tabId, from: this.current };
        send({ type: 'navigate', url: url.slice(0, 8192) });
      }
      this.leave();
    });
    this.element = h('header', { class: 'toolbar' }, [
      h('div', { class: 'tab-strip' }, [this.tabList, this.newTab]),
      h('nav', { class: 'nav-row' }, [this.back, this.forward, this.reload, this.address, this.title, ...extras, this.print, this.account, this.end]),
    ]);
  }

  setNavState(state: NavState): void {
    this.loading = state.loading;
    this.back.disabled = !state.canGoBack;
    this.forward.disabled = !state.canGoForward;
    const label = state.loading ? t('stop') : t('reload');
    this.reload.setAttribute('aria-label', label);
    this.reload.title = label;
    this.reload.textContent = state.loading ? '✕' : '⟳';
    const shown = state.displayUrl ?? state.url;
    this.current = shown === 'about:blank' ? '' : shown;
    this.tabId = state.tabId;
    const s = this.submitted;
    if (s && ((s.tabId !== null && s.tabId !== state.tabId) || this.current !== s.from)) this.submitted = null;
    if (!this.editing) this.address.value = this.submitted?.text ?? this.current;
    this.title.textContent = state.title;
    document.title = state.title ? `${state.title} — kekkai` : t('appTitle');
    this.element.classList.toggle('is-loading', state.loading);
  }

  setTabs(tabs: TabInfo[], activeTabId: number | null): void {
    this.tabIds = tabs.map((tab) => tab.id);
    this.tabId = activeTabId;
    this.tabList.replaceChildren(
      ...tabs.map((tab) => {
        const label = tab.title || (tab.url === 'about:blank' ? t('untitled') : tab.url);
        const selected = tab.id === activeTabId;
        const button = h('button', { type: 'button', role: 'tab', class: 'tab-title', 'aria-selected': String(selected), title: label }, [
          tab.loading ? `⏳ ${label}` : label,
        ]);
        button.addEventListener('click', () => this.send({ type: 'tab', action: 'activate', tabId: tab.id }));
        const close = h('button', { type: 'button', class: 'icon tab-close', 'aria-label': t('closeTab'), title: t('closeTab') }, ['×']);
        close.addEventListener('click', () => this.send({ type: 'tab', action: 'close', tabId: tab.id }));
        return h('div', { class: selected ? 'tab active' : 'tab', 'data-tab-id': String(tab.id) }, [button, close]);
      }),
    );
  }

  focusAddress(): void {
    this.address.focus();
    this.address.select();
  }

  get addressFocused(): boolean {
    return document.activeElement === this.address;
  }

  /** The active tab. */
  get activeTab(): number | null {
    return this.tabId;
  }

  /** The tab after (1) or before (-1) the active one, wrapping around. */
  adjacentTab(dir: 1 | -1): number | null {
    const i = this.tabId === null ? -1 : this.tabIds.indexOf(this.tabId);
    if (this.tabIds.length < 2 || i < 0) return null;
    return this.tabIds[(i + dir + this.tabIds.length) % this.tabIds.length]!;
  }
}
