/**
 * The message tables (client/messages): every key has a Japanese and an English text
 * with the same placeholders, and every coded value the consoles show — policy actions,
 * match kinds, roles, reason codes, sanitizer stages, audit events, outcomes, type
 * groups and file-policy choices — has a label, so no raw code reaches the Japanese UI.
 */
import { describe, expect, it } from 'vitest';
import { fillMessage, placeholders } from '../../../client/messages/fill.js';
import { EN } from '../../../client/messages/en.js';
import { JA } from '../../../client/messages/ja.js';
import { AUDIT_EVENTS, AUDIT_OUTCOMES } from '../../../gateway/audit/audit-event.js';
import { filePolicyFormSchema } from '../../../gateway/admin/file-policy-form.js';
import { ROLES, AUTH_SOURCES } from '../../../gateway/store/repositories.js';
import { REASON_CODES } from '../../../sanitizer/reasons.js';
import { TYPE_GROUPS } from '../../../sanitizer/file-policy.js';

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

describe('message tables', () => {
  it('have the same keys in Japanese and English, none empty', () => {
    expect(Object.keys(EN).sort()).toEqual(Object.keys(JA).sort());
    for (const [key, ja] of Object.entries(JA)) {
      expect(ja.trim(), key).not.toBe('');
      expect(EN[key as keyof typeof JA].trim(), key).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(JA) as Array<keyof typeof JA>) expect(placeholders(EN[key]), key).toEqual(placeholders(JA[key]));
  });

  it('say in Japanese what the English says, apart from product names', () => {
    const sameByDesign = /^(ok|file\.group\.(pdf|csv)|admin\.startUrl|detail\.(url|sha256)|security\.(sha256|exportCsv|exportJsonl)|admin\.fedSaml|nav\.switchLanguage)$/;
    const untranslated = (Object.keys(JA) as Array<keyof typeof JA>).filter((k) => !sameByDesign.test(k) && !JAPANESE.test(JA[k]));
    expect(untranslated).toEqual([]);
  });

  it('fill placeholders and leave the rest of the text alone', () => {
    expect(fillMessage(JA, 'admin.confirmTerminate', { name: 'nurse' })).toBe('nurse さんのセッションを終了させますか？開いているタブはすべて閉じられます。');
    expect(fillMessage(EN, 'security.results', { total: 120, from: 1, to: 50 })).toBe('1–50 of 120');
  });

  const labelled = (prefix: string, codes: readonly string[]): string[] => codes.filter((c) => !(`${prefix}.${c}` in JA));

  it('label every policy action, match kind, role and sign-in source', () => {
    expect(labelled('enum.action', ['allow', 'block', 'warn', 'read-only'])).toEqual([]);
    expect(labelled('enum.match', ['domain', 'host', 'path', 'wildcard', 'regex', 'category'])).toEqual([]);
    expect(labelled('enum.role', ROLES)).toEqual([]);
    expect(labelled('enum.authSource', AUTH_SOURCES)).toEqual([]);
  });

  it('label every reason code, sanitizer stage, audit event and outcome', () => {
    expect(labelled('reason', REASON_CODES)).toEqual([]);
    expect(labelled('step', ['name', 'type', 'limits', 'scan', 'reconstruct', 'recheck'])).toEqual([]);
    expect(labelled('event', AUDIT_EVENTS)).toEqual([]);
    expect(labelled('enum.outcome', AUDIT_OUTCOMES)).toEqual([]);
  });

  it('label every file type group and every choice the file policy schema offers', () => {
    const form = filePolicyFormSchema();
    expect(form.groups).toEqual([...TYPE_GROUPS]);
    expect(labelled('file.group', form.groups)).toEqual([]);
    expect(labelled('file.field', Object.keys(form.choices))).toEqual([]);
    expect(labelled('file.option', Object.values(form.choices).flat())).toEqual([]);
  });
});
