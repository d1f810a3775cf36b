/**
 * A pre-filter over the ordered rules so that evaluation cost stays flat as the list grows:
 * rules with a `host` or `domain` key are indexed by those values, and only the rules
 * indexed under the URL's host (or one of its parent domains) plus the unindexed rules are
 * tried, still in list order. The index only narrows; every candidate is fully matched.
 */
import type { PolicyRule } from './policy-schema.js';
import type { NormalizedUrl } from './url-normalize.js';

/** Rule positions grouped by the host values that can make them match. */
export interface RuleIndex {
  /** Positions of the rules that can match `url`, ascending. */
  candidates(url: NormalizedUrl): number[];
}

function push(map: Map<string, number[]>, key: string, i: number): void {
  const list = map.get(key);
  if (list) list.push(i);
  else map.set(key, [i]);
}

/** Builds the index for rules in evaluation order. */
export function buildRuleIndex(rules: readonly PolicyRule[]): RuleIndex {
  const byHost = new Map<string, number[]>();
  const byDomain = new Map<string, number[]>();
  const unindexed: number[] = [];
  rules.forEach((rule, i) => {
    if (rule.match.host) for (const h of rule.match.host) push(byHost, h, i);
    else if (rule.match.domain) for (const d of rule.match.domain) push(byDomain, d, i);
    else unindexed.push(i);
  });
  return {
    candidates(url) {
      const found: number[] = [...unindexed];
      const add = (list: number[] | undefined): void => void (list && found.push(...list));
      add(byHost.get(url.host));
      add(byDomain.get(url.host));
      if (url.hostKind === 'domain') {
        for (let i = url.host.indexOf('.'); i !== -1; i = url.host.indexOf('.', i + 1)) add(byDomain.get(url.host.slice(i + 1)));
      }
      if (found.length === unindexed.length) return found;
      found.sort((a, b) => a - b);
      return found.filter((v, i) => i === 0 || found[i - 1] !== v);
    },
  };
}
