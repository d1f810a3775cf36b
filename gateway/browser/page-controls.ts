/**
 * The script that lets the client draw the pop-ups of form controls. Headless
 * Chromium draws a `<select>` drop-down, a date or time picker and a colour
 * chooser in a widget of its own, outside the screencast: the user clicks and
 * sees nothing, while the invisible pop-up takes the keyboard. So this script,
 * in an isolated world of every frame (page scripts can neither see nor change
 * it), stops those pop-ups from opening and reports the control instead, through
 * a CDP binding that exists only in that world. The gateway validates the report
 * (the labels are the page's text), the client shows its own picker, and the
 * choice comes back to `__kekkaiApply`, which sets the value and fires `input`
 * and `change` as the pop-up would have.
 *
 * An input with a `<datalist>` opens its suggestions from its drop-down button (the
 * right end of the field) or Alt+↓ / F4, and while the user types: each trusted
 * `input` event reports the suggestions that contain the typed text as a
 * *suggest* picker (the keyboard stays in the field; the client takes only ↑ ↓
 * Enter Esc while it shows), and an empty report when none match or the field
 * loses focus, which closes it.
 * A page that handles the click itself (`preventDefault`, custom drop-downs) keeps
 * it. Selects with `multiple` or `size` > 1 are list boxes drawn in the page and
 * work as they are. Controls in cross-site frames (other renderer processes) are
 * not reached.
 */
import { z } from 'zod';
import { INPUT_PICKER_KINDS, LIST_PICKER_KINDS, MAX_PICKER_ITEMS, MAX_PICKER_LABEL, MAX_PICKER_VALUE, PickerItem, PickerRect } from '../../protocol/index.js';

/** Isolated world the script runs in, in every frame. */
export const CONTROLS_WORLD = 'kekkai-controls';
/** CDP binding (Runtime.addBinding) the script reports through; installed only in {@link CONTROLS_WORLD}. */
export const CONTROLS_BINDING = '__kekkaiControl';
/** Largest report accepted from a page, in characters, before parsing. */
export const MAX_CONTROL_PAYLOAD = 512 * 1024;

/** Width of the picker button at the end of a date or time field, CSS pixels. */
const INDICATOR_PX = 30;

export const CONTROLS_SCRIPT = `(() => {
  const report = globalThis[${JSON.stringify(CONTROLS_BINDING)}];
  if (typeof report !== 'function') return;
  const DATE_KINDS = ['date', 'time', 'datetime-local', 'month', 'week'];
  const LIST_INPUTS = ['text', 'search', 'url', 'tel', 'email', 'number'];
  let seq = 0;
  let current = null;
  const cut = (s, n) => String(s).slice(0, n);
  const offset = () => {
    let x = 0, y = 0, w = window;
    try {
      while (w !== w.top) {
        const fe = w.frameElement;
        if (!fe) return null;
        const r = fe.getBoundingClientRect();
        const cs = getComputedStyle(fe);
        x += r.left + parseFloat(cs.borderLeftWidth) + parseFloat(cs.paddingLeft);
        y += r.top + parseFloat(cs.borderTopWidth) + parseFloat(cs.paddingTop);
        w = w.parent;
      }
    } catch { return null; }
    return { x, y };
  };
  const kindOf = (el) => {
    if (!el || el.disabled) return null;
    if (el.tagName === 'SELECT') return !el.multiple && el.size <= 1 ? 'select' : null;
    if (el.tagName === 'INPUT' && !el.readOnly && (el.type === 'color' || DATE_KINDS.includes(el.type))) return el.type;
    if (el.tagName === 'INPUT' && !el.readOnly && LIST_INPUTS.includes(el.type) && el.list && el.list.options.length > 0) return 'datalist';
    return null;
  };
  const open = (el, kind, suggest) => {
    if (!suggest) el.focus({ preventScroll: true });
    const o = offset();
    const r = el.getBoundingClientRect();
    current = { id: ++seq, el, suggest: Boolean(suggest) };
    const base = { id: current.id, kind, rect: o ? { x: r.left + o.x, y: r.top + o.y, width: r.width, height: r.height } : null };
    if (suggest) base.suggest = true;
    if (kind === 'select') {
      const items = [];
      const opts = el.options;
      for (let i = 0; i < opts.length && items.length < ${MAX_PICKER_ITEMS}; i++) {
        const opt = opts[i];
        if (opt.hidden) continue;
        const g = opt.parentElement && opt.parentElement.tagName === 'OPTGROUP' ? opt.parentElement : null;
        const item = { index: i, label: cut(opt.label, ${MAX_PICKER_LABEL}), disabled: opt.disabled || Boolean(g && g.disabled) };
        if (g) item.group = cut(g.label, ${MAX_PICKER_LABEL});
        items.push(item);
      }
      report(JSON.stringify({ ...base, items, selected: el.selectedIndex }));
    } else if (kind === 'datalist') {
      // The suggestions that contain what is typed (all of them when none does).
      const typed = String(el.value).toLowerCase();
      const all = [];
      const opts = el.list.options;
      for (let i = 0; i < opts.length && all.length < ${MAX_PICKER_ITEMS}; i++) {
        const opt = opts[i];
        if (opt.hidden || !opt.value) continue;
        const extra = String(opt.label).trim();
        const label = extra && extra !== opt.value ? opt.value + ' — ' + extra : opt.value;
        all.push({ index: i, label: cut(label, ${MAX_PICKER_LABEL}), disabled: opt.disabled });
      }
      const matching = typed ? all.filter((item) => item.label.toLowerCase().includes(typed)) : all;
      // While typing only real suggestions are shown: none, or only the typed value itself, closes the list.
      const offered = suggest ? matching.filter((item) => opts[item.index].value !== el.value) : matching.length ? matching : all;
      if (suggest && offered.length === 0) current = null;
      report(JSON.stringify({ ...base, items: offered, selected: -1 }));
    } else {
      const v = (name) => cut(el[name], ${MAX_PICKER_VALUE});
      report(JSON.stringify({ ...base, value: v('value'), min: v('min'), max: v('max'), step: v('step') }));
    }
  };
  const target = (e) => (e.target && e.target.closest ? e.target.closest('select, input') : null);
  // A select opens its pop-up on mousedown; date and colour inputs on click (their
  // picker button; the rest of a date field takes typing).
  addEventListener('mousedown', (e) => {
    const el = target(e);
    if (e.button !== 0 || e.defaultPrevented || !e.isTrusted || kindOf(el) !== 'select') return;
    e.preventDefault();
    open(el, 'select');
  });
  addEventListener('click', (e) => {
    const el = target(e);
    const kind = kindOf(el);
    if (e.defaultPrevented || !e.isTrusted || !kind || kind === 'select') return;
    // Date and list fields are typed into; only their button at the right end opens the picker.
    if (kind !== 'color' && e.detail > 0 && e.clientX < el.getBoundingClientRect().right - ${INDICATOR_PX}) return;
    if (kind === 'datalist' && e.detail === 0) return;
    e.preventDefault();
    open(el, kind);
  });
  // Suggestions while typing: every trusted edit of a list field refreshes them.
  addEventListener('input', (e) => {
    const el = target(e);
    if (!e.isTrusted || kindOf(el) !== 'datalist' || document.activeElement !== el) return;
    open(el, 'datalist', true);
  });
  // Leaving the field closes its suggestions (an empty report).
  addEventListener('focusout', (e) => {
    if (!current || !current.suggest || current.el !== e.target) return;
    const id = current.id;
    current = null;
    report(JSON.stringify({ id, kind: 'datalist', rect: null, suggest: true, items: [], selected: -1 }));
  }, true);
  addEventListener('keydown', (e) => {
    const el = e.target;
    const kind = kindOf(el && el.tagName ? el : null);
    if (e.defaultPrevented || !e.isTrusted || !kind) return;
    const opens = (e.altKey && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) || (e.key === 'F4' && !e.altKey) || (kind === 'select' && e.key === ' ' && !e.ctrlKey && !e.altKey && !e.metaKey);
    if (!opens) return;
    e.preventDefault();
    open(el, kind);
  });
  globalThis.__kekkaiApply = (id, choice) => {
    if (!current || current.id !== id) return false;
    const el = current.el;
    current = null;
    if (!el.isConnected || el.disabled) return false;
    el.focus({ preventScroll: true });
    if (el.tagName === 'SELECT') {
      const opt = el.options[choice.index];
      const g = opt && opt.parentElement && opt.parentElement.tagName === 'OPTGROUP' ? opt.parentElement : null;
      if (!opt || opt.disabled || (g && g.disabled)) return false;
      if (el.selectedIndex === choice.index) return true;
      el.selectedIndex = choice.index;
    } else if (el.tagName === 'INPUT' && typeof choice.index === 'number') {
      const opt = el.list && el.list.options[choice.index];
      if (el.readOnly || !opt || opt.disabled) return false;
      if (el.value === opt.value) return true;
      el.value = opt.value;
    } else {
      if (el.readOnly || typeof choice.value !== 'string') return false;
      if (el.value === choice.value) return true;
      el.value = choice.value;
    }
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return true;
  };
  globalThis.__kekkaiCancel = (id) => {
    if (!current || current.id !== id) return;
    const { el, suggest } = current;
    current = null;
    // Suggestions never took the focus, so closing them must not move it back either.
    if (el.isConnected && !suggest) el.focus({ preventScroll: true });
  };
})()`;

const Base = { id: z.number().int().min(0).max(0xffffffff), rect: PickerRect };
const Limit = z.string().max(MAX_PICKER_VALUE);
const SelectReport = z.object({
  ...Base,
  kind: z.enum(LIST_PICKER_KINDS),
  items: z.array(PickerItem).max(MAX_PICKER_ITEMS),
  selected: z.number().int().min(-1).max(1_000_000),
  /** A datalist's suggestions while typing: the field keeps the keyboard; no items closes them. */
  suggest: z.literal(true).optional(),
});
const InputReport = z.object({ ...Base, kind: z.enum(INPUT_PICKER_KINDS), value: Limit, min: Limit, max: Limit, step: Limit });
/** What the script reports, checked on arrival: the page controls every label in it. */
export const ControlReport = z.union([SelectReport, InputReport]);
export type ControlReport = z.infer<typeof ControlReport>;

/** Parses a binding payload; null for anything malformed or too large. */
export function parseControlReport(payload: string): ControlReport | null {
  if (payload.length > MAX_CONTROL_PAYLOAD) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return null;
  }
  const result = ControlReport.safeParse(raw);
  return result.success ? result.data : null;
}

/** The expression that applies a choice in the frame's isolated world. */
export function applyExpression(pageId: number, choice: { index: number } | { value: string }): string {
  return `globalThis.__kekkaiApply(${JSON.stringify(pageId)}, ${JSON.stringify(choice)})`;
}

/** The expression that tells the frame the picker closed without a choice. */
export function cancelExpression(pageId: number): string {
  return `globalThis.__kekkaiCancel(${JSON.stringify(pageId)})`;
}
