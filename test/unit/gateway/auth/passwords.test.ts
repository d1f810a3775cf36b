import { describe, expect, it } from 'vitest';
import { checkPasswordRule, generatePassword, hashPassword, verifyPassword } from '../../../../gateway/auth/passwords.js';

describe('passwords', () => {
  it('hashes with a salt and verifies only the right password', async () => {
    const a = await hashPassword('correct-Horse-42-battery');
    const b = await hashPassword('correct-Horse-42-battery');
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$')).toBe(true);
    expect(await verifyPassword('correct-Horse-42-battery', a)).toBe(true);
    expect(await verifyPassword('correct-Horse-42-batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('follows the guideline rule: 13+ characters mixing letters, digits and symbols', () => {
    expect(checkPasswordRule('short-1A')).toBe('too-short');
    expect(checkPasswordRule('onlylettersandmore')).toBe('too-simple');
    expect(checkPasswordRule('letters1234567')).toBe('too-simple');
    expect(checkPasswordRule('病院のパスワード-2026')).toBeNull();
    expect(checkPasswordRule('correct-horse-42')).toBeNull();
  });

  it('generates one-time passwords that satisfy the rule', () => {
    for (let i = 0; i < 20; i++) expect(checkPasswordRule(generatePassword())).toBeNull();
  });
});
