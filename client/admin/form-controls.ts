/** Labelled form controls for the admin console: every control has a visible label. */
import { h } from '../dom-builder.js';

let counter = 0;

export function field<E extends HTMLElement>(label: string, control: E): { row: HTMLElement; control: E } {
  const id = control.id || `f${++counter}`;
  control.id = id;
  return { row: h('div', { class: 'field' }, [h('label', { for: id }, [label]), control]), control };
}

export function textInput(label: string, value = '', attrs: Record<string, string> = {}): { row: HTMLElement; control: HTMLInputElement } {
  const input = h('input', { type: 'text', ...attrs });
  input.value = value;
  return field(label, input);
}

export function select(label: string, options: ReadonlyArray<readonly [string, string]>, value: string, attrs: Record<string, string> = {}): { row: HTMLElement; control: HTMLSelectElement } {
  const el = h('select', attrs, options.map(([v, text]) => h('option', { value: v }, [text])));
  el.value = value;
  return field(label, el);
}

export function checkbox(label: string, checked: boolean, attrs: Record<string, string> = {}): { row: HTMLElement; control: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', ...attrs });
  input.checked = checked;
  const id = input.id || `f${++counter}`;
  input.id = id;
  return { row: h('div', { class: 'field check' }, [input, h('label', { for: id }, [label])]), control: input };
}

export function button(text: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, [text]);
  b.addEventListener('click', onClick);
  return b;
}

export function statusLine(): HTMLElement {
  return h('p', { class: 'status', role: 'status' });
}

export function splitList(text: string): string[] {
  return text.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
}

export function table(headers: string[], rows: Array<Array<Node | string>>, attrs: Record<string, string> = {}): HTMLTableElement {
  return h('table', { class: 'admin-table', ...attrs }, [
    h('thead', {}, [h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, [x])))]),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, [c]))))),
  ]);
}
