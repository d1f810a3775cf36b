/**
 * Rules compiled for matching: host sets, regexes, CIDR blocks and category sets are
 * built once per policy so that an evaluation is a few set lookups per rule.
 */
import { cidrContains, parseCidr, parseIp, type Cidr, type IpAddress } from './address-ranges.js';
import type { Policy, PolicyMatch, PolicyRule, PolicyScope } from './policy-schema.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import { buildRuleIndex, type RuleIndex } from './rule-index.js';
import { inSchedule } from './schedule.js';
import type { NormalizedUrl } from './url-normalize.js';

/** What a rule is matched against besides the URL. */
export interface MatchInput {
  readonly url: NormalizedUrl;
  /** Addresses the host resolved to, parsed. */
  readonly addresses: readonly IpAddress[];
}

/** Who is asking and when. */
export interface ScopeInput {
  readonly role?: string | null;
  readonly sourceIp?: string | null;
  readonly now: Date;
}

type KeyTest = (input: MatchInput) => boolean;

/** A rule ready for matching. */
export interface CompiledRule {
  readonly rule: PolicyRule;
  /** The match keys present, in schema order (for explanations). */
  readonly keys: ReadonlyArray<keyof PolicyMatch>;
  matches(input: MatchInput): boolean;
  inScope(input: ScopeInput): boolean;
  /** True when the rule has a regex and the URL is too long to run it on (fail closed). */
  regexUndecided(input: MatchInput): boolean;
}

/** Host equals `domain` or is a subdomain of it. */
export function isSameOrSubdomain(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(domain) && host.charAt(host.length - domain.length - 1) === '.');
}

/**
 * True when the host or one of its parent domains is in `set` (cost grows with labels, not
 * list size). IP hosts only match exactly; pass `isIp` when already known to skip parsing.
 */
export function hostInDomainSet(host: string, set: ReadonlySet<string>, isIp: boolean = parseIp(host) !== null): boolean {
  if (set.has(host)) return true;
  if (isIp) return false;
  for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) {
    if (set.has(host.slice(i + 1))) return true;
  }
  return false;
}

/** Compiles a wildcard host pattern: `*` stands for one or more characters, dots included. */
export function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${body}$`);
}

function cidrs(list: readonly string[]): Cidr[] {
  return list.map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null);
}

function compileMatch(match: PolicyMatch, categories: ReadonlyMap<string, ReadonlySet<string>>): Array<[keyof PolicyMatch, KeyTest]> {
  const tests: Array<[keyof PolicyMatch, KeyTest]> = [];
  const add = (key: keyof PolicyMatch, test: KeyTest): void => void tests.push([key, test]);
  if (match.scheme) {
    const set = new Set<string>(match.scheme);
    add('scheme', ({ url }) => set.has(url.scheme));
  }
  if (match.host) {
    const set = new Set(match.host);
    add('host', ({ url }) => set.has(url.host));
  }
  if (match.domain) {
    const set = new Set(match.domain);
    add('domain', ({ url }) => hostInDomainSet(url.host, set, url.hostKind === 'ip'));
  }
  if (match.wildcard) {
    const res = match.wildcard.map(wildcardToRegExp);
    add('wildcard', ({ url }) => res.some((re) => re.test(url.host)));
  }
  if (match.regex) {
    const res = match.regex.map((r) => new RegExp(`^(?:${r})$`));
    // Never run on more than MAX_REGEX_INPUT characters: a longer URL counts as matching
    // here and evaluate() refuses it (regexUndecided), so length cannot bypass a rule.
    add('regex', ({ url }) => url.href.length > MAX_REGEX_INPUT || res.some((re) => re.test(url.href)));
  }
  if (match.path) {
    const prefixes = match.path;
    add('path', ({ url }) => prefixes.some((p) => url.path.startsWith(p)));
  }
  if (match.port) {
    const set = new Set(match.port);
    add('port', ({ url }) => url.port !== null && set.has(url.port));
  }
  if (match.category) {
    const sets = match.category.map((name) => categories.get(name) ?? new Set<string>());
    add('category', ({ url }) => sets.some((set) => hostInDomainSet(url.host, set, url.hostKind === 'ip')));
  }
  if (match.cidr) {
    const blocks = cidrs(match.cidr);
    const hostIp = (url: NormalizedUrl): IpAddress[] => {
      const ip = url.ip ? parseIp(url.ip) : null;
      return ip ? [ip] : [];
    };
    add('cidr', ({ url, addresses }) => [...hostIp(url), ...addresses].some((a) => blocks.some((b) => cidrContains(b, a))));
  }
  return tests;
}

function compileScope(scope: PolicyScope): (input: ScopeInput) => boolean {
  const roles = scope.roles ? new Set(scope.roles) : null;
  const sources = scope.sources ? cidrs(scope.sources) : null;
  const schedule = scope.schedule ?? null;
  return ({ role, sourceIp, now }) => {
    if (roles && !(role && roles.has(role))) return false;
    if (sources) {
      const ip = sourceIp ? parseIp(sourceIp) : null;
      if (!ip || !sources.some((b) => cidrContains(b, ip))) return false;
    }
    if (schedule && !inSchedule(schedule, now)) return false;
    return true;
  };
}

/** Compiles one rule against the policy's category lists. */
export function compileRule(rule: PolicyRule, categories: ReadonlyMap<string, ReadonlySet<string>>): CompiledRule {
  const tests = compileMatch(rule.match, categories);
  const inScope = compileScope(rule.scope);
  return {
    rule,
    keys: tests.map(([key]) => key),
    matches: (input) => tests.every(([, test]) => test(input)),
    inScope,
    regexUndecided: ({ url }) => rule.match.regex !== undefined && url.href.length > MAX_REGEX_INPUT,
  };
}

/** A policy ready for evaluation. */
export interface CompiledPolicy {
  readonly policy: Policy;
  /** Enabled rules in evaluation order. */
  readonly rules: readonly CompiledRule[];
  /** Narrows `rules` to those that can match a URL (positions into `rules`). */
  readonly index: RuleIndex;
}

const cache = new WeakMap<Policy, CompiledPolicy>();

/** Compiles (and caches per policy object) every enabled rule. Policies must not be mutated after use. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const hit = cache.get(policy);
  if (hit) return hit;
  const categories = new Map<string, ReadonlySet<string>>(Object.entries(policy.categories).map(([name, list]) => [name, new Set(list)]));
  const enabled = policy.rules.filter((r) => r.enabled);
  const compiled: CompiledPolicy = { policy, rules: enabled.map((r) => compileRule(r, categories)), index: buildRuleIndex(enabled) };
  cache.set(policy, compiled);
  return compiled;
}
