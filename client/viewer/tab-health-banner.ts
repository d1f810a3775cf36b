/**
 * A notice over the remote page when its tab stops answering or its page crashed
 * (`tab-health` messages), with Reload and Close tab. It covers the canvas, so
 * clicks go to its buttons instead of a page that cannot take them.
 */
import type { ClientMessage, TabHealthMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { t } from '../i18n.js';

type Health = TabHealthMessage['state'];

export class TabHealthBanner {
  readonly element = h('div', { class: 'tab-health', role: 'alert', hidden: true });
  private readonly states = new Map<number, Exclude<Health, 'ok'>>();
  private activeTabId: number | null = null;
  /** What is shown now, so an unchanged state does not rebuild the buttons (and steal focus). */
  private shown = '';

  constructor(private readonly send: (msg: ClientMessage) => void) {}

  update(msg: TabHealthMessage): void {
    if (msg.state === 'ok') this.states.delete(msg.tabId);
    else this.states.set(msg.tabId, msg.state);
    this.render();
  }

  /** Follows the tab list: forgets closed tabs, shows the active tab's state. */
  setTabs(tabIds: number[], activeTabId: number | null): void {
    for (const id of this.states.keys()) if (!tabIds.includes(id)) this.states.delete(id);
    this.activeTabId = activeTabId;
    this.render();
  }

  /** A (re)attached session sends the states again. */
  reset(): void {
    this.states.clear();
    this.render();
  }

  private render(): void {
    const tabId = this.activeTabId;
    const state = tabId === null ? undefined : this.states.get(tabId);
    const key = state && tabId !== null ? `${tabId}:${state}` : '';
    if (key === this.shown) return;
    this.shown = key;
    if (!state || tabId === null) {
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    const reload = h('button', { type: 'button', class: 'primary' }, [t('reload')]);
    const close = h('button', { type: 'button' }, [t('closeTab')]);
    reload.addEventListener('click', () => this.send({ type: 'history', action: 'reload' }));
    close.addEventListener('click', () => this.send({ type: 'tab', action: 'close', tabId }));
    this.element.replaceChildren(
      h('div', { class: 'tab-health-box' }, [
        h('p', {}, [t(state === 'crashed' ? 'tabCrashed' : 'tabUnresponsive')]),
        h('div', { class: 'dialog-buttons' }, [close, reload]),
      ]),
    );
    this.element.hidden = false;
    reload.focus();
  }
}
