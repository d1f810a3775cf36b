/**
 * Policy evaluation throughput (issue 3): 10,000 rules and a 1,000,000-domain
 * category list, and whether lookup cost stays flat as the list grows. The main
 * figure uses host/domain rules (what the rule index covers); a second figure has
 * a quarter of the rules as wildcards, which the index does not cover.
 */
import { evaluate, type Policy, type PolicyRule } from '../policies/index.js';

export interface PolicyResult {
  rules: number;
  categoryDomains: number;
  evaluationsPerSec: number;
  /** Evaluations per second with a 10,000-domain list, for the flatness check. */
  smallListEvaluationsPerSec: number;
  /** The same with a quarter of the rules being wildcard rules (`*.wN.example.net`). */
  wildcardMixEvaluationsPerSec: number;
  /** First evaluation of the big policy: compiling rules and the category set. */
  compileSeconds: number;
}

function buildPolicy(rules: number, domains: number, wildcards: boolean): Policy {
  const list: string[] = new Array<string>(domains);
  for (let i = 0; i < domains; i++) list[i] = `site${i}.cat${i % 97}.example`;
  const r: PolicyRule[] = [];
  for (let i = 0; i < rules - 1; i++) {
    const kind = i % 4;
    const match =
      kind === 0 ? { domain: [`blocked${i}.example.jp`] } : kind === 1 ? { host: [`host${i}.example.com`] } : kind === 2 ? (wildcards ? { wildcard: [`*.w${i}.example.net`] } : { domain: [`w${i}.example.net`] }) : { domain: [`d${i}.example.org`], path: ['/private'] };
    r.push({ id: `r${i}`, enabled: true, match, scope: {}, action: i % 2 ? 'block' : 'warn', capabilities: {} });
  }
  r.push({ id: 'cat', enabled: true, match: { category: ['big'] }, scope: {}, action: 'block', capabilities: {} });
  return { default: 'allow', rules: r, categories: { big: list }, capabilities: {} };
}

function rate(policy: Policy, urls: string[], ms: number): { perSec: number; compileSeconds: number } {
  const now = new Date('2026-11-27T01:00:00Z');
  const ctx = { role: 'staff', sourceIp: '10.1.2.3', now, resolvedAddresses: ['93.184.216.34'] };
  const c0 = performance.now();
  evaluate(policy, urls[0]!, ctx); // compiles (cached per policy object)
  const compileSeconds = (performance.now() - c0) / 1000;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) evaluate(policy, urls[(n + i) % urls.length]!, ctx);
    n += 1000;
  }
  return { perSec: n / ((performance.now() - t0) / 1000), compileSeconds };
}

export function policyBench(): PolicyResult {
  const urls: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const k = i % 5;
    urls.push(
      k === 0 ? `https://site${i * 13}.cat${(i * 13) % 97}.example/page?q=${i}`
      : k === 1 ? `https://blocked${(i * 4) % 10000}.example.jp/a/b`
      : k === 2 ? `https://x.w${(i * 4 + 2) % 10000}.example.net/`
      : k === 3 ? `https://www.mhlw.go.jp/stf/seisakunitsuite/${i}.html`
      : `https://news${i}.example.co.jp/article/${i}`,
    );
  }
  const big = rate(buildPolicy(10_000, 1_000_000, false), urls, 3000);
  const small = rate(buildPolicy(10_000, 10_000, false), urls, 3000);
  const wild = rate(buildPolicy(10_000, 1_000_000, true), urls, 3000);
  return {
    rules: 10_000,
    categoryDomains: 1_000_000,
    evaluationsPerSec: big.perSec,
    smallListEvaluationsPerSec: small.perSec,
    wildcardMixEvaluationsPerSec: wild.perSec,
    compileSeconds: big.compileSeconds,
  };
}
