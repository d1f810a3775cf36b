/**
 * Policy evaluation throughput (issues 3 and 13): 10,000 mixed rules — a quarter of them
 * wildcard (20 %) or regex (5 %) rules, the rest host, domain, domain+path, path-only,
 * port and CIDR rules — and a category rule over a 1,000,000-domain list. Also: the same
 * rules with a 10,000-domain list (is lookup cost flat in the list size?), and host/domain
 * rules only (the figure issue 3 recorded, for comparison).
 */
import { evaluate, type Policy, type PolicyMatch, type PolicyRule } from '../policies/index.js';

export interface PolicyResult {
  rules: number;
  categoryDomains: number;
  /** 10,000 mixed rules (25 % wildcard/regex) and the 1,000,000-domain list: the judged figure. */
  evaluationsPerSec: number;
  /** The same per second of CPU time the process got (process.cpuUsage): what the engine does when it has a core, whatever the machine's load. */
  evaluationsPerCpuSec: number;
  /** The same rules with a 10,000-domain list, for the flatness check. */
  smallListEvaluationsPerSec: number;
  /** 10,000 host/domain rules (a quarter with a path) and the 1,000,000-domain list. */
  hostDomainEvaluationsPerSec: number;
  /** First evaluation of the mixed policy: compiling rules, the index and the category set. */
  compileSeconds: number;
}

/** The match of rule `i` of the mixed policy; `i % 20` picks the kind. */
function mixedMatch(i: number): PolicyMatch {
  const k = i % 20;
  if (k < 4) return { wildcard: [`*.w${i}.example.net`] };
  if (k === 4) return { regex: [`https://[a-z0-9.-]*rx${i}\\.example\\.org/.*`] };
  if (k < 11) return { domain: [`blocked${i}.example.jp`] };
  if (k < 15) return { host: [`host${i}.example.com`] };
  if (k < 17) return { domain: [`d${i}.example.org`], path: ['/private'] };
  if (k === 17) return { path: [`/intranet${i}/`] };
  if (k === 18) return { port: [10_000 + i] };
  return { cidr: [`198.${18 + (i % 2)}.${(i >> 8) & 255}.${i & 255}/32`] };
}

function hostDomainMatch(i: number): PolicyMatch {
  const k = i % 4;
  return k === 0 ? { domain: [`blocked${i}.example.jp`] } : k === 1 ? { host: [`host${i}.example.com`] } : k === 2 ? { domain: [`w${i}.example.net`] } : { domain: [`d${i}.example.org`], path: ['/private'] };
}

function buildPolicy(rules: number, domains: number, match: (i: number) => PolicyMatch): Policy {
  const list: string[] = new Array<string>(domains);
  for (let i = 0; i < domains; i++) list[i] = `site${i}.cat${i % 97}.example`;
  const r: PolicyRule[] = [];
  for (let i = 0; i < rules - 1; i++) r.push({ id: `r${i}`, enabled: true, match: match(i), scope: {}, action: i % 2 ? 'block' : 'warn', capabilities: {} });
  r.push({ id: 'cat', enabled: true, match: { category: ['big'] }, scope: {}, action: 'block', capabilities: {} });
  return { default: 'allow', rules: r, categories: { big: list }, capabilities: {} };
}

function rate(policy: Policy, urls: string[], ms: number): { perSec: number; perCpuSec: number; compileSeconds: number } {
  const now = new Date('2026-11-27T01:00:00Z');
  const ctx = { role: 'staff', sourceIp: '10.1.2.3', now, resolvedAddresses: ['93.184.216.34'] };
  const c0 = performance.now();
  evaluate(policy, urls[0]!, ctx); // compiles (cached per policy object)
  const compileSeconds = (performance.now() - c0) / 1000;
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 1000; i++) evaluate(policy, urls[(n + i) % urls.length]!, ctx);
    n += 1000;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSec: n / seconds, perCpuSec: n / ((cpu.user + cpu.system) / 1e6), compileSeconds };
}

/** 5,000 URLs: category hits, domain, wildcard, regex, path-only and port hits, and misses. */
function benchUrls(): string[] {
  const urls: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const k = i % 8;
    const r = (i * 20) % 10_000; // a rule number with kind 0
    urls.push(
      k === 0 ? `https://site${i * 13}.cat${(i * 13) % 97}.example/page?q=${i}`
      : k === 1 ? `https://blocked${r + 5}.example.jp/a/b`
      : k === 2 ? `https://x.w${r + 2}.example.net/`
      : k === 3 ? `https://www.rx${r + 4}.example.org/index.html`
      : k === 4 ? `https://www.mhlw.go.jp/stf/seisakunitsuite/${i}.html`
      : k === 5 ? `https://portal.example.co.jp/intranet${r + 17}/home`
      : k === 6 ? `https://app.example.co.jp:${10_000 + r + 18}/`
      : `https://news${i}.example.co.jp/article/${i}`,
    );
  }
  return urls;
}

export function policyBench(): PolicyResult {
  const urls = benchUrls();
  const mixed = rate(buildPolicy(10_000, 1_000_000, mixedMatch), urls, 3000);
  const small = rate(buildPolicy(10_000, 10_000, mixedMatch), urls, 3000);
  const hostDomain = rate(buildPolicy(10_000, 1_000_000, hostDomainMatch), urls, 3000);
  return {
    rules: 10_000,
    categoryDomains: 1_000_000,
    evaluationsPerSec: mixed.perSec,
    evaluationsPerCpuSec: mixed.perCpuSec,
    smallListEvaluationsPerSec: small.perSec,
    hostDomainEvaluationsPerSec: hostDomain.perSec,
    compileSeconds: mixed.compileSeconds,
  };
}
