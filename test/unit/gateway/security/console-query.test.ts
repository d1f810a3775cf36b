import { describe, expect, it } from 'vitest';
import { auditRange, int, InvalidQuery, isoRange, oneOf, text } from '../../../../gateway/security/console-query.js';
import { safeEntryName } from '../../../../gateway/security/quarantine-actions.js';
import { checkJustification, SecurityRefusal } from '../../../../gateway/security/security-errors.js';

describe('console query parsing', () => {
  it('reads dates as Japan time; a bare "to" date includes its whole day', () => {
    expect(auditRange({ from: '2026-04-01', to: '2026-04-30' })).toEqual({ from: '2026-04-01T00:00:00.000+09:00', to: '2026-05-01T00:00:00.000+09:00' });
    expect(auditRange({ to: '2026-12-31' }).to).toBe('2027-01-01T00:00:00.000+09:00');
    expect(auditRange({ to: '2026-04-30T12:00' }).to).toBe('2026-04-30T12:00:00.000+09:00');
    expect(isoRange({ from: '2026-04-01', to: '2026-04-01' })).toEqual({ since: '2026-03-31T15:00:00.000Z', until: '2026-04-01T15:00:00.000Z' });
  });

  it('refuses malformed values instead of ignoring them', () => {
    expect(() => auditRange({ from: 'yesterday' })).toThrow(InvalidQuery);
    expect(() => int({ limit: '-1' }, 'limit', 1, 100, 50)).toThrow(InvalidQuery);
    expect(() => int({ limit: '101' }, 'limit', 1, 100, 50)).toThrow(InvalidQuery);
    expect(int({}, 'limit', 1, 100, 50)).toBe(50);
    expect(() => oneOf({ verdict: 'clean' }, 'verdict', ['blocked', 'sanitized'])).toThrow(InvalidQuery);
    expect(() => text({ user: ['a', 'b'] }, 'user')).toThrow(InvalidQuery);
    expect(text({ user: '  ' }, 'user')).toBeUndefined();
  });
});

describe('justification', () => {
  it('is trimmed, required and at most 1000 characters (counted as characters, not UTF-16 units)', () => {
    expect(checkJustification('  理由  ')).toBe('理由');
    expect(() => checkJustification(undefined)).toThrow(SecurityRefusal);
    expect(() => checkJustification(' \n ')).toThrow(/justification-required/);
    expect(() => checkJustification(42)).toThrow(/justification-required/);
    expect(checkJustification('𠮷'.repeat(1000))).toHaveLength(2000);
    expect(() => checkJustification('a'.repeat(1001))).toThrow(/justification-too-long/);
  });
});

describe('analysis ZIP entry name', () => {
  it('keeps a plain base name and drops directories and control characters', () => {
    expect(safeEntryName('請求書.pdf', 'ab')).toBe('請求書.pdf');
    expect(safeEntryName('../../etc/passwd', 'ab')).toBe('passwd');
    expect(safeEntryName('a\\b\u202Etxt.exe', 'ab')).toBe('b_txt.exe');
    expect(safeEntryName('..', 'ab')).toBe('ab.bin');
  });
});
