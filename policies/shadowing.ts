/**
 * Shadowing: which earlier rules make a rule unreachable. An earlier rule shadows a later
 * one when every request the later rule matches (URL and scope) is matched by the earlier
 * rule first. The check is conservative: it reports shadowing only when it can prove it
 * key by key, so a partial overlap is never reported, and some real shadowing (e.g. two
 * regexes that happen to be equivalent) is missed.
 */
import { cidrWithin, parseCidr, parseIp, cidrContains } from './address-ranges.js';
import type { PolicyMatch, PolicyRule, PolicyScope, Schedule } from './policy-schema.js';
import { hostInDomainSet, isSameOrSubdomain, wildcardToRegExp } from './rule-match.js';

/** One earlier rule that shadows the rule being checked. */
export interface Shadowing {
  readonly rule: { readonly id: string; readonly name: string | null };
  /** Position of the shadowing rule in the list. */
  readonly index: number;
  /** True when both rules have the same action (the later rule is redundant rather than overridden). */
  readonly sameAction: boolean;
  /** Why, one line per key of the earlier rule. */
  readonly reasons: readonly string[];
}

/** Options for {@link findShadowingRules}. */
export interface ShadowingOptions {
  /** Where the rule sits or will sit; defaults to the position of a rule with the same id, else the end. */
  readonly position?: number;
  /** The policy's category lists, to prove that a host is inside a category. */
  readonly categories?: Readonly<Record<string, readonly string[]>>;
}

type Proof = string | null;
const list = (xs: readonly (string | number)[]): string => xs.join(', ');
const allIn = <T>(xs: readonly T[], pred: (x: T) => boolean): boolean => xs.length > 0 && xs.every(pred);

/** If `pattern` is `*.<suffix>` (one leading star only), the suffix; else null. */
function leadingStarSuffix(pattern: string): string | null {
  return pattern.startsWith('*.') && !pattern.slice(1).includes('*') ? pattern.slice(2) : null;
}

function proveDomain(a: readonly string[], b: PolicyMatch): Proof {
  const under = (h: string): boolean => a.some((d) => isSameOrSubdomain(h, d));
  if (b.host && allIn(b.host, under)) return `domain ${list(a)} covers host ${list(b.host)}`;
  if (b.domain && allIn(b.domain, under)) return `domain ${list(a)} covers domain ${list(b.domain)}`;
  const wildcardUnder = (w: string): boolean => {
    const tail = w.slice(w.lastIndexOf('*') + 1);
    return tail.startsWith('.') && under(tail.slice(1));
  };
  if (b.wildcard && allIn(b.wildcard, wildcardUnder)) return `domain ${list(a)} covers wildcard ${list(b.wildcard)}`;
  return null;
}

function proveWildcard(a: readonly string[], b: PolicyMatch): Proof {
  const res = a.map(wildcardToRegExp);
  if (b.host && allIn(b.host, (h) => res.some((re) => re.test(h)))) return `wildcard ${list(a)} covers host ${list(b.host)}`;
  const strictlyUnder = (h: string): boolean => a.some((p) => {
    const s = leadingStarSuffix(p);
    return s !== null && h !== s && isSameOrSubdomain(h, s);
  });
  if (b.domain && allIn(b.domain, strictlyUnder)) return `wildcard ${list(a)} covers domain ${list(b.domain)}`;
  const wildcardUnder = (w: string): boolean => {
    if (a.includes(w)) return true;
    const tail = w.slice(w.lastIndexOf('*') + 1);
    return tail.startsWith('.') && a.some((p) => {
      const s = leadingStarSuffix(p);
      return s !== null && isSameOrSubdomain(tail.slice(1), s);
    });
  };
  if (b.wildcard && allIn(b.wildcard, wildcardUnder)) return `wildcard ${list(a)} covers wildcard ${list(b.wildcard)}`;
  return null;
}

function proveCategory(a: readonly string[], b: PolicyMatch, categories: ShadowingOptions['categories']): Proof {
  if (b.category && allIn(b.category, (c) => a.includes(c))) return `category ${list(a)} includes category ${list(b.category)}`;
  const set = new Set(a.flatMap((name) => categories?.[name] ?? []));
  if (b.host && allIn(b.host, (h) => hostInDomainSet(h, set))) return `category ${list(a)} lists host ${list(b.host)}`;
  if (b.domain && allIn(b.domain, (d) => hostInDomainSet(d, set))) return `category ${list(a)} lists domain ${list(b.domain)}`;
  return null;
}

function proveCidr(a: readonly string[], b: PolicyMatch): Proof {
  const blocks = a.map((c) => parseCidr(c)).filter((c) => c !== null);
  const within = (c: string): boolean => {
    const inner = parseCidr(c);
    return inner !== null && blocks.some((outer) => cidrWithin(inner, outer));
  };
  if (b.cidr && allIn(b.cidr, within)) return `cidr ${list(a)} contains cidr ${list(b.cidr)}`;
  const ipIn = (h: string): boolean => parseIp(h) !== null && blocks.some((blk) => cidrContains(blk, h));
  if (b.host && allIn(b.host, ipIn)) return `cidr ${list(a)} contains host ${list(b.host)}`;
  return null;
}

function proveMatchKey(key: keyof PolicyMatch, a: PolicyMatch, b: PolicyMatch, opts: ShadowingOptions): Proof {
  switch (key) {
    case 'scheme':
      return b.scheme && allIn(b.scheme, (s) => a.scheme!.includes(s)) ? `scheme ${list(a.scheme!)} includes ${list(b.scheme)}` : null;
    case 'host':
      return b.host && allIn(b.host, (h) => a.host!.includes(h)) ? `host ${list(a.host!)} includes ${list(b.host)}` : null;
    case 'domain':
      return proveDomain(a.domain!, b);
    case 'wildcard':
      return proveWildcard(a.wildcard!, b);
    case 'regex':
      return b.regex && allIn(b.regex, (r) => a.regex!.includes(r)) ? `regex ${list(a.regex!)} is the same as ${list(b.regex)}` : null;
    case 'path':
      return b.path && allIn(b.path, (p) => a.path!.some((q) => p.startsWith(q))) ? `path prefix ${list(a.path!)} covers ${list(b.path)}` : null;
    case 'port':
      return b.port && allIn(b.port, (p) => a.port!.includes(p)) ? `port ${list(a.port!)} includes ${list(b.port)}` : null;
    case 'category':
      return proveCategory(a.category!, b, opts.categories);
    case 'cidr':
      return proveCidr(a.cidr!, b);
  }
}

function scheduleCovers(a: Schedule, b: Schedule): boolean {
  if (a.from === b.from && a.to === b.to) return allIn(b.days, (d) => a.days.includes(d));
  const sameDay = a.from < a.to && b.from < b.to;
  return sameDay && allIn(b.days, (d) => a.days.includes(d)) && a.from <= b.from && b.to <= a.to;
}

function proveScope(a: PolicyScope, b: PolicyScope): Proof[] {
  const proofs: Proof[] = [];
  if (a.roles) proofs.push(b.roles && allIn(b.roles, (r) => a.roles!.includes(r)) ? `roles ${list(a.roles)} include ${list(b.roles)}` : null);
  if (a.sources) {
    const outer = a.sources.map((c) => parseCidr(c)).filter((c) => c !== null);
    const ok = b.sources && allIn(b.sources, (s) => {
      const inner = parseCidr(s);
      return inner !== null && outer.some((o) => cidrWithin(inner, o));
    });
    proofs.push(ok ? `sources ${list(a.sources)} contain ${list(b.sources!)}` : null);
  }
  if (a.schedule) proofs.push(b.schedule && scheduleCovers(a.schedule, b.schedule) ? 'its schedule covers this schedule' : null);
  return proofs;
}

/** Proves that `earlier` matches everything `later` matches; returns the reasons or null. */
export function explainShadowing(earlier: PolicyRule, later: PolicyRule, opts: ShadowingOptions = {}): string[] | null {
  const keys = Object.keys(earlier.match).filter((k) => earlier.match[k as keyof PolicyMatch] !== undefined) as Array<keyof PolicyMatch>;
  const proofs = [...keys.map((k) => proveMatchKey(k, earlier.match, later.match, opts)), ...proveScope(earlier.scope, later.scope)];
  if (proofs.some((p) => p === null)) return null;
  if (keys.length === 0) proofs.unshift('it has no match keys, so it matches every URL');
  if (!earlier.scope.roles && !earlier.scope.sources && !earlier.scope.schedule) proofs.push('it applies to every user at all times');
  return proofs as string[];
}

/** Lists the enabled rules before `candidate` that shadow it, in order, with reasons. */
export function findShadowingRules(rules: readonly PolicyRule[], candidate: PolicyRule, opts: ShadowingOptions = {}): Shadowing[] {
  const own = rules.findIndex((r) => r.id === candidate.id);
  const position = opts.position ?? (own === -1 ? rules.length : own);
  const found: Shadowing[] = [];
  rules.slice(0, position).forEach((earlier, index) => {
    if (!earlier.enabled || earlier.id === candidate.id) return;
    const reasons = explainShadowing(earlier, candidate, opts);
    if (reasons) found.push({ rule: { id: earlier.id, name: earlier.name ?? null }, index, sameAction: earlier.action === candidate.action, reasons });
  });
  return found;
}
