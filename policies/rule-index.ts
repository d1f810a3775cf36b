/**
 * A pre-filter over the ordered rules so that evaluation cost stays flat as the list grows.
 * Every key present in a rule must hold for it to match, so a rule can be filed under any
 * one of its keys: the most selective one it has, in this order —
 *
 * - `host`: the exact host;
 * - `domain`: the domain, found by walking the URL host's parent domains;
 * - `wildcard`: the label-aligned part of the pattern after its last `*` (`*.cdn.example.jp`
 *   and `img-*.cdn.example.jp` → `cdn.example.jp`, a strict parent of any matching host),
 *   else the first label before its first `*` (`www.example.*` → `www`);
 * - `regex`: a three-character piece of the pattern's longest required literal
 *   (regex-literals.ts), the piece rarest among the policy's regexes; every three-character
 *   piece of the URL is looked up;
 * - `cidr`: the block, in a table per prefix length (cidr-index.ts);
 * - `path`: the first (up to) 16 characters of the prefix;
 * - `port`: the port.
 *
 * Rules with none of these (scheme-only, category-only, empty match) are tried for every URL.
 * The index only narrows: every candidate is still fully matched, in list order, so the
 * first-match semantics are those of a linear scan (checked by a differential unit test).
 */
import { parseCidr, parseIp, type IpAddress } from './address-ranges.js';
import { CidrIndex } from './cidr-index.js';
import type { PolicyRule } from './policy-schema.js';
import { requiredLiterals } from './regex-literals.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import type { NormalizedUrl } from './url-normalize.js';

/** Rule positions grouped by the values that can make them match. */
export interface RuleIndex {
  /** Positions of the rules that can match `url` (with `addresses` resolved for it), ascending. */
  candidates(url: NormalizedUrl, addresses: readonly IpAddress[]): readonly number[];
}

const GRAM = 3;
const PATH_KEY = 16;

type Lists = Map<string, number[]>;

/** The three-character piece of `text` at `at`. */
function gramKey(text: string, at: number): string {
  return text.slice(at, at + GRAM);
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/** Where a wildcard pattern is filed: a strict parent domain of every host it matches, or the host's first label. */
export function wildcardKey(pattern: string): { parent: string } | { firstLabel: string } | null {
  const star = pattern.lastIndexOf('*');
  const suffix = pattern.slice(star + 1);
  const dot = suffix.indexOf('.');
  if (dot !== -1 && dot < suffix.length - 1) return { parent: suffix.slice(dot + 1) };
  const prefix = pattern.slice(0, pattern.indexOf('*'));
  const firstDot = prefix.indexOf('.');
  return firstDot > 0 ? { firstLabel: prefix.slice(0, firstDot) } : null;
}

/** The three-character pieces of the literals each regex needs, or null when one regex has none. */
function regexGrams(patterns: readonly string[]): string[][] | null {
  const out: string[][] = [];
  for (const source of patterns) {
    const literal = requiredLiterals(source)[0];
    if (literal === undefined || literal.length < GRAM) return null;
    const grams: string[] = [];
    for (let i = 0; i + GRAM <= literal.length; i++) grams.push(literal.slice(i, i + GRAM));
    out.push(grams);
  }
  return out;
}

/** Mutable tables while building. */
class Tables {
  readonly byHost: Lists = new Map();
  readonly byDomain: Lists = new Map();
  readonly byWildcardParent: Lists = new Map();
  readonly byWildcardLabel: Lists = new Map();
  readonly byGram: Lists = new Map();
  readonly regexRules: number[] = [];
  readonly cidrs = new CidrIndex();
  readonly byPath: Lists = new Map();
  readonly pathLengths = new Set<number>();
  readonly byPort = new Map<number, number[]>();
  readonly unindexed: number[] = [];
}

function fileWildcard(t: Tables, patterns: readonly string[], i: number): boolean {
  const keys = patterns.map(wildcardKey);
  if (keys.some((k) => k === null)) return false;
  for (const k of keys) {
    if (k && 'parent' in k) push(t.byWildcardParent, k.parent, i);
    else if (k) push(t.byWildcardLabel, k.firstLabel, i);
  }
  return true;
}

function fileRegex(t: Tables, grams: string[][] | null, frequency: ReadonlyMap<string, number>, i: number): boolean {
  if (!grams) return false;
  for (const pieces of grams) {
    const rarest = pieces.reduce((best, g) => ((frequency.get(g) ?? 0) < (frequency.get(best) ?? 0) ? g : best));
    push(t.byGram, gramKey(rarest, 0), i);
  }
  t.regexRules.push(i);
  return true;
}

function fileCidr(t: Tables, blocks: readonly string[], i: number): boolean {
  const parsed = blocks.map((b) => parseCidr(b));
  // An unparsable block never matches; a rule whose every block is unparsable never matches either.
  for (const block of parsed) if (block) t.cidrs.add(block, i);
  return true;
}

function filePath(t: Tables, prefixes: readonly string[], i: number): boolean {
  for (const p of prefixes) {
    const key = p.slice(0, PATH_KEY);
    push(t.byPath, key, i);
    t.pathLengths.add(key.length);
  }
  return true;
}

/** Builds the index for rules in evaluation order. */
export function buildRuleIndex(rules: readonly PolicyRule[]): RuleIndex {
  const t = new Tables();
  const grams = rules.map((r) => (r.match.regex ? regexGrams(r.match.regex) : null));
  const frequency = new Map<string, number>();
  for (const list of grams) for (const pieces of list ?? []) for (const g of new Set(pieces)) frequency.set(g, (frequency.get(g) ?? 0) + 1);

  rules.forEach((rule, i) => {
    const m = rule.match;
    if (m.host) for (const h of m.host) push(t.byHost, h, i);
    else if (m.domain) for (const d of m.domain) push(t.byDomain, d, i);
    else if (m.wildcard && fileWildcard(t, m.wildcard, i)) return;
    else if (m.regex && fileRegex(t, grams[i] ?? null, frequency, i)) return;
    else if (m.cidr && fileCidr(t, m.cidr, i)) return;
    else if (m.path && filePath(t, m.path, i)) return;
    else if (m.port) for (const p of m.port) push(t.byPort, p, i);
    else t.unindexed.push(i);
  });
  return { candidates: (url, addresses) => candidates(t, url, addresses) };
}

function parents(host: string, map: Lists, found: Array<readonly number[]>): void {
  for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) {
    const list = map.get(host.slice(i + 1));
    if (list) found.push(list);
  }
}

function candidates(t: Tables, url: NormalizedUrl, addresses: readonly IpAddress[]): readonly number[] {
  const found: Array<readonly number[]> = [];
  if (t.unindexed.length > 0) found.push(t.unindexed);
  const { host, href, path } = url;
  let list = t.byHost.get(host);
  if (list) found.push(list);
  if (t.byDomain.size > 0) {
    list = t.byDomain.get(host);
    if (list) found.push(list);
    if (url.hostKind === 'domain') parents(host, t.byDomain, found);
  }
  if (t.byWildcardParent.size > 0) parents(host, t.byWildcardParent, found);
  if (t.byWildcardLabel.size > 0) {
    const dot = host.indexOf('.');
    list = dot > 0 ? t.byWildcardLabel.get(host.slice(0, dot)) : undefined;
    if (list) found.push(list);
  }
  if (t.regexRules.length > 0) {
    // A URL too long for the regexes counts as matching them (evaluate() then refuses it).
    if (href.length > MAX_REGEX_INPUT) found.push(t.regexRules);
    else {
      for (let i = 0; i + GRAM <= href.length; i++) {
        list = t.byGram.get(gramKey(href, i));
        if (list) found.push(list);
      }
    }
  }
  if (!t.cidrs.empty) {
    const ip = url.ip === null ? null : parseIp(url.ip);
    t.cidrs.lookup(ip ? [ip, ...addresses] : addresses, found);
  }
  for (const length of t.pathLengths) {
    list = path.length >= length ? t.byPath.get(path.slice(0, length)) : undefined;
    if (list) found.push(list);
  }
  list = url.port === null ? undefined : t.byPort.get(url.port);
  if (list) found.push(list);
  return merge(found);
}

/** The union of ascending lists, ascending and without repeats. */
function merge(found: Array<readonly number[]>): readonly number[] {
  if (found.length === 0) return [];
  if (found.length === 1) return found[0]!;
  const all: number[] = [];
  for (const list of found) for (const v of list) all.push(v);
  all.sort((a, b) => a - b);
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[r - 1]) all[w++] = all[r]!;
  all.length = w;
  return all;
}
