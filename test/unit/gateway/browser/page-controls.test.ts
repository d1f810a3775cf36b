import { describe, expect, it } from 'vitest';
import { pickerValueValid } from '../../../../protocol/index.js';
import { applyExpression, MAX_CONTROL_PAYLOAD, parseControlReport } from '../../../../gateway/browser/page-controls.js';

describe('control reports from pages', () => {
  const select = { id: 3, kind: 'select', rect: { x: 40, y: 40, width: 260, height: 36 }, items: [{ index: 0, label: '内科', disabled: false, group: '内科系' }], selected: 0 };

  it('accept a well-formed select or input report', () => {
    expect(parseControlReport(JSON.stringify(select))?.kind).toBe('select');
    const date = { id: 4, kind: 'date', rect: null, value: '2026-03-04', min: '', max: '', step: '' };
    expect(parseControlReport(JSON.stringify(date))).toEqual(date);
  });

  it('accept datalist suggestions while typing, and only as a list', () => {
    const suggest = { ...select, kind: 'datalist', suggest: true, selected: -1 };
    expect(parseControlReport(JSON.stringify(suggest))).toEqual(suggest);
    expect(parseControlReport(JSON.stringify({ ...suggest, items: [] }))).toEqual({ ...suggest, items: [] });
    expect(parseControlReport(JSON.stringify({ ...suggest, suggest: 'yes' }))).toBeNull();
  });

  it('refuse malformed, oversized or unknown reports', () => {
    for (const bad of [
      'not json',
      JSON.stringify({ ...select, kind: 'file' }),
      JSON.stringify({ ...select, items: [{ index: -1, label: 'x', disabled: false }] }),
      JSON.stringify({ ...select, items: [{ index: 0, label: 'x'.repeat(201), disabled: false }] }),
      JSON.stringify({ ...select, items: Array.from({ length: 1001 }, (_, index) => ({ index, label: '', disabled: false })) }),
      JSON.stringify({ ...select, rect: { x: Number.MAX_VALUE, y: 0, width: 1, height: 1 } }),
      JSON.stringify({ id: 1, kind: 'date', rect: null, value: 'x'.repeat(65), min: '', max: '', step: '' }),
      ' '.repeat(MAX_CONTROL_PAYLOAD + 1),
    ]) {
      expect(parseControlReport(bad), bad.slice(0, 60)).toBeNull();
    }
  });

  it('apply choices as JSON data, never as code', () => {
    expect(applyExpression(7, { value: '");alert(1);("' })).toBe('globalThis.__kekkaiApply(7, {"value":"\\");alert(1);(\\""})');
  });
});

describe('picker values', () => {
  it('accept the forms HTML inputs use, and an empty value except for colours', () => {
    expect(pickerValueValid('date', '2026-04-01')).toBe(true);
    expect(pickerValueValid('date', '')).toBe(true);
    expect(pickerValueValid('time', '09:30')).toBe(true);
    expect(pickerValueValid('datetime-local', '2026-04-01T09:30')).toBe(true);
    expect(pickerValueValid('month', '2026-04')).toBe(true);
    expect(pickerValueValid('week', '2026-W14')).toBe(true);
    expect(pickerValueValid('color', '#0b57d0')).toBe(true);
    expect(pickerValueValid('color', '')).toBe(false);
    expect(pickerValueValid('date', '2026-04-01T00:00')).toBe(false);
    expect(pickerValueValid('color', 'red')).toBe(false);
  });
});
