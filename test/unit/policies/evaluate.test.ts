import { describe, expect, it } from 'vitest';
import { evaluate, formatIssues, parsePolicyYaml, type EvaluationContext, type Policy } from '../../../policies/index.js';

function policy(text: string): Policy {
  const r = parsePolicyYaml(text);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.policy;
}

// 2025-06-02 is a Monday. 01:00Z = 10:00 JST Monday; 15:30Z = 00:30 JST Tuesday.
const MON_10_JST = new Date('2025-06-02T01:00:00Z');
const TUE_0030_JST = new Date('2025-06-02T15:30:00Z');
const SUN_2330_UTC_IS_MON_0830_JST = new Date('2025-06-01T23:30:00Z');
const ctx = (over: Partial<EvaluationContext> = {}): EvaluationContext => ({ role: 'doctor', sourceIp: '10.1.2.3', now: MON_10_JST, ...over });

const P = policy(`default: allow
categories:
  sns: [social.example, chat.example.net]
rules:
  - id: disabled-block-all
    enabled: false
    action: block
  - id: no-webmail
    name: Webmail
    match: { domain: mail.example.test }
    action: block
  - id: news-read-only
    match: { host: news.example.jp, path: /live }
    action: read-only
    capabilities: { clipboardFromClient: true, print: false }
  - id: sns-warn
    match: { category: sns }
    action: warn
  - id: wild
    match: { wildcard: "*.cdn.example" }
    action: block
  - id: rx
    match: { regex: "https://search\\\\.example/\\\\?q=.*secret.*" }
    action: block
  - id: alt-port
    match: { port: 8080 }
    action: block
  - id: only-http
    match: { scheme: http, domain: plain.example }
    action: block
  - id: public-cidr
    match: { cidr: 203.0.114.0/24 }
    action: block
  - id: office-hours
    match: { domain: shop.example }
    scope: { schedule: { days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" } }
    action: block
  - id: night
    match: { domain: night.example }
    scope: { schedule: { days: [mon], from: "22:00", to: "06:00" } }
    action: block
  - id: clerks-only
    match: { domain: billing.example }
    scope: { roles: clerk }
    action: block
  - id: ward-only
    match: { domain: ward.example }
    scope: { sources: 10.9.0.0/16 }
    action: block
  - id: shadowed-allow
    match: { host: www.mail.example.test }
    action: allow
`);

describe('evaluate: rules', () => {
  it.each([
    ['https://mail.example.test/', 'block', 'no-webmail'],
    ['https://x.y.mail.example.test./inbox', 'block', 'no-webmail'],
    ['https://www.mail.example.test/', 'block', 'no-webmail'],
    ['https://good.jp@MAIL.example.test/', 'block', 'no-webmail'],
    ['https://mail.example.test.evil.jp/', 'allow', null],
    ['https://notmail.example.test/', 'allow', null],
    ['view-source:https://mail.example.test/', 'block', 'no-webmail'],
    ['blob:https://mail.example.test/uuid', 'block', 'no-webmail'],
    ['https://news.example.jp/live/today', 'read-only', 'news-read-only'],
    ['https://news.example.jp/%6Cive', 'read-only', 'news-read-only'],
    ['https://news.example.jp/other', 'allow', null],
    ['https://chat.example.net/', 'warn', 'sns-warn'],
    ['https://a.social.example/', 'warn', 'sns-warn'],
    ['https://a.b.cdn.example/x.js', 'block', 'wild'],
    ['https://cdn.example/x.js', 'allow', null],
    ['https://search.example/?q=top-secret-plan', 'block', 'rx'],
    ['https://search.example/?q=weather', 'allow', null],
    ['https://x.search.example/?q=secret', 'allow', null],
    ['https://any.example:8080/', 'block', 'alt-port'],
    ['http://plain.example/', 'block', 'only-http'],
    ['https://plain.example/', 'allow', null],
    ['http://203.0.114.7/', 'block', 'public-cidr'],
  ])('%s → %s (%s)', (url, verdict, rule) => {
    const v = evaluate(P, url, ctx());
    expect(v.verdict).toBe(verdict);
    expect(v.rule?.id ?? null).toBe(rule);
    expect(v.source).toBe(rule ? 'rule' : 'default');
  });

  it('explains itself: rule id and name, normalized URL, reason', () => {
    const v = evaluate(P, 'HTTPS://user@Mail.Example.Test.:443/a/../b#frag', ctx());
    expect(v).toMatchObject({ verdict: 'block', rule: { id: 'no-webmail', name: 'Webmail' }, normalizedUrl: 'https://mail.example.test/b' });
    expect(v.reason).toContain('no-webmail');
    expect(evaluate(P, 'https://ok.example/', ctx()).rule).toBeNull();
    expect(evaluate(P, 'https://ok.example/', ctx()).reason).toMatch(/default action: allow/);
  });

  it('applies cidr rules to resolved addresses', () => {
    expect(evaluate(P, 'https://resolves-there.example/', ctx({ resolvedAddresses: ['203.0.114.9'] })).rule?.id).toBe('public-cidr');
    expect(evaluate(P, 'https://resolves-there.example/', ctx({ resolvedAddresses: ['8.8.8.8'] })).verdict).toBe('allow');
  });

  it('uses the default action when nothing matches', () => {
    const blocking = policy('default: block\nrules:\n  - id: ok\n    match: { domain: ok.example }\n    action: allow\n');
    expect(evaluate(blocking, 'https://other.example/', ctx())).toMatchObject({ verdict: 'block', rule: null, source: 'default' });
    expect(evaluate(blocking, 'https://www.ok.example/', ctx()).verdict).toBe('allow');
  });

  it('first match wins and disabled rules are skipped', () => {
    const p = policy('default: allow\nrules:\n  - id: off\n    enabled: false\n    action: block\n  - id: first\n    match: { domain: a.example }\n    action: warn\n  - id: second\n    match: { host: www.a.example }\n    action: block\n');
    expect(evaluate(p, 'https://www.a.example/', ctx()).rule?.id).toBe('first');
    expect(evaluate(p, 'https://b.example/', ctx()).source).toBe('default');
  });

  it('keeps list order between host-indexed rules and other rules', () => {
    const p = policy(`default: allow
rules:
  - id: by-domain
    match: { domain: a.example }
    action: warn
  - id: by-port
    match: { port: 443 }
    action: block
  - id: by-host
    match: { host: [www.b.example, www.a.example] }
    action: read-only
  - id: by-parent-domain
    match: { domain: [example, b.example] }
    action: allow
`);
    expect(evaluate(p, 'https://www.a.example/', ctx()).rule?.id).toBe('by-domain');
    expect(evaluate(p, 'https://www.b.example/', ctx()).rule?.id).toBe('by-port');
    expect(evaluate(p, 'http://www.b.example/', ctx()).rule?.id).toBe('by-host');
    expect(evaluate(p, 'http://c.b.example/', ctx()).rule?.id).toBe('by-parent-domain');
    expect(evaluate(p, 'http://c.example/', ctx()).rule?.id).toBe('by-parent-domain');
    expect(evaluate(p, 'http://c.other/', ctx()).rule).toBeNull();
  });

  it('several keys in one match must all hold', () => {
    expect(evaluate(P, 'https://news.example.jp/live', ctx()).verdict).toBe('read-only');
    expect(evaluate(P, 'https://other.example.jp/live', ctx()).verdict).toBe('allow');
  });
});

describe('evaluate: scope', () => {
  it('schedule windows are in Asia/Tokyo whatever the machine time zone', () => {
    expect(evaluate(P, 'https://shop.example/', ctx({ now: MON_10_JST })).verdict).toBe('block');
    expect(evaluate(P, 'https://shop.example/', ctx({ now: TUE_0030_JST })).verdict).toBe('allow');
    // Sunday 23:30 UTC is Monday 08:30 in Tokyo: still before 09:00.
    expect(evaluate(P, 'https://shop.example/', ctx({ now: SUN_2330_UTC_IS_MON_0830_JST })).verdict).toBe('allow');
    expect(evaluate(P, 'https://shop.example/', ctx({ now: new Date('2025-06-01T00:00:00Z') })).verdict).toBe('allow'); // Sunday 09:00 JST
    expect(evaluate(P, 'https://shop.example/', ctx({ now: new Date('2025-06-02T07:59:00Z') })).verdict).toBe('block'); // Mon 16:59
    expect(evaluate(P, 'https://shop.example/', ctx({ now: new Date('2025-06-02T08:00:00Z') })).verdict).toBe('allow'); // Mon 17:00
  });

  it('overnight windows start on the listed day and run past midnight', () => {
    expect(evaluate(P, 'https://night.example/', ctx({ now: TUE_0030_JST })).verdict).toBe('block');
    expect(evaluate(P, 'https://night.example/', ctx({ now: new Date('2025-06-02T13:00:00Z') })).verdict).toBe('block'); // Mon 22:00
    expect(evaluate(P, 'https://night.example/', ctx({ now: MON_10_JST })).verdict).toBe('allow');
    expect(evaluate(P, 'https://night.example/', ctx({ now: new Date('2025-06-01T16:00:00Z') })).verdict).toBe('allow'); // Mon 01:00, window started Sunday
  });

  it('role scope', () => {
    expect(evaluate(P, 'https://billing.example/', ctx({ role: 'clerk' })).verdict).toBe('block');
    expect(evaluate(P, 'https://billing.example/', ctx({ role: 'doctor' })).verdict).toBe('allow');
    expect(evaluate(P, 'https://billing.example/', ctx({ role: null })).verdict).toBe('allow');
  });

  it('source address scope, including mapped IPv6 sources', () => {
    expect(evaluate(P, 'https://ward.example/', ctx({ sourceIp: '10.9.1.1' })).verdict).toBe('block');
    expect(evaluate(P, 'https://ward.example/', ctx({ sourceIp: '::ffff:10.9.1.1' })).verdict).toBe('block');
    expect(evaluate(P, 'https://ward.example/', ctx({ sourceIp: '10.8.1.1' })).verdict).toBe('allow');
    expect(evaluate(P, 'https://ward.example/', ctx({ sourceIp: 'garbage' })).verdict).toBe('allow');
  });
});

describe('evaluate: system rules', () => {
  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'chrome://settings', 'data:text/html,x', 'about:config', 'view-source:javascript:1', 'not a url'])(
    '%s is refused before any rule',
    (url) => {
      const allowAll = policy('default: allow\nrules:\n  - id: all\n    action: allow\n');
      const v = evaluate(allowAll, url, ctx());
      expect(v).toMatchObject({ verdict: 'block', source: 'system', rule: { id: 'system:scheme' }, normalizedUrl: null });
    },
  );

  it.each(['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:10.0.0.1]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://169.254.169.254/latest/meta-data', 'http://[fd00::1]/', 'http://100.64.0.1/'])(
    'IP-literal %s in a denied range is refused even by an allow-all policy',
    (url) => {
      const allowAll = policy('default: allow\nrules:\n  - id: all\n    action: allow\n');
      expect(evaluate(allowAll, url, ctx())).toMatchObject({ verdict: 'block', rule: { id: 'system:address' } });
    },
  );

  it('resolved addresses are checked too, and allowPrivate lifts the address rule', () => {
    expect(evaluate(P, 'https://intranet.example/', ctx({ resolvedAddresses: ['93.184.216.34', '10.0.0.5'] })).rule?.id).toBe('system:address');
    expect(evaluate(P, 'https://intranet.example/', ctx({ resolvedAddresses: ['10.0.0.5'], allowPrivate: ['10.0.0.0/8'] })).verdict).toBe('allow');
    expect(evaluate(P, 'http://10.0.0.5/', ctx({ allowPrivate: ['10.0.0.0/8'] })).verdict).toBe('allow');
    expect(evaluate(P, 'https://x.example/', ctx({ resolvedAddresses: ['not-an-ip'] })).rule?.id).toBe('system:address');
  });

  it('about:blank is allowed even by a block-all default', () => {
    expect(evaluate(policy('default: block\n'), 'about:blank', ctx()).verdict).toBe('allow');
  });
});

describe('evaluate: capabilities', () => {
  it('block takes everything away; read-only never allows paste or upload', () => {
    expect(Object.values(evaluate(P, 'https://mail.example.test/', ctx()).capabilities)).toEqual([false, false, false, false, false]);
    expect(evaluate(P, 'https://news.example.jp/live', ctx()).capabilities).toEqual({ clipboardToClient: true, clipboardFromClient: false, print: false, upload: false, download: true });
  });

  it('policy-wide capabilities are the defaults and rules override them', () => {
    const p = policy('default: allow\ncapabilities: { upload: false, print: false }\nrules:\n  - id: forms\n    match: { domain: forms.example }\n    action: allow\n    capabilities: { upload: true }\n');
    expect(evaluate(p, 'https://other.example/', ctx()).capabilities).toMatchObject({ upload: false, print: false, download: true });
    expect(evaluate(p, 'https://forms.example/', ctx()).capabilities).toMatchObject({ upload: true, print: false });
  });
});
