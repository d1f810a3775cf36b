import { describe, expect, it } from 'vitest';
import { explainShadowing, findShadowingRules, validatePolicy, type Policy, type PolicyRule } from '../../../policies/index.js';

function policyOf(rules: unknown[], categories: Record<string, string[]> = {}): Policy {
  const r = validatePolicy({ default: 'allow', rules, categories });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.policy;
}

function shadowersOf(rules: unknown[], id: string, categories: Record<string, string[]> = {}): string[] {
  const p = policyOf(rules, categories);
  const rule = p.rules.find((r) => r.id === id) as PolicyRule;
  return findShadowingRules(p.rules, rule, { categories: p.categories }).map((s) => s.rule.id);
}

const later = (match: object, extra: object = {}) => ({ id: 'later', match, action: 'allow', ...extra });

describe('findShadowingRules', () => {
  it('domain example.jp shadows host www.example.jp, with a reason', () => {
    const p = policyOf([{ id: 'd', name: 'Example', match: { domain: 'example.jp' }, action: 'block' }, later({ host: 'www.example.jp' })]);
    const found = findShadowingRules(p.rules, p.rules[1]!);
    expect(found).toEqual([
      { rule: { id: 'd', name: 'Example' }, index: 0, sameAction: false, reasons: ['domain example.jp covers host www.example.jp', 'it applies to every user at all times'] },
    ]);
  });

  it('a rule without match keys or scope shadows everything', () => {
    const p = policyOf([{ id: 'all', action: 'warn' }, later({ regex: 'https://x\\.jp/.*', port: 443 })]);
    const found = findShadowingRules(p.rules, p.rules[1]!);
    expect(found[0]?.reasons[0]).toMatch(/no match keys/);
  });

  it.each([
    ['domain covers subdomain', { domain: 'example.jp' }, { domain: 'a.example.jp' }, true],
    ['domain covers wildcard beneath it', { domain: 'example.jp' }, { wildcard: '*.a.example.jp' }, true],
    ['wildcard covers host', { wildcard: '*.example.jp' }, { host: 'a.b.example.jp' }, true],
    ['wildcard does not cover the apex host', { wildcard: '*.example.jp' }, { host: 'example.jp' }, false],
    ['wildcard does not cover the apex domain', { wildcard: '*.example.jp' }, { domain: 'example.jp' }, false],
    ['wildcard covers a strict subdomain', { wildcard: '*.example.jp' }, { domain: 'a.example.jp' }, true],
    ['host does not cover domain', { host: 'example.jp' }, { domain: 'example.jp' }, false],
    ['subdomain does not cover parent', { domain: 'a.example.jp' }, { domain: 'example.jp' }, false],
    ['lookalike suffix is not a subdomain', { domain: 'example.jp' }, { host: 'badexample.jp' }, false],
    ['path prefix covers longer path', { domain: 'example.jp', path: '/a' }, { host: 'x.example.jp', path: '/a/b' }, true],
    ['path prefix does not cover other path', { path: '/a' }, { path: '/b' }, false],
    ['earlier path rule does not cover a later rule without path', { domain: 'example.jp', path: '/a' }, { domain: 'example.jp' }, false],
    ['port list covers port', { port: [80, 443] }, { port: 443 }, true],
    ['any-port later rule is not covered by a port rule', { port: 443 }, { domain: 'x.jp' }, false],
    ['scheme list covers scheme', { scheme: ['http', 'https'] }, { scheme: 'https', host: 'a.jp' }, true],
    ['cidr covers narrower cidr', { cidr: '10.0.0.0/8' }, { cidr: '10.1.0.0/16' }, true],
    ['cidr covers IP host', { cidr: '10.0.0.0/8' }, { host: '10.2.3.4' }, true],
    ['cidr does not cover domain host', { cidr: '10.0.0.0/8' }, { host: 'intranet.jp' }, false],
    ['identical regex', { regex: 'https://a\\.jp/.*' }, { regex: 'https://a\\.jp/.*', port: 443 }, true],
    ['different regex (not provable)', { regex: 'https://.*' }, { regex: 'https://a\\.jp/.*' }, false],
    ['category covers listed host', { category: 'sns' }, { host: 'www.social.example' }, true],
    ['category covers same category', { category: ['sns', 'mail'] }, { category: 'sns' }, true],
    ['category does not cover unlisted host', { category: 'sns' }, { host: 'other.example' }, false],
  ])('%s', (_what, earlierMatch, laterMatch, shadowed) => {
    const rules = [{ id: 'earlier', match: earlierMatch, action: 'block' }, later(laterMatch)];
    expect(shadowersOf(rules, 'later', { sns: ['social.example'], mail: ['mail.example'] })).toEqual(shadowed ? ['earlier'] : []);
  });

  it.each([
    ['narrower roles are covered', { roles: ['doctor', 'nurse'] }, { roles: ['nurse'] }, true],
    ['a later rule for everyone is not covered by a role rule', { roles: ['doctor'] }, {}, false],
    ['sources covering sources', { sources: ['10.0.0.0/8'] }, { sources: ['10.1.0.0/16'] }, true],
    ['sources not covering', { sources: ['10.0.0.0/16'] }, { sources: ['10.0.0.0/8'] }, false],
    ['schedule containing schedule', { schedule: { days: ['mon', 'tue'], from: '08:00', to: '18:00' } }, { schedule: { days: ['mon'], from: '09:00', to: '17:00' } }, true],
    ['schedule not containing', { schedule: { days: ['mon'], from: '08:00', to: '12:00' } }, { schedule: { days: ['mon'], from: '09:00', to: '17:00' } }, false],
    ['earlier unscoped covers a scoped later rule', {}, { roles: ['x'], sources: ['10.0.0.0/8'] }, true],
  ])('scope: %s', (_what, earlierScope, laterScope, shadowed) => {
    const rules = [{ id: 'earlier', match: { domain: 'example.jp' }, scope: earlierScope, action: 'block' }, later({ domain: 'example.jp' }, { scope: laterScope })];
    expect(shadowersOf(rules, 'later')).toEqual(shadowed ? ['earlier'] : []);
  });

  it('ignores disabled and later rules, and checks an edited rule at its own position', () => {
    const rules = [
      { id: 'off', enabled: false, action: 'block' },
      { id: 'edit-me', match: { host: 'www.example.jp' }, action: 'allow' },
      { id: 'broad', match: { domain: 'example.jp' }, action: 'block' },
    ];
    expect(shadowersOf(rules, 'edit-me')).toEqual([]);
    const p = policyOf(rules);
    const moved = findShadowingRules(p.rules, p.rules[1]!, { position: 3 });
    expect(moved.map((s) => s.rule.id)).toEqual(['broad']);
    // A brand-new rule is checked as if appended.
    const fresh = { ...p.rules[1]!, id: 'new' };
    expect(findShadowingRules(p.rules, fresh).map((s) => [s.rule.id, s.sameAction])).toEqual([
      ['edit-me', true],
      ['broad', false],
    ]);
  });

  it('explainShadowing returns null when not provable', () => {
    const p = policyOf([{ id: 'a', match: { domain: 'a.jp' }, action: 'block' }, { id: 'b', match: { domain: 'b.jp' }, action: 'block' }]);
    expect(explainShadowing(p.rules[0]!, p.rules[1]!)).toBeNull();
  });
});
