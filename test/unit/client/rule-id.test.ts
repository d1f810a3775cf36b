/** Rule IDs from rule names in any language are always IDs the policy schema accepts. */
import { describe, expect, it } from 'vitest';
import { RULE_ID, ruleIdFromName } from '../../../client/admin/rule-id.js';
import { policySchema } from '../../../policies/policy-schema.js';

describe('ruleIdFromName', () => {
  it('keeps the Latin words of a name, lower case, joined by hyphens', () => {
    expect(ruleIdFromName('Block ads 広告', [])).toBe('block-ads');
    expect(ruleIdFromName('ＭＨＬＷ portal', [])).toBe('mhlw-portal');
  });

  it('tags a name with no Latin letters, the same way every time', () => {
    const id = ruleIdFromName('電子カルテ', []);
    expect(id).toMatch(/^rule-[0-9a-z]{6}$/);
    expect(ruleIdFromName('電子カルテ', [])).toBe(id);
    expect(ruleIdFromName('検査システム', [])).not.toBe(id);
  });

  it('makes the ID unique among the rules already there', () => {
    expect(ruleIdFromName('Block ads', ['block-ads', 'block-ads-2'])).toBe('block-ads-3');
  });

  it('gives an ID even for an empty name', () => {
    expect(ruleIdFromName('', [])).toMatch(RULE_ID);
  });

  it('only makes IDs the policy schema accepts', () => {
    for (const name of ['電子カルテ', 'Block ads', '---', 'a'.repeat(300), '😀 emoji', 'Ünïcödé ルール']) {
      const id = ruleIdFromName(name, []);
      expect(id, name).toMatch(RULE_ID);
      const parsed = policySchema.safeParse({ default: 'allow', rules: [{ id, match: { domain: ['example.jp'] }, action: 'block' }] });
      expect(parsed.success, `${name} → ${id}`).toBe(true);
    }
  });
});
