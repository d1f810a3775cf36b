import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LEAK_GUARD_POLICY, isInsurerNumber, isMyNumber, maskValue, parseLeakGuardPolicy, scanForLeaks, strictestAction, type LeakGuardPolicy,
} from '../../../policies/leak-guard.js';

// 123456789018 is the example My Number used in public documentation; its check digit is 8.
const VALID = '123456789018';

describe('My Number check digit', () => {
  it('accepts a number whose last digit is its check digit and refuses every other last digit', () => {
    expect(isMyNumber(VALID)).toBe(true);
    for (let d = 0; d <= 9; d++) if (d !== 8) expect(isMyNumber(`12345678901${d}`)).toBe(false);
    expect(isMyNumber('12345678901')).toBe(false);
    expect(isMyNumber('12345678901a')).toBe(false);
  });

  it('uses check digit 0 when the remainder is 0 or 1', () => {
    // 00000000000 → sum 0 → remainder 0 → check digit 0.
    expect(isMyNumber('000000000000')).toBe(true);
    expect(isMyNumber('000000000001')).toBe(false);
  });
});

describe('insurer number check digit', () => {
  it('accepts 01130012 (協会けんぽ 東京支部) and refuses a changed digit', () => {
    expect(isInsurerNumber('01130012')).toBe(true);
    expect(isInsurerNumber('01130013')).toBe(false);
    expect(isInsurerNumber('0113001')).toBe(false);
  });
});

describe('scanning text', () => {
  const policy: LeakGuardPolicy = parseLeakGuardPolicy({
    rules: [
      { id: 'my-number', name: 'マイナンバー', detector: 'my-number', action: 'block', channels: ['paste', 'upload'] },
      { id: 'patient-id', name: '患者 ID', detector: 'regex', pattern: 'P-\\d{8}', action: 'warn', channels: ['paste', 'typing'] },
      { id: 'phone', name: '電話番号', detector: 'phone', action: 'log', channels: ['paste'] },
    ],
  });

  it('finds a valid My Number written plainly, with spaces or hyphens, or in full-width digits', () => {
    for (const text of [`番号 ${VALID} です`, '1234 5678 9018', '1234-5678-9018', '１２３４５６７８９０１８', '１２３４－５６７８－９０１８']) {
      const found = scanForLeaks(policy, 'paste', text);
      expect(found.map((m) => m.ruleId), text).toEqual(['my-number']);
    }
  });

  it('ignores 12 digits with a wrong check digit and digits inside a longer number', () => {
    expect(scanForLeaks(policy, 'paste', '123456789012')).toEqual([]);
    expect(scanForLeaks(policy, 'paste', `9${VALID}`)).toEqual([]);
  });

  it('applies a rule only on its channels and reports values masked', () => {
    expect(scanForLeaks(policy, 'typing', VALID)).toEqual([]);
    const [match] = scanForLeaks(policy, 'upload', VALID);
    expect(match).toEqual({ ruleId: 'my-number', ruleName: 'マイナンバー', action: 'block', masked: '**********18', start: 0, end: 12 });
    expect(JSON.stringify(scanForLeaks(policy, 'paste', `患者 P-12345678 様`))).not.toContain('12345678');
  });

  it('finds the admin\'s pattern anywhere in a long text, across window edges', () => {
    const long = 'あ'.repeat(1020) + 'P-87654321' + 'い'.repeat(5000) + 'P-11112222';
    expect(scanForLeaks(policy, 'typing', long).map((m) => m.masked)).toEqual(['********21', '********22']);
    expect(scanForLeaks(policy, 'typing', long).map((m) => m.start)).toEqual([1020, 6030]);
  });

  it('finds Japanese phone numbers', () => {
    for (const text of ['03-1234-5678', '090-1234-5678', '0312345678', '+81 90 1234 5678']) {
      expect(scanForLeaks(policy, 'paste', text).map((m) => m.ruleId), text).toEqual(['phone']);
    }
    expect(scanForLeaks(policy, 'paste', '2026-12-02')).toEqual([]);
  });

  it('names the strictest action', () => {
    const found = scanForLeaks(policy, 'paste', `P-12345678 ${VALID}`);
    expect(strictestAction(found)).toBe('block');
    expect(strictestAction(scanForLeaks(policy, 'paste', 'P-12345678'))).toBe('warn');
    expect(strictestAction([])).toBeNull();
  });
});

describe('policy validation', () => {
  const base = { id: 'x', name: 'X', detector: 'regex', action: 'block', channels: ['paste'] };

  it('refuses unsafe, invalid, empty-matching or missing patterns and duplicate ids', () => {
    for (const [rule, message] of [
      [{ ...base, pattern: '(a+)+b' }, 'pattern-unsafe'],
      [{ ...base, pattern: '([' }, 'pattern-'],
      [{ ...base, pattern: 'a*' }, 'pattern-matches-empty'],
      [{ ...base }, 'pattern-required'],
      [{ ...base, detector: 'phone', pattern: 'x' }, 'pattern-only-for-regex'],
      [{ ...base, id: '患者' , pattern: 'x'}, 'rule-id'],
    ] as const) {
      expect(() => parseLeakGuardPolicy({ rules: [rule] }), JSON.stringify(rule)).toThrow(message);
    }
    expect(() => parseLeakGuardPolicy({ rules: [{ ...base, pattern: 'x' }, { ...base, pattern: 'y' }] })).toThrow('rule-id-duplicate');
  });

  it('ships a default that blocks My Number and is itself valid', () => {
    expect(parseLeakGuardPolicy(DEFAULT_LEAK_GUARD_POLICY)).toEqual(DEFAULT_LEAK_GUARD_POLICY);
    expect(strictestAction(scanForLeaks(DEFAULT_LEAK_GUARD_POLICY, 'paste', VALID))).toBe('block');
  });

  it('masks all but the last two characters', () => {
    expect(maskValue('03-1234-5678')).toBe('**********78');
    expect(maskValue('ab')).toBe('**');
  });
});
