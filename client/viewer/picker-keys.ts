/**
 * Keyboard movement in a select picker (pickers.ts), as a desktop drop-down moves:
 * disabled options are skipped, paging stops at the ends, and typing jumps to the
 * next option that starts with the typed letters. Pure functions (unit-tested).
 */
import type { PickerItem } from '../../protocol/index.js';

/** The next enabled item from `from` in direction `dir` (±1), or -1. */
export function nextEnabled(items: readonly PickerItem[], from: number, dir: 1 | -1): number {
  for (let i = from + dir; i >= 0 && i < items.length; i += dir) if (!items[i]!.disabled) return i;
  return -1;
}

/** About `step` items on (PageUp/PageDown), landing on an enabled one; stays put when there is none. */
export function stepEnabled(items: readonly PickerItem[], from: number, step: number): number {
  const target = Math.max(0, Math.min(items.length - 1, from + step));
  const dir = step > 0 ? 1 : -1;
  if (items[target] && !items[target].disabled) return target;
  const back = nextEnabled(items, target, dir === 1 ? -1 : 1);
  return back === -1 || (dir === 1 ? back < from : back > from) ? from : back;
}

/** The first enabled item after `from` (wrapping) whose label starts with `typed`, as a select's type-ahead. */
export function typeAhead(items: readonly PickerItem[], from: number, typed: string): number {
  const needle = typed.toLocaleLowerCase();
  // Repeating one letter cycles through the items that start with it.
  const repeated = [...needle].every((c) => c === [...needle][0]);
  const prefix = repeated ? [...needle][0]! : needle;
  const start = repeated ? from + 1 : Math.max(0, from);
  for (let k = 0; k < items.length; k++) {
    const i = (Math.max(0, start) + k) % items.length;
    const item = items[i]!;
    if (!item.disabled && item.label.trim().toLocaleLowerCase().startsWith(prefix)) return i;
  }
  return -1;
}
