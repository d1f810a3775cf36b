/** Small labelled form controls and a pager shared by the console's views. */
import { h } from '../dom-builder.js';
import { s, type SecurityStringKey } from './strings.js';

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
  const prev = button(s('previous'), { disabled: offset === 0 });
  const next = button(s('next'), { disabled: to >= total });
  prev.addEventListener('click', () => go(Math.max(0, offset - limit)));
  next.addEventListener('click', () => go(offset + limit));
  return h('nav', { class: 'pager', 'aria-label': s('results', { total, from, to }) }, [h('span', { class: 'pager-status' }, [s('results', { total, from, to })]), prev, next]);
}

export function table(headers: SecurityStringKey[], rows: HTMLTableRowElement[]): HTMLTableElement {
  return h('table', { class: 'console-table' }, [
    h('thead', {}, [h('tr', {}, headers.map((k) => h('th', { scope: 'col' }, [s(k)])))]),
    h('tbody', {}, rows),
  ]);
}

export function status(): HTMLParagraphElement {
  return h('p', { class: 'console-status', role: 'status', 'aria-live': 'polite' });
}
