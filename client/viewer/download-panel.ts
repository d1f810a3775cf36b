/**
 * The viewer's download panel: one row per download with its state (downloading
 * → queued with its position, when every sanitizer slot is busy → scanning →
 * sanitizing → ready / blocked), a progress bar while downloading,
 * the reason when blocked and the one-time link when ready. Names and messages
 * come from remote servers: they only ever go in as text.
 */
import type { DownloadMessage } from '../../protocol/index.js';
import { h } from '../dom-builder.js';

type Lang = 'ja' | 'en';
type State = DownloadMessage['state'];

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
  },
} as const satisfies Record<Lang, Record<State | 'title' | 'save' | 'used', string>>;

interface Row {
  item: HTMLLIElement;
  name: HTMLSpanElement;
  state: HTMLSpanElement;
  detail: HTMLDivElement;
}

export class DownloadPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly rows = new Map<string, Row>();
  private readonly lang: Lang;

  constructor(lang: string = document.documentElement.lang) {
    this.lang = lang.toLowerCase().startsWith('en') ? 'en' : 'ja';
    const s = STRINGS[this.lang];
    this.list = h('ul', { class: 'download-list' });
    const heading = h('h2', { class: 'download-title', id: 'download-panel-title' }, [s.title]);
    this.element = h('section', { class: 'download-panel', role: 'region', 'aria-labelledby': heading.id, hidden: true }, [heading, this.list]);
  }

  /** Shows a download's new state; call for every `download` message (and the replay on reconnect). */
  update(msg: DownloadMessage): void {
    const row = this.rows.get(msg.id) ?? this.addRow(msg.id);
    row.item.dataset.state = msg.state;
    row.name.textContent = msg.state === 'ready' && msg.outputName ? msg.outputName : msg.name;
    row.name.title = msg.name;
    row.state.textContent = this.stateText(msg);
    row.detail.replaceChildren(...this.detail(msg));
    this.element.hidden = false;
  }

  private stateText(msg: DownloadMessage): string {
    const s = STRINGS[this.lang];
    if (msg.state !== 'queued' || msg.queuePosition === undefined) return s[msg.state];
    return this.lang === 'ja' ? `${s.queued}（${msg.queuePosition} 番目）` : `${s.queued} (position ${msg.queuePosition})`;
  }

  private addRow(id: string): Row {
    const name = h('span', { class: 'download-name' });
    // Only the state is live: progress ticks would flood a screen reader.
    const state = h('span', { class: 'download-state', role: 'status' });
    const detail = h('div', { class: 'download-detail' });
    const item = h('li', { class: 'download-item' }, [name, state, detail]);
    item.dataset.id = id;
    this.list.prepend(item);
    const row = { item, name, state, detail };
    this.rows.set(id, row);
    return row;
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
        return [h('p', { class: 'download-reason' }, [text])];
      }
      case 'ready': {
        if (!msg.href || !/^\/api\/(downloads|released)\//.test(msg.href)) return [h('span', { class: 'download-used' }, [s.used])];
        const link = h('a', { class: 'download-link', href: msg.href, download: msg.outputName ?? msg.name }, [s.save]);
        // One-time link: after the click it is spent.
        link.addEventListener('click', () => setTimeout(() => link.replaceWith(h('span', { class: 'download-used' }, [s.used])), 0));
        return [link];
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
