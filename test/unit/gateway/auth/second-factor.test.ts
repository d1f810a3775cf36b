import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { checkPasswordRule } from '../../../../gateway/auth/passwords.js';
import { sourceAllowed } from '../../../../gateway/auth/source-ranges.js';
import { checkTotp, hashRecoveryCode, newRecoveryCodes, newTotpSecret } from '../../../../gateway/auth/totp.js';
import { TotpVault } from '../../../../gateway/auth/totp-vault.js';
import { complianceCsv } from '../../../../gateway/admin/compliance-service.js';

const code = (secret: string, t: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: t });

describe('TOTP', () => {
  const secret = newTotpSecret();
  const now = 1_800_000_000_000;

  it('accepts the current code, one step either side, and nothing further', () => {
    expect(checkTotp(secret, code(secret, now), 0, now)).toBe(Math.floor(now / 30_000));
    expect(checkTotp(secret, code(secret, now - 30_000), 0, now)).not.toBeNull();
    expect(checkTotp(secret, code(secret, now - 90_000), 0, now)).toBeNull();
    expect(checkTotp(secret, 'abcdef', 0, now)).toBeNull();
  });

  it('refuses a code whose step was already used (replay)', () => {
    const step = checkTotp(secret, code(secret, now), 0, now)!;
    expect(checkTotp(secret, code(secret, now), step, now)).toBeNull();
    expect(checkTotp(secret, code(secret, now + 30_000), step, now + 30_000)).toBe(step + 1);
  });

  it('makes ten distinct recovery codes whose hash ignores case and dashes', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(hashRecoveryCode(codes[0]!.toUpperCase().replace('-', ' '))).toBe(hashRecoveryCode(codes[0]!));
    expect(hashRecoveryCode(codes[0]!)).not.toBe(hashRecoveryCode(codes[1]!));
  });
});

describe('TOTP vault', () => {
  it('round-trips a secret, hides it, and refuses tampering or another key', () => {
    const vault = new TotpVault(randomBytes(32));
    const sealed = vault.encrypt('JBSWY3DPEHPK3PXP');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(vault.decrypt(sealed)).toBe('JBSWY3DPEHPK3PXP');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => vault.decrypt(`v1:${raw.toString('base64')}`)).toThrow();
    expect(() => new TotpVault(randomBytes(32)).decrypt(sealed)).toThrow();
  });
});

describe('password rule', () => {
  it('needs 13 mixed characters, or 8 once a second factor is on', () => {
    expect(checkPasswordRule('Abc-1234')).toBe('too-short');
    expect(checkPasswordRule('Abc-1234', 8)).toBeNull();
    expect(checkPasswordRule('abcdefgh', 8)).toBe('too-simple');
  });
});

describe('source ranges', () => {
  const ranges = { staff: ['10.1.0.0/16'], admin: [], security: ['192.0.2.10'] };
  it('applies the role ranges, an account override, and empty = any', () => {
    expect(sourceAllowed({ role: 'staff', allowedSources: [] }, '10.1.2.3', ranges)).toBe(true);
    expect(sourceAllowed({ role: 'staff', allowedSources: [] }, '10.2.0.1', ranges)).toBe(false);
    expect(sourceAllowed({ role: 'staff', allowedSources: ['10.2.0.0/16'] }, '10.2.0.1', ranges)).toBe(true);
    expect(sourceAllowed({ role: 'admin', allowedSources: [] }, '203.0.113.5', ranges)).toBe(true);
    expect(sourceAllowed({ role: 'security', allowedSources: [] }, '::ffff:192.0.2.10', ranges)).toBe(true);
    expect(sourceAllowed({ role: 'security', allowedSources: [] }, '192.0.2.11', ranges)).toBe(false);
  });
});

describe('compliance CSV', () => {
  it('starts with a BOM and neutralises formula cells', () => {
    const csv = complianceCsv([{ id: 'unused-accounts', title: { ja: '未使用', en: 'Unused' }, figures: { names: '=cmd|x' }, ok: false }]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toContain("'=cmd|x");
    expect(csv).toContain('未使用');
  });

  it('neutralises the same cells as the audit export: full-width forms and U+2212 too', () => {
    for (const evil of ['＝1+1', '＋1', '－1', '＠A1', '\u22121+1', '-1', '\tx']) {
      const csv = complianceCsv([{ id: 'unused-accounts', title: { ja: '未使用', en: 'Unused' }, figures: { names: evil }, ok: false }]);
      expect(csv.split('\r\n')[1], JSON.stringify(evil)).toBe(`未使用,要確認,'${evil}`);
    }
  });

  it('has Japanese headers and one column per detail, times in ISO and yes/no in Japanese', () => {
    const csv = complianceCsv([
      { id: 'unused-accounts', title: { ja: '不要・未使用アカウントの管理', en: 'Unused' }, figures: { days: 90, unused: 0 }, ok: true },
      { id: 'access-logs', title: { ja: 'アクセスログの管理', en: 'Logs' }, figures: { oldest: '2026-11-27T13:05:00.123+09:00', chainOk: true }, ok: true },
    ]);
    const [header, first, second] = csv.replace('\uFEFF', '').split('\r\n');
    expect(header).toBe('項目,状態,未使用とみなす日数,未使用のアカウント数,最も古い記録の日時,改ざんの有無（異常なし＝はい）');
    expect(first).toBe('不要・未使用アカウントの管理,対応済み,90,0,,');
    expect(second).toBe('アクセスログの管理,対応済み,,,2026-11-27T13:05:00.123+09:00,はい');
  });
});
