/** File-policy YAML problems read in Japanese, with the key that is wrong. */
import { describe, expect, it } from 'vitest';
import { validateFilePolicyYaml } from '../../../gateway/admin/file-policy-service.js';

describe('file policy issues in Japanese', () => {
  it('names the key and what is allowed there, without the library\'s English', () => {
    const r = validateFilePolicyYaml('maxBytes:\n  office: "50MB"\noffice: keep-it\npdfDpi: 20\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issuesJa).toContain('maxBytes.office: 数値で指定してください');
    expect(r.issuesJa.some((l) => l.startsWith('office: 次のいずれかを指定してください: convert-to-pdf、block'))).toBe(true);
    expect(r.issuesJa).toContain('pdfDpi: 50 以上にしてください');
    expect(r.issuesJa.join(' ')).not.toMatch(/Expected|received|Invalid/);
    // English stays for logs and ?lang=en.
    expect(r.issues.join(' ')).toMatch(/Expected number, received string/);
  });

  it('says when the text is not YAML at all, and names unknown roles', () => {
    const bad = validateFilePolicyYaml('a: [1, 2');
    expect(!bad.ok && bad.issuesJa[0]).toMatch(/^YAML として読めません/);
    const role = validateFilePolicyYaml('roles:\n  doctor: {}\n');
    expect(!role.ok && role.issuesJa[0]).toBe('roles.doctor: 役割は staff（職員）・admin（管理者）・security（セキュリティ担当）のいずれかです');
  });
});
