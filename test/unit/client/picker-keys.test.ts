import { describe, expect, it } from 'vitest';
import { nextEnabled, stepEnabled, typeAhead } from '../../../client/viewer/picker-keys.js';

const items = ['選択してください', '内科', '循環器内科', '消化器内科', '外科', '整形外科', 'Apple', 'apricot', 'Banana'].map((label, index) => ({
  index,
  label,
  disabled: label === '循環器内科' || label === 'Banana',
}));

describe('select picker keys', () => {
  it('skip disabled options and stop at the ends', () => {
    expect(nextEnabled(items, 1, 1)).toBe(3);
    expect(nextEnabled(items, 3, -1)).toBe(1);
    expect(nextEnabled(items, 7, 1)).toBe(-1);
    expect(nextEnabled(items, items.length, -1)).toBe(7);
    expect(nextEnabled(items, -1, 1)).toBe(0);
  });

  it('page by ten, landing on an enabled option without passing the end', () => {
    expect(stepEnabled(items, 0, 10)).toBe(7);
    expect(stepEnabled(items, 7, 10)).toBe(7);
    expect(stepEnabled(items, 5, -10)).toBe(0);
  });

  it('jump to what is typed, cycling through options that start with a repeated letter', () => {
    expect(typeAhead(items, 0, '外')).toBe(4);
    expect(typeAhead(items, 0, 'ap')).toBe(6);
    expect(typeAhead(items, 0, 'apr')).toBe(7);
    expect(typeAhead(items, 6, 'a')).toBe(7);
    expect(typeAhead(items, 7, 'aa')).toBe(6);
    expect(typeAhead(items, 0, 'b')).toBe(-1);
  });
});
