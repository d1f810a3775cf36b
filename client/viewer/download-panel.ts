/**
 * The viewer's download panel: one row per download with its state (downloading
 * → queued with its position, when every sanitizer slot is busy → scanning →
 * sanitizing → ready / blocked), a progress bar while downloading, what the
 * sanitizer did (in plain words) and the one-time link when ready, the reason when
 * blocked, and the reference number the help desk and security team look it up by.
 * It can be minimised to its heading or closed; the toolbar's downloads button,
 * with a badge counting the downloads that still need the user, brings it back,
 * and so does a new download. A wheel turned over it scrolls its list, and the
 * page below once the list is at its end. A blocked item with a reference number
 * offers 「解放を申請」 (release-request-form.ts). Names and messages come from remote
 * servers: they only ever go in as text.
 */
import type { DownloadMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { releaseRequestControl, type ReleaseRequester } from './release-request-form.js';

type Lang = 'ja' | 'en';

const STRINGS = {
  ja: {
    title: 'ダウンロード',
    downloading: 'ダウンロード中',
    queued: '順番待ち',
    scanning: 'ウイルス検査中',
    sanitizing: '無害化処理中',
    ready: '準備完了',
    blocked: 'ブロックされました',
    save: '保存',
    used: 'リンクは使用済みです',
    minimise: 'ダウンロード一覧を最小化',
    restore: 'ダウンロード一覧を広げる',
    close: 'ダウンロード一覧を閉じる',
    open: 'ダウンロード一覧を表示',
    ref: '参照番号',
    askHelpdesk: 'お問い合わせの際は、この参照番号をお伝えください。',
    pending: '件の対応待ち',
  },
  en: {
    title: 'Downloads',
    downloading: 'Downloading',
    queued: 'Queued',
    scanning: 'Scanning for malware',
    sanitizing: 'Sanitizing',
    ready: 'Ready',
    blocked: 'Blocked',
    save: 'Save',
    used: 'Link already used',
    minimise: 'Minimise the downloads',
    restore: 'Expand the downloads',
    close: 'Close the downloads',
    open: 'Show the downloads',
    ref: 'Reference',
    askHelpdesk: 'Quote this reference number when you contact the help desk.',
    pending: 'waiting for you',
  },
} as const satisfies Record<Lang, Record<string, string>>;

interface Row {
  item: HTMLLIElement;
  name: HTMLSpanElement;
  state: HTMLSpanElement;
  detail: HTMLDivElement;
  msg: DownloadMessage;
}

export class DownloadPanel {
  readonly element: HTMLElement;
  /** The toolbar's downloads button (with the badge). */
  readonly button: HTMLButtonElement;
  private readonly badge: HTMLSpanElement;
  private readonly list: HTMLUListElement;
  private readonly minimiseButton: HTMLButtonElement;
  private readonly rows = new Map<string, Row>();
  private readonly lang: Lang;
  /** Links the user already used (one-time). */
  private readonly spent = new Set<string>();
  private readonly requestControls = new Map<string, HTMLElement>();

  /**
   * @param wheelBelow receives a wheel the list cannot scroll further, for the page under the panel.
   * @param requestRelease sends a blocked item's release request (none: the item offers no request).
   */
  constructor(
    private readonly wheelBelow: (e: WheelEvent) => void = () => undefined,
    lang: string = document.documentElement.lang,
    private readonly requestRelease?: ReleaseRequester,
  ) {
    this.lang = lang.toLowerCase().startsWith('en') ? 'en' : 'ja';
    const s = STRINGS[this.lang];
    this.list = h('ul', { class: 'download-list' });
    const heading = h('h2', { class: 'download-title', id: 'download-panel-title' }, [s.title]);
    this.minimiseButton = h('button', { type: 'button', class: 'icon download-minimise', 'aria-label': s.minimise, title: s.minimise, 'aria-expanded': 'true', 'aria-controls': 'download-list' }, ['▁']);
    this.list.id = 'download-list';
    const close = h('button', { type: 'button', class: 'icon download-close', 'aria-label': s.close, title: s.close }, ['×']);
    this.minimiseButton.addEventListener('click', () => this.setMinimised(!this.element.classList.contains('minimised')));
    close.addEventListener('click', () => this.close());
    this.element = h('section', { class: 'download-panel', role: 'region', 'aria-labelledby': heading.id, hidden: true }, [
      h('div', { class: 'download-header' }, [heading, this.minimiseButton, close]),
      this.list,
    ]);
    this.element.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.badge = h('span', { class: 'download-badge', hidden: true, 'aria-hidden': 'true' });
    this.button = h('button', { type: 'button', class: 'icon downloads-button', 'aria-label': s.open, title: s.open, hidden: true }, ['⤓', this.badge]);
    this.button.addEventListener('click', () => (this.element.hidden ? this.show() : this.close()));
  }

  /** Shows a download's new state; call for every `download` message (and the replay on reconnect). */
  update(msg: DownloadMessage): void {
    const existing = this.rows.get(msg.id);
    const row = existing ?? this.addRow(msg);
    row.msg = msg;
    row.item.dataset.state = msg.state;
    row.name.textContent = msg.state === 'ready' && msg.outputName ? msg.outputName : msg.name;
    row.name.title = msg.name;
    row.state.textContent = this.stateText(msg);
    row.detail.replaceChildren(...this.detail(msg));
    this.button.hidden = false;
    // A new download brings the panel back, as a desktop browser's download bubble does.
    if (!existing) this.show(false);
    this.updateBadge();
  }

  /** Opens the panel (expanded unless told to keep it as it was). */
  show(expand = true): void {
    this.element.hidden = false;
    if (expand) this.setMinimised(false);
    this.button.setAttribute('aria-expanded', 'true');
  }

  close(): void {
    const hadFocus = this.element.contains(document.activeElement);
    this.element.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (hadFocus) this.button.focus();
  }

  private setMinimised(minimised: boolean): void {
    const s = STRINGS[this.lang];
    this.element.classList.toggle('minimised', minimised);
    this.minimiseButton.setAttribute('aria-expanded', String(!minimised));
    this.minimiseButton.setAttribute('aria-label', minimised ? s.restore : s.minimise);
    this.minimiseButton.title = minimised ? s.restore : s.minimise;
    this.minimiseButton.textContent = minimised ? '▔' : '▁';
  }

  /** Downloads that still need the user: in progress, or ready with an unused link. */
  private updateBadge(): void {
    const count = [...this.rows.values()].filter((r) => r.msg.state !== 'blocked' && !(r.msg.state === 'ready' && (!r.msg.href || this.spent.has(r.msg.id)))).length;
    this.badge.textContent = count > 99 ? '99+' : String(count);
    this.badge.hidden = count === 0;
    const s = STRINGS[this.lang];
    const label = count > 0 ? `${s.open}（${count} ${s.pending}）` : s.open;
    this.button.setAttribute('aria-label', this.lang === 'en' && count > 0 ? `${s.open} (${count} ${s.pending})` : label);
  }

  private onWheel(e: WheelEvent): void {
    const box = this.element;
    const canScroll = !box.classList.contains('minimised') && (e.deltaY < 0 ? box.scrollTop > 0 : box.scrollTop + box.clientHeight < box.scrollHeight - 1);
    if (canScroll && e.deltaY !== 0) return;
    e.preventDefault();
    this.wheelBelow(e);
  }

  private stateText(msg: DownloadMessage): string {
    const s = STRINGS[this.lang];
    if (msg.state !== 'queued' || msg.queuePosition === undefined) return s[msg.state];
    return this.lang === 'ja' ? `${s.queued}（${msg.queuePosition} 番目）` : `${s.queued} (position ${msg.queuePosition})`;
  }

  private addRow(msg: DownloadMessage): Row {
    const name = h('span', { class: 'download-name' });
    // Only the state is live: progress ticks would flood a screen reader.
    const state = h('span', { class: 'download-state', role: 'status' });
    const detail = h('div', { class: 'download-detail' });
    const item = h('li', { class: 'download-item' }, [name, state, detail]);
    item.dataset.id = msg.id;
    this.list.prepend(item);
    const row = { item, name, state, detail, msg };
    this.rows.set(msg.id, row);
    return row;
  }

  private reference(msg: DownloadMessage, blocked: boolean): Node[] {
    if (!msg.ref) return [];
    const s = STRINGS[this.lang];
    const ref = h('p', { class: 'download-ref' }, [`${s.ref}: `, h('span', { class: 'download-ref-number' }, [msg.ref])]);
    if (!blocked) return [ref];
    const request = this.requestRelease ? [this.requestControl(msg.ref, this.requestRelease)] : [];
    return [h('p', { class: 'download-next' }, [s.askHelpdesk]), ref, ...request];
  }

  /** One control per reference number, kept across re-renders so a typed reason or a sent request survives a replay. */
  private requestControl(ref: string, requester: ReleaseRequester): HTMLElement {
    let control = this.requestControls.get(ref);
    if (!control) {
      control = releaseRequestControl(ref, this.lang, requester);
      this.requestControls.set(ref, control);
    }
    return control;
  }

  private detail(msg: DownloadMessage): Node[] {
    const s = STRINGS[this.lang];
    switch (msg.state) {
      case 'downloading': {
        const bar = h('progress', { class: 'download-progress', 'aria-label': `${s.downloading}: ${msg.name}` });
        if (msg.totalBytes !== null && msg.totalBytes > 0) {
          bar.max = msg.totalBytes;
          bar.value = Math.min(msg.receivedBytes, msg.totalBytes);
        }
        return [bar, h('span', { class: 'download-bytes' }, [formatBytes(msg.receivedBytes, msg.totalBytes, this.lang)])];
      }
      case 'blocked': {
        const text = msg.message?.[this.lang] ?? msg.reason ?? '';
        return [h('p', { class: 'download-reason' }, [text]), ...this.reference(msg, true)];
      }
      case 'ready': {
        const done = msg.done?.length ? [h('ul', { class: 'download-done' }, msg.done.map((line) => h('li', {}, [line[this.lang]])))] : [];
        const info = [...done, ...this.reference(msg, false)];
        if (!msg.href || !/^\/api\/(downloads|released)\//.test(msg.href) || this.spent.has(msg.id)) {
          return [h('span', { class: 'download-used' }, [s.used]), ...info];
        }
        const link = h('a', { class: 'download-link', href: msg.href, download: msg.outputName ?? msg.name }, [s.save]);
        // One-time link: after the click it is spent.
        link.addEventListener('click', () =>
          setTimeout(() => {
            this.spent.add(msg.id);
            link.replaceWith(h('span', { class: 'download-used' }, [s.used]));
            this.updateBadge();
          }, 0),
        );
        return [link, ...info];
      }
      default:
        return [];
    }
  }
}

function formatBytes(received: number, total: number | null, lang: Lang): string {
  const fmt = (n: number): string => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} KB`);
  if (total === null || total <= 0) return fmt(received);
  const pct = Math.floor((received / total) * 100);
  return lang === 'ja' ? `${fmt(received)} / ${fmt(total)}（${pct}%）` : `${fmt(received)} of ${fmt(total)} (${pct}%)`;
}
