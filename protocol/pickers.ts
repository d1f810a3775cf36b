/**
 * Form controls whose pop-ups headless Chromium draws outside the screencast
 * (`<select>` drop-downs, date, time and colour pickers). The gateway sends a
 * `picker` message when a page opens one; the client draws its own picker and
 * answers with `picker-choose` or `picker-cancel` (docs/architecture.md).
 */
import { z } from 'zod';

/**
 * What a picker chooses: an option of a `<select>`, a suggestion of an input's
 * `<datalist>`, or the value of an `<input type=…>`.
 */
export const PICKER_KINDS = ['select', 'datalist', 'date', 'time', 'datetime-local', 'month', 'week', 'color'] as const;
export type PickerKind = (typeof PICKER_KINDS)[number];
/** The kinds that choose an `<input>` value rather than a select option. */
export const INPUT_PICKER_KINDS = ['date', 'time', 'datetime-local', 'month', 'week', 'color'] as const;
export type InputPickerKind = (typeof INPUT_PICKER_KINDS)[number];
/** The kinds shown as a list of options, chosen by index. */
export const LIST_PICKER_KINDS = ['select', 'datalist'] as const;
export type ListPickerKind = (typeof LIST_PICKER_KINDS)[number];

export function isListPicker(kind: PickerKind): kind is ListPickerKind {
  return kind === 'select' || kind === 'datalist';
}

/** Options a select picker shows at most (the rest of a huge list stays reachable by keyboard in the page). */
export const MAX_PICKER_ITEMS = 1000;
/** Longest option or group label a picker shows, in characters. */
export const MAX_PICKER_LABEL = 200;
/** Longest value of an input picker (dates, times, colours are short). */
export const MAX_PICKER_VALUE = 64;

const VALUE_FORMS: Record<InputPickerKind, RegExp> = {
  date: /^\d{4,6}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/,
  'datetime-local': /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/,
  month: /^\d{4,6}-\d{2}$/,
  week: /^\d{4,6}-W\d{2}$/,
  color: /^#[0-9a-fA-F]{6}$/,
};

/**
 * Whether `value` is a well-formed value for an input picker of `kind` (the forms
 * HTML gives `input.value`); empty clears a date or time field, never a colour.
 */
export function pickerValueValid(kind: InputPickerKind, value: string): boolean {
  if (value === '') return kind !== 'color';
  return value.length <= MAX_PICKER_VALUE && VALUE_FORMS[kind].test(value);
}

/** One entry of a select picker: `index` is the option's index in `select.options`. */
export const PickerItem = z.object({
  index: z.number().int().min(0).max(1_000_000),
  label: z.string().max(MAX_PICKER_LABEL),
  disabled: z.boolean(),
  /** Label of the `<optgroup>` the option is in. */
  group: z.string().max(MAX_PICKER_LABEL).optional(),
});
export type PickerItem = z.infer<typeof PickerItem>;

/** Where the control sits in the remote page, CSS pixels of its viewport; null when unknown (a cross-origin frame). */
export const PickerRect = z
  .object({
    x: z.number().finite().min(-100_000).max(100_000),
    y: z.number().finite().min(-100_000).max(100_000),
    width: z.number().finite().min(0).max(100_000),
    height: z.number().finite().min(0).max(100_000),
  })
  .nullable();
export type PickerRect = z.infer<typeof PickerRect>;
