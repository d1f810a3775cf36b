/**
 * kekkai's own pop-ups for the remote page's form controls (`picker` messages):
 * a drop-down list for `<select>` — with groups, disabled options, mouse and
 * keyboard (arrows, Home/End, PageUp/PageDown, type-ahead, Enter, Esc) — and,
 * for date, time, month, week and colour inputs, a small panel around the local
 * browser's own input of the same type. The choice goes back as `picker-choose`,
 * and the page applies it and fires `input` and `change`. Labels are the page's
 * text and only ever go in as text.
 */
import {
  isListPicker, pickerValueValid, type ClientMessage, type InputPickerKind, type PickerMessage, type PickerRect,
} from '../../protocol/index.js';
import { h } from '../dom-builder.js';
import { t, type StringKey } from '../i18n.js';
import { nextEnabled, stepEnabled, typeAhead } from './picker-keys.js';

export interface PickerHost {
  stage: HTMLElement;
  canvas: HTMLCanvasElement;
  send(msg: ClientMessage): void;
  /** Remote viewport in CSS pixels (the rect's coordinate space). */
  remoteSize(): { width: number; height: number };
  /** Gives the keyboard back to the remote page. */
  refocus(): void;
}

const PAGE_STEP = 10;
const TYPEAHEAD_RESET_MS = 1000;

const INPUT_TITLES: Record<InputPickerKind, StringKey> = {
  date: 'pickDate',
  time: 'pickTime',
  'datetime-local': 'pickDateTime',
  month: 'pickMonth',
  week: 'pickWeek',
  color: 'pickColor',
};

interface Open {
  pickerId: number;
  element: HTMLElement;
  dispose(): void;
  /** Suggestions while typing: the keys the list takes from the page's keyboard (see {@link PickerView.interceptKey}). */
  suggestKeys?: (e: KeyboardEvent) => boolean;
}

export class PickerView {
  private open: Open | null = null;

  constructor(private readonly host: PickerHost) {}

  get isOpen(): boolean {
    return this.open !== null;
  }

  show(msg: PickerMessage): void {
    this.dismiss();
    const element = isListPicker(msg.kind) ? this.selectList(msg) : this.inputPanel(msg, msg.kind);
    element.classList.add('picker');
    element.dataset.pickerId = String(msg.pickerId);
    this.host.stage.append(element);
    this.place(element, msg.rect);
    // A press anywhere else closes the picker without a choice, as a pop-up does.
    const outside = (e: MouseEvent): void => {
      if (!element.contains(e.target as Node)) this.finish(msg.pickerId, null, false);
    };
    document.addEventListener('mousedown', outside, true);
    this.open = { pickerId: msg.pickerId, element, dispose: () => document.removeEventListener('mousedown', outside, true) };
    if (msg.suggest) {
      // Typing goes on in the remote field; only the list's own keys are taken (interceptKey).
      this.open.suggestKeys = (e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp' && e.key !== 'Enter' && e.key !== 'Escape') return false;
        if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return false;
        // Enter with nothing highlighted belongs to the page (it submits the form).
        if (e.key === 'Enter' && !element.hasAttribute('aria-activedescendant')) return false;
        element.dispatchEvent(new KeyboardEvent('keydown', { key: e.key }));
        return true;
      };
      return;
    }
    const focusTarget = element.querySelector<HTMLElement>('input') ?? element;
    focusTarget.focus({ preventScroll: true });
    if (!isListPicker(msg.kind)) openLocalPicker(focusTarget as HTMLInputElement);
  }

  /**
   * A key pressed in the remote page while suggestions show: ↑ ↓ move through them,
   * Enter takes the highlighted one, Esc closes them. True when the list took the key
   * (it then never reaches the page).
   */
  interceptKey(e: KeyboardEvent): boolean {
    return this.open?.suggestKeys?.(e) ?? false;
  }

  /** Closes the open picker without a choice and tells the gateway (the page scrolled under it). */
  cancel(): void {
    if (this.open) this.finish(this.open.pickerId, null, false);
  }

  /** The gateway closed the picker (the page navigated, the control went away). */
  closed(pickerId: number): void {
    if (this.open?.pickerId === pickerId) this.dismiss();
  }

  /** Closes any picker without telling the gateway (tab switch, end of session). */
  dismiss(): void {
    const open = this.open;
    this.open = null;
    if (!open) return;
    open.dispose();
    open.element.remove();
  }

  private finish(pickerId: number, choice: { index: number } | { value: string } | null, refocus = true): void {
    if (this.open?.pickerId !== pickerId) return;
    const suggesting = this.open.suggestKeys !== undefined;
    this.dismiss();
    this.host.send(choice ? { type: 'picker-choose', pickerId, ...choice } : { type: 'picker-cancel', pickerId });
    if (refocus || suggesting) this.host.refocus();
  }

  private selectList(msg: PickerMessage): HTMLElement {
    const items = msg.items ?? [];
    const list = h('div', { class: 'select-picker', role: 'listbox', tabindex: '0', 'aria-label': t(msg.kind === 'datalist' ? 'pickSuggestion' : 'pickOption') });
    const rows: HTMLElement[] = [];
    let group: string | undefined;
    items.forEach((item, i) => {
      if (item.group !== group) {
        group = item.group;
        if (group !== undefined) list.append(h('div', { class: 'picker-group', role: 'presentation' }, [group]));
      }
      const row = h('div', {
        class: item.group !== undefined ? 'picker-option in-group' : 'picker-option',
        role: 'option',
        id: `picker-${msg.pickerId}-${i}`,
        'aria-selected': String(item.index === msg.selected),
        'aria-disabled': item.disabled ? 'true' : undefined,
      }, [item.label || '\u00a0']);
      row.addEventListener('mousemove', () => !item.disabled && highlight(i));
      row.addEventListener('click', () => !item.disabled && this.finish(msg.pickerId, { index: item.index }));
      rows.push(row);
      list.append(row);
    });
    let active = -1;
    const highlight = (i: number): void => {
      rows[active]?.classList.remove('active');
      active = i;
      const row = rows[i];
      if (!row) return list.removeAttribute('aria-activedescendant');
      row.classList.add('active');
      list.setAttribute('aria-activedescendant', row.id);
      row.scrollIntoView({ block: 'nearest' });
    };
    const start = items.findIndex((item) => item.index === msg.selected);
    // Suggestions while typing start with nothing highlighted: Enter still submits the page's form.
    if (!msg.suggest) highlight(start >= 0 ? start : nextEnabled(items, -1, 1));
    let typed = '';
    let typedAt = 0;
    list.addEventListener('keydown', (e) => {
      const move = (to: number): void => {
        if (to >= 0) highlight(to);
      };
      let handled = true;
      if (e.key === 'ArrowDown' && e.altKey) this.finish(msg.pickerId, active >= 0 ? { index: items[active]!.index } : null);
      else if (e.key === 'ArrowDown') move(nextEnabled(items, active, 1));
      else if (e.key === 'ArrowUp') move(nextEnabled(items, active, -1));
      else if (e.key === 'Home') move(nextEnabled(items, -1, 1));
      else if (e.key === 'End') move(nextEnabled(items, items.length, -1));
      else if (e.key === 'PageDown') move(stepEnabled(items, active, PAGE_STEP));
      else if (e.key === 'PageUp') move(stepEnabled(items, active, -PAGE_STEP));
      else if (e.key === 'Enter' || e.key === ' ') this.finish(msg.pickerId, active >= 0 && !items[active]!.disabled ? { index: items[active]!.index } : null);
      else if (e.key === 'Escape' || e.key === 'Tab') this.finish(msg.pickerId, null);
      else if ([...e.key].length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
        const now = performance.now();
        typed = now - typedAt > TYPEAHEAD_RESET_MS ? e.key : typed + e.key;
        typedAt = now;
        move(typeAhead(items, active, typed));
      } else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    return list;
  }

  private inputPanel(msg: PickerMessage, kind: InputPickerKind): HTMLElement {
    const title = t(INPUT_TITLES[kind]);
    const input = h('input', { type: kind, 'aria-label': title, class: 'picker-input' });
    for (const attr of ['min', 'max', 'step'] as const) if (msg[attr]) input.setAttribute(attr, msg[attr]);
    input.value = msg.value ?? '';
    const ok = h('button', { type: 'button', class: 'primary' }, [t('ok')]);
    const cancel = h('button', { type: 'button' }, [t('cancel')]);
    const choose = (): void => {
      const value = input.value;
      if (pickerValueValid(kind, value)) this.finish(msg.pickerId, { value });
      else input.setAttribute('aria-invalid', 'true');
    };
    ok.addEventListener('click', choose);
    cancel.addEventListener('click', () => this.finish(msg.pickerId, null));
    const buttons: HTMLElement[] = [cancel, ok];
    if (kind !== 'color') {
      const clear = h('button', { type: 'button' }, [t('clear')]);
      clear.addEventListener('click', () => this.finish(msg.pickerId, { value: '' }));
      buttons.unshift(clear);
    }
    const panel = h('div', { class: 'input-picker', role: 'dialog', 'aria-label': title }, [
      h('label', { class: 'picker-title' }, [title, input]),
      h('div', { class: 'dialog-buttons' }, buttons),
    ]);
    panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.finish(msg.pickerId, null);
      else if (e.key === 'Enter' && e.target === input) choose();
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
    return panel;
  }

  /** Below the control (above it when there is no room), in the stage's coordinates. */
  private place(element: HTMLElement, rect: PickerRect): void {
    const stage = this.host.stage.getBoundingClientRect();
    const canvas = this.host.canvas.getBoundingClientRect();
    const remote = this.host.remoteSize();
    const sx = remote.width ? canvas.width / remote.width : 1;
    const sy = remote.height ? canvas.height / remote.height : 1;
    const box = rect
      ? { left: canvas.left - stage.left + rect.x * sx, top: canvas.top - stage.top + rect.y * sy, width: rect.width * sx, height: rect.height * sy }
      : { left: stage.width / 3, top: stage.height / 4, width: stage.width / 3, height: 0 };
    element.style.minWidth = `${Math.max(120, Math.round(box.width))}px`;
    element.style.maxHeight = `${Math.max(120, Math.round(stage.height * 0.6))}px`;
    const size = element.getBoundingClientRect();
    const below = box.top + box.height;
    const top = below + size.height <= stage.height || box.top < size.height ? below : box.top - size.height;
    element.style.left = `${Math.round(Math.max(0, Math.min(box.left, stage.width - size.width)))}px`;
    element.style.top = `${Math.round(Math.max(0, Math.min(top, stage.height - size.height)))}px`;
  }
}

/** Opens the local browser's own picker for the input, where it lets a page do so. */
function openLocalPicker(input: HTMLInputElement): void {
  try {
    input.showPicker();
  } catch {
    // Needs a recent click (user activation); the field and its own button remain.
  }
}
