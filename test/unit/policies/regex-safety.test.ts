/**
 * Issue 9, item 17: admin regexes that backtrack catastrophically are refused when the
 * policy is validated, with a bilingual message naming the rule; URLs too long to run a
 * regex on are refused by that rule instead of being matched (fail closed).
 */
import { describe, expect, it } from 'vitest';
import { evaluate, MAX_REGEX_INPUT, parsePolicyYaml, regexSafetyProblem, validatePolicy, type Policy } from '../../../policies/index.js';

const CATASTROPHIC = '([a-z0-9]+)+\\.evil\\.test';

function policyWith(regex: string | string[], action = 'block'): unknown {
  return { default: 'allow', rules: [{ id: 'first', action: 'allow', match: { host: 'ok.example' } }, { id: 'evil-hosts', match: { regex }, action }] };
}

describe('regex rules are checked for catastrophic backtracking', () => {
  it('refuses the reported pattern with a bilingual message naming the rule', () => {
    const r = validatePolicy(policyWith(CATASTROPHIC));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.path).toBe('rules[1].match.regex');
    expect(r.issues[0]!.message).toContain('rule "evil-hosts"');
    expect(r.issues[0]!.message).toContain('nested');
    expect(r.issues[0]!.message).toContain('規則「evil-hosts」の正規表現は受け付けられません');
    expect(r.issues[0]!.message).toContain('指数的');
  });

  it('names the item of a list and reports the YAML line', () => {
    const r = parsePolicyYaml(`default: allow\nrules:\n  - id: mixed\n    match:\n      regex: ["https://a\\\\.jp/.*", "(a|ab)*"]\n    action: block\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => [i.path, i.line])).toEqual([['rules[0].match.regex[1]', 5]]);
  });

  it.each([
    ['^https://www\\.mhlw\\.go\\.jp/.*\\.pdf$'],
    ['(foo|bar)\\.example'],
    ['https://[^/]+/(login|inbox).*'],
    ['https://search\\.example/\\?q=.*secret.*'],
    ['https?://(www\\.)?[^/]+/.*'],
    ['https://(?:[a-z0-9-]+\\.)?example\\.jp/.*'],
    ['https://[^/]+\\.example\\.jp/files/[0-9]{4}/.*\\.pdf'],
    ['(www|web)\\.example\\.jp/.*'],
  ])('accepts the common safe pattern %s', (pattern) => {
    expect(regexSafetyProblem(pattern)).toBeNull();
    expect(validatePolicy(policyWith(pattern)).ok).toBe(true);
  });

  it.each([
    ['nested quantifier', '(a+)+$', /nested/],
    ['nested quantifier in a subdomain loop', 'https://(\\w+\\.)*example\\.jp/', /nested/],
    ['optional inside a repeat', '(ab?)*c', /nested/],
    ['alternatives that start alike under a repeat', '(a|ab)*c', /start with the same character/],
    ['overlapping alternatives under a repeat', '(\\w|\\d)+!', /start with the same character/],
    ['empty loop', '(a|)*b', /empty string/],
    ['backreference', '(a)\\1', /backreferences/],
    ['named backreference', '(?<x>a)\\k<x>', /backreferences/],
    ['lookahead', 'https://(?!intra).*', /lookahead/],
    ['lookbehind', '.*(?<=\\.exe)', /lookahead and lookbehind/],
    ['three overlapping repeats', '.*a.*b.*c', /polynomial/],
    ['three adjacent classes', '[a-z]*[a-z]*[a-z]*!', /polynomial/],
    ['many optional parts', `${'a?'.repeat(30)}${'a'.repeat(30)}`, /too many optional parts/],
    ['a group closed early (would unanchor the rule)', 'a)|(b', /unbalanced/],
    ['very long pattern', `a${'b'.repeat(1000)}`, /longer than 1000/],
  ])('refuses %s', (_what, pattern, reason) => {
    new RegExp(`^(?:${pattern})$`); // each compiles: the refusal is about its shape, not its syntax
    expect(regexSafetyProblem(pattern)?.en).toMatch(reason);
    expect(regexSafetyProblem(pattern)?.ja).toMatch(/[ぁ-ん]/);
  });

  it('keeps reporting syntax errors on their own, without a second message', () => {
    const r = validatePolicy(policyWith('(unclosed'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^invalid regular expression/)]);
  });
});

describe('regex input length', () => {
  const parsed = validatePolicy({
    default: 'allow',
    rules: [
      { id: 'portal', match: { regex: 'https://portal\\.example/.*' }, action: 'allow' },
      { id: 'pdf-block', match: { regex: 'https://files\\.example/.*\\.exe' }, action: 'block' },
    ],
  });
  if (!parsed.ok) throw new Error('policy');
  const policy: Policy = parsed.policy;
  const now = new Date();

  it('refuses a URL longer than the limit when it reaches a regex rule, instead of matching a cut-down or padded URL', () => {
    const padding = 'a'.repeat(MAX_REGEX_INPUT);
    // Regexes never run on more than MAX_REGEX_INPUT characters; a cut-down check would let
    // padding push ".exe" out of reach, so the first regex rule reached refuses the URL.
    const v = evaluate(policy, `https://files.example/${padding}/x.exe`, { now });
    expect(v).toMatchObject({ verdict: 'block', source: 'system', rule: { id: 'system:regex-input' } });
    expect(v.reason).toContain('rule "portal"');
    expect(evaluate(policy, 'https://files.example/x.exe', { now })).toMatchObject({ verdict: 'block', rule: { id: 'pdf-block' } });
    expect(evaluate(policy, 'https://files.example/x.pdf', { now })).toMatchObject({ verdict: 'allow', source: 'default' });
  });
});
