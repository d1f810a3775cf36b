/**
 * The rule index (rule-index.ts) against a linear scan: thousands of random rules of every
 * kind (host, domain, wildcard, regex, path, port, CIDR, scheme, category, combinations,
 * disabled and out-of-scope rules) and thousands of random URLs, seeded, must give the
 * same deciding rule. Pure: no I/O.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluate, normalizeUrl, parseIp, type EvaluationContext, type IpAddress, type Policy, type PolicyMatch, type PolicyRule } from '../../../policies/index.js';
import { requiredLiterals } from '../../../policies/regex-literals.js';
import { wildcardKey } from '../../../policies/rule-index.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LABELS = ['a', 'b', 'www', 'cdn', 'img-1', 'img-2', 'mail', 'x', 'news', 'w3'];
const DOMAINS = ['example.jp', 'example.com', 'b.example.jp', 'mhlw.go.jp', 'go.jp', 'net', 'cdn.example.net', 'test'];
const IPS = ['93.184.216.34', '1.2.3.4', '10.1.2.3', '2001:db8::1', '8.8.8.8'];
const PATHS = ['/', '/a', '/ab', '/ab/c', '/admin', '/admin/users', '/private/very/long/path/prefix/x', '/p1', '/p12'];
const PORTS = [443, 80, 8443, 8080];
const CIDRS = ['93.184.216.0/24', '10.0.0.0/8', '1.2.3.4/32', '2001:db8::/32', '0.0.0.0/0', '8.0.0.0/7', '::/0'];

function make(rand: () => number) {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const some = <T,>(f: () => T): T[] => Array.from({ length: 1 + Math.floor(rand() * 2) }, f);
  const host = (): string => (rand() < 0.2 ? pick(IPS) : rand() < 0.3 ? pick(DOMAINS) : `${pick(LABELS)}.${rand() < 0.3 ? `${pick(LABELS)}.` : ''}${pick(DOMAINS)}`);
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const wildcard = (): string =>
    pick([
      () => `*.${pick(DOMAINS)}`,
      () => `${pick(LABELS)}*.${pick(DOMAINS)}`,
      () => `*-1.${pick(DOMAINS)}`,
      () => `${pick(LABELS)}.*`,
      () => `*${pick(['a', 'jp', 'p'])}`,
      () => `*.*.${pick(DOMAINS)}`,
      () => `${pick(LABELS)}*`,
      () => '*.3.4',
    ])();
  const regex = (): string =>
    pick([
      () => `https?://[a-z0-9.-]*${esc(pick(DOMAINS))}/.*`,
      () => `.*${esc(pick(PATHS))}.*`,
      () => `https://${esc(host())}/p[0-9]+`,
      () => '.*',
      () => `(?:http|ws)s?://(?:${esc(pick(LABELS))}|${esc(pick(LABELS))})\\..*`,
      () => `.*ad(?:min)+.*`,
      () => `.*[?]q=x{2}y.*`,
      () => `https://a${'b'.repeat(2)}{1,3}.*`,
    ])();
  const keys: Array<(m: PolicyMatch) => void> = [
    (m) => void (m.host = some(host)),
    (m) => void (m.domain = some(() => pick(DOMAINS))),
    (m) => void (m.wildcard = some(wildcard)),
    (m) => void (m.regex = some(regex)),
    (m) => void (m.path = some(() => pick(PATHS))),
    (m) => void (m.port = some(() => pick(PORTS))),
    (m) => void (m.cidr = some(() => pick(CIDRS))),
    (m) => void (m.scheme = some(() => pick(['http', 'https', 'ws', 'wss'] as const))),
    (m) => void (m.category = ['cat']),
  ];
  const rule = (i: number): PolicyRule => {
    const match: PolicyMatch = {};
    const n = rand() < 0.05 ? 0 : 1 + Math.floor(rand() * 2);
    for (let k = 0; k < n; k++) pick(keys)(match);
    return {
      id: `r${i}`,
      enabled: rand() > 0.05,
      match,
      scope: rand() < 0.05 ? { roles: ['admin'] } : {},
      action: pick(['allow', 'block', 'warn', 'read-only'] as const),
      capabilities: {},
    };
  };
  const url = (): string => {
    const h = host();
    const hostText = h.includes(':') ? `[${h}]` : h;
    const scheme = pick(['http', 'https', 'ws', 'wss', 'HTTPS']);
    const port = rand() < 0.3 ? `:${pick(PORTS)}` : '';
    const path = pick(PATHS) + (rand() < 0.3 ? `p${Math.floor(rand() * 100)}` : '');
    const query = rand() < 0.3 ? pick(['?q=xxy', '?q=1', '?a=%41']) : '';
    const long = rand() < 0.01 ? `?pad=${'z'.repeat(2100)}` : '';
    return `${scheme}://${rand() < 0.1 ? hostText.toUpperCase() : hostText}${port}${path}${query}${long}`;
  };
  return { rule, url, pick };
}

/** The reference: every enabled rule in order, no index. */
function linearDecision(policy: Policy, url: string, ctx: EvaluationContext): string {
  const n = normalizeUrl(url);
  if (!n.ok) return 'unparsable';
  const addresses = (ctx.resolvedAddresses ?? []).map((a) => parseIp(a)).filter((a): a is IpAddress => a !== null);
  for (const c of compilePolicy(policy).rules) {
    if (!c.inScope(ctx) || !c.matches({ url: n.url, addresses })) continue;
    return c.regexUndecided({ url: n.url, addresses }) ? 'system:regex-input' : c.rule.id;
  }
  return 'default';
}

describe('rule index vs a linear scan', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`decides like a linear scan (seed ${seed}: 2,000 random rules, 3,000 random URLs)`, () => {
      const rand = rng(seed);
      const g = make(rand);
      const policy: Policy = {
        default: 'allow',
        rules: Array.from({ length: 2000 }, (_, i) => g.rule(i)),
        categories: { cat: ['example.jp', 'mail.example.com', '1.2.3.4'] },
        capabilities: {},
      };
      let ruleDecisions = 0;
      for (let i = 0; i < 3000; i++) {
        const url = g.url();
        const ctx: EvaluationContext = {
          role: 'staff',
          now: new Date('2026-12-02T01:00:00Z'),
          resolvedAddresses: rand() < 0.5 ? [g.pick(IPS)] : [],
          allowPrivate: ['10.0.0.0/8', '2001:db8::/32'],
        };
        const v = evaluate(policy, url, ctx);
        if (v.source === 'system' && v.rule?.id !== 'system:regex-input') continue;
        const got = v.source === 'default' ? 'default' : v.rule!.id;
        expect({ url, got }).toEqual({ url, got: linearDecision(policy, url, ctx) });
        if (v.source === 'rule') ruleDecisions++;
      }
      // The comparison is only meaningful if rules actually decide most URLs.
      expect(ruleDecisions).toBeGreaterThan(1500);
    });
  }

  it('finds rules deep in a long list of non-matching wildcard, regex, path, port and CIDR rules', () => {
    const rules: PolicyRule[] = [];
    const add = (match: PolicyMatch): void => void rules.push({ id: `n${rules.length}`, enabled: true, match, scope: {}, action: 'block', capabilities: {} });
    for (let i = 0; i < 1000; i++) {
      add({ wildcard: [`*.w${i}.example.net`] });
      add({ regex: [`https://r${i}\\.example\\.org/.*`] });
      add({ path: [`/only${i}/`] });
      add({ port: [10000 + i] });
      add({ cidr: [`198.51.${i % 256}.0/24`] });
    }
    rules.push({ id: 'last-wild', enabled: true, match: { wildcard: ['*.w999.example.net'], path: ['/x'] }, scope: {}, action: 'warn', capabilities: {} });
    const policy: Policy = { default: 'allow', rules, categories: {}, capabilities: {} };
    const ctx = { now: new Date(), resolvedAddresses: ['93.184.216.34'] };
    expect(evaluate(policy, 'https://a.w999.example.net/x', ctx).rule?.id).toBe('n4995');
    expect(evaluate(policy, 'https://r7.example.org/any', ctx).rule?.id).toBe('n36');
    expect(evaluate(policy, 'https://elsewhere.example/only12/x', ctx).rule?.id).toBe('n62');
    expect(evaluate(policy, 'https://elsewhere.example:10003/', ctx).rule?.id).toBe('n18');
    expect(evaluate(policy, 'https://elsewhere.example/', { ...ctx, resolvedAddresses: ['198.51.4.9'], allowPrivate: ['198.51.0.0/16'] }).rule?.id).toBe('n24');
    expect(evaluate(policy, 'https://elsewhere.example/', ctx).source).toBe('default');
  });
});

describe('index keys', () => {
  it('files wildcards under a strict parent domain, else the first label', () => {
    expect(wildcardKey('*.cdn.example.jp')).toEqual({ parent: 'cdn.example.jp' });
    expect(wildcardKey('img-*.cdn.example.jp')).toEqual({ parent: 'cdn.example.jp' });
    expect(wildcardKey('*-1.example.jp')).toEqual({ parent: 'example.jp' });
    expect(wildcardKey('www.example.*')).toEqual({ firstLabel: 'www' });
    expect(wildcardKey('*jp')).toBeNull();
  });

  it('finds the literals a regex cannot match without', () => {
    expect(requiredLiterals('https://[a-z0-9.-]*example\\.org/.*')).toEqual(['example.org/', 'https://']);
    expect(requiredLiterals('.*ad(?:min)+x.*')).toEqual(['min', 'ad', 'x']);
    expect(requiredLiterals('(?:a|b)c')).toEqual(['c']);
    expect(requiredLiterals('ab{2}c?d')).toEqual(['abb', 'd']);
    expect(requiredLiterals('x|y')).toEqual([]);
  });
});
