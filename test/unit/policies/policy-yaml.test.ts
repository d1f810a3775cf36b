import { describe, expect, it } from 'vitest';
import { formatIssues, parsePolicyYaml, policyToYaml, validatePolicy, type Policy, type PolicyIssue } from '../../../policies/index.js';

function parsed(text: string): Policy {
  const r = parsePolicyYaml(text);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.policy;
}

function issues(text: string): PolicyIssue[] {
  const r = parsePolicyYaml(text);
  if (r.ok) throw new Error('expected the policy to be refused');
  return r.issues;
}

const MINIMAL = `default: allow
rules:
  - id: no-webmail
    match: { domain: mail.example.test }
    action: block
`;

const FULL = `default: block
contact: "情報システム課 内線 1234"
capabilities: { upload: false }
categories:
  webmail: [mail.example.test, WEBMAIL.Example.JP.]
rules:
  - id: staff-news
    name: ニュースサイト
    match:
      scheme: [https]
      domain: news.example.jp
      path: /articles
      port: 443
    scope:
      roles: [doctor, nurse]
      sources: 10.1.0.0/16
      schedule: { days: [mon, tue, wed, thu, fri], from: "08:30", to: "17:15" }
    action: allow
    capabilities: { clipboardToClient: false, print: true }
  - id: intranet
    enabled: false
    match: { cidr: [10.0.0.0/8, "fd00::/8"], wildcard: "*.intra.example" }
    action: read-only
  - id: webmail
    match: { category: webmail, regex: "https://[^/]+/(login|inbox).*" }
    action: warn
  - id: top-level-scope
    roles: clerk
    schedule: { days: sat, from: "22:00", to: "06:00" }
    action: block
`;

describe('policy YAML', () => {
  it('parses the minimal example from the issue', () => {
    const p = parsed(MINIMAL);
    expect(p.default).toBe('allow');
    expect(p.rules).toHaveLength(1);
    expect(p.rules[0]).toMatchObject({ id: 'no-webmail', enabled: true, match: { domain: ['mail.example.test'] }, action: 'block', scope: {} });
  });

  it('parses every key, normalizing values and moving top-level scope keys under scope', () => {
    const p = parsed(FULL);
    expect(p.contact).toBe('情報システム課 内線 1234');
    expect(p.capabilities).toEqual({ upload: false });
    expect(p.categories.webmail).toEqual(['mail.example.test', 'webmail.example.jp']);
    const [news, intranet, , top] = p.rules;
    expect(news?.scope).toEqual({ roles: ['doctor', 'nurse'], sources: ['10.1.0.0/16'], schedule: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:30', to: '17:15' } });
    expect(news?.match).toEqual({ scheme: ['https'], domain: ['news.example.jp'], path: ['/articles'], port: [443] });
    expect(intranet?.enabled).toBe(false);
    expect(intranet?.match.cidr).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(top?.scope).toEqual({ roles: ['clerk'], schedule: { days: ['sat'], from: '22:00', to: '06:00' } });
    expect(top?.match).toEqual({});
  });

  it('round-trips through export', () => {
    for (const text of [MINIMAL, FULL]) {
      const p = parsed(text);
      const yaml = policyToYaml(p);
      expect(parsed(yaml)).toEqual(p);
      // Canonical form: scope keys live under scope:, single values are unwrapped.
      expect(yaml).not.toMatch(/^ {4}roles:/m);
    }
    expect(policyToYaml(parsed(MINIMAL))).toBe(`default: allow\nrules:\n  - id: no-webmail\n    match:\n      domain: mail.example.test\n    action: block\n`);
  });

  it.each([
    ['bad regex', 'default: allow\nrules:\n  - id: a\n    action: block\n  - id: b\n    action: block\n  - id: c\n    match: { regex: "(unclosed" }\n    action: block\n', 'rules[2].match.regex', 8],
    ['bad regex in a list', 'default: allow\nrules:\n  - id: a\n    match:\n      regex: ["ok", "[z-a]"]\n    action: block\n', 'rules[0].match.regex[1]', 5],
    ['unknown match key', 'default: allow\nrules:\n  - id: a\n    match: { domian: x.jp }\n    action: block\n', 'rules[0].match.domian', 4],
    ['unknown action', 'default: allow\nrules:\n  - id: a\n    action: deny\n', 'rules[0].action', 4],
    ['bad default', 'default: maybe\n', 'default', 1],
    ['bad cidr', 'default: allow\nrules:\n  - id: a\n    match: { cidr: 10.0.0.1/8 }\n    action: block\n', 'rules[0].match.cidr', 4],
    ['bad source', 'default: allow\nrules:\n  - id: a\n    scope: { sources: [nowhere] }\n    action: block\n', 'rules[0].scope.sources[0]', 4],
    ['bad port', 'default: allow\nrules:\n  - id: a\n    match: { port: 70000 }\n    action: block\n', 'rules[0].match.port', 4],
    ['bad path', 'default: allow\nrules:\n  - id: a\n    match: { path: admin }\n    action: block\n', 'rules[0].match.path', 4],
    ['bad host', 'default: allow\nrules:\n  - id: a\n    match: { host: "a b.jp" }\n    action: block\n', 'rules[0].match.host', 4],
    ['bad wildcard', 'default: allow\nrules:\n  - id: a\n    match: { wildcard: example.jp }\n    action: block\n', 'rules[0].match.wildcard', 4],
    ['bad time', 'default: allow\nrules:\n  - id: a\n    schedule: { days: [mon], from: "8:00", to: "17:00" }\n    action: block\n', 'rules[0].schedule.from', 4],
    ['bad day', 'default: allow\nrules:\n  - id: a\n    scope: { schedule: { days: [monday], from: "08:00", to: "17:00" } }\n    action: block\n', 'rules[0].scope.schedule.days[0]', 4],
    ['duplicate id', 'default: allow\nrules:\n  - id: a\n    action: block\n  - id: a\n    action: allow\n', 'rules[1].id', 5],
    ['unknown category', 'default: allow\nrules:\n  - id: a\n    match: { category: nope }\n    action: block\n', 'rules[0].match.category', 4],
    ['scope key twice', 'default: allow\nrules:\n  - id: a\n    roles: [x]\n    scope: { roles: [y] }\n    action: block\n', 'rules[0].roles', 4],
    ['bad capability', 'default: allow\nrules:\n  - id: a\n    action: allow\n    capabilities: { print: yes }\n', 'rules[0].capabilities.print', 5],
  ])('%s: the error names %s and its line', (_what, text, path, line) => {
    const found = issues(text);
    const hit = found.find((i) => i.path === path);
    expect(hit, JSON.stringify(found)).toBeDefined();
    expect(hit?.line).toBe(line);
    expect(formatIssues(found)).toContain(`line ${line}, ${path}: `);
  });

  it('reports broken YAML with a line and never throws', () => {
    const found = issues('default: allow\nrules: [\n  - x');
    expect(found[0]?.message).toMatch(/^not valid YAML/);
    expect(found[0]?.line).toBeGreaterThan(1);
    expect(issues('default: allow\ndefault: block\n')[0]?.line).toBe(2);
    expect(issues('')[0]?.message).toMatch(/empty/);
    expect(issues('- just\n- a list\n')[0]?.path).toBe('');
    expect(issues('a: &a [*a]\n').length).toBeGreaterThan(0);
  });

  it('validatePolicy gives the same key paths for objects built in code', () => {
    const r = validatePolicy({ default: 'allow', rules: [{ id: 'x', match: { regex: '(' }, action: 'block' }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['rules[0].match.regex']);
  });
});
