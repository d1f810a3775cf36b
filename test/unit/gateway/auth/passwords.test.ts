import { describe, expect, it } from 'vitest';
import { checkPasswordRule, generatePassword, hashPassword, verifyPassword } from '../../../../gateway/auth/passwords.js';
import { LoginThrottle } from '../../../../gateway/auth/login-throttle.js';

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

describe('login throttle', () => {
  it('locks an account after 5 failures and an address after 20, then unlocks', () => {
    let now = 0;
    const throttle = new LoginThrottle({}, () => now);
    for (let i = 0; i < 4; i++) throttle.recordFailure('alice', '10.0.0.1');
    expect(throttle.isLocked('alice', '10.0.0.9')).toBe(false);
    throttle.recordFailure('alice', '10.0.0.1');
    expect(throttle.isLocked('ALICE', '10.0.0.9')).toBe(true);
    expect(throttle.isLocked('bob', '10.0.0.9')).toBe(false);
    for (let i = 0; i < 20; i++) throttle.recordFailure(`user${i}`, '10.0.0.2');
    expect(throttle.isLocked('carol', '10.0.0.2')).toBe(true);
    now += 16 * 60_000;
    expect(throttle.isLocked('alice', '10.0.0.9')).toBe(false);
  });
});
