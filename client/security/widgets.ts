/** Small labelled form controls and a pager shared by the console's views. */
import { h } from '../dom-builder.js';
import { t, type MessageKey } from '../i18n.js';

/** A key of the security console's part of the message table, without its `security.` prefix. */
export type SecurityKey = MessageKey extends infer K ? (K extends `security.${infer Rest}` ? Rest : never) : never;

/** The security console's message for `key`. */
export function st(key: SecurityKey, params: Record<string, string | number> = {}): string {
  return t(`security.${key}` as MessageKey, params);
}

let nextId = 0;

/** A label bound to its control, in a wrapper for the filter grid. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLDivElement {
  if (!control.id) control.id = `f${++nextId}`;
  return h('div', { class: 'field' }, [h('label', { for: control.id }, [label]), control]);
}

export function input(name: string, type = 'text'): HTMLInputElement {
  return h('input', { name, type });
}

export function select(name: string, options: Array<[string, string]>): HTMLSelectElement {
  return h('select', { name }, options.map(([value, label]) => h('option', { value }, [label])));
}

export function button(label: string, attrs: Record<string, string | boolean | undefined> = {}): HTMLButtonElement {
  return h('button', { type: 'button', ...attrs }, [label]);
}

/** The form's named values, for a query string. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) out[k] = v.trim();
  return out;
}

/** "1–50 of 120" with previous/next buttons. */
export function pager(total: number, offset: number, limit: number, go: (offset: number) => void): HTMLElement {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  const prev = button(t('security.previous'), { disabled: offset === 0 });
  const next = button(t('security.next'), { disabled: to >= total });
  prev.addEventListener('click', () => go(Math.max(0, offset - limit)));
  next.addEventListener('click', () => go(offset + limit));
  return h('nav', { class: 'pager', 'aria-label': t('security.results', { total, from, to }) }, [h('span', { class: 'pager-status' }, [t('security.results', { total, from, to })]), prev, next]);
}

export function table(headers: SecurityKey[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h('table', { class: 'console-table' }, [
    h('thead', {}, [h('tr', {}, headers.map((k) => h('th', { scope: 'col' }, [st(k)])))]),
    h('tbody', {}, rows),
  ]);
}

export function status(): HTMLParagraphElement {
  return h('p', { class: 'console-status', role: 'status', 'aria-live': 'polite' });
}

export function stateName(state: string): string {
  const pair = t('security.stateNames').split(',').find((p) => p.startsWith(`${state}=`));
  return pair ? pair.slice(state.length + 1) : state;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
