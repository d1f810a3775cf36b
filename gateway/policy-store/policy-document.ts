/**
 * Parsing a policy document whose `category` keys may name lists imported into the store
 * (`kekkai policy categories import`) rather than written under `categories:`. The pure
 * schema only knows the document's own categories, so a reference to an imported list is
 * accepted here when the store has that list.
 */
import { parse } from 'yaml';
import { parsePolicyYaml, validatePolicy, type Policy, type PolicyIssue, type PolicyResult } from '../../policies/index.js';

const UNKNOWN_CATEGORY = /^unknown category "(.+)"$/;

/**
 * Parses and validates YAML. `storeCategories` are the names of lists held in the store;
 * references to them are valid. The returned policy's `categories` holds only the lists
 * written in the document itself.
 */
export function parsePolicyDocument(text: string, storeCategories: ReadonlySet<string>): PolicyResult {
  const first = parsePolicyYaml(text);
  if (first.ok) return first;
  const remaining = first.issues.filter((issue) => {
    const m = UNKNOWN_CATEGORY.exec(issue.message);
    return !(m && storeCategories.has(m[1] ?? ''));
  });
  if (remaining.length > 0) return { ok: false, issues: remaining };
  // Every problem was a reference to a stored list: validate again with placeholders.
  const raw = parse(text, { maxAliasCount: 100 }) as Record<string, unknown>;
  const own = (raw.categories ?? {}) as Record<string, unknown>;
  const placeholders = [...storeCategories].filter((name) => !(name in own));
  const second = validatePolicy({ ...raw, categories: { ...Object.fromEntries(placeholders.map((n) => [n, []])), ...own } });
  if (!second.ok) return second;
  const categories = { ...second.policy.categories };
  for (const name of placeholders) delete categories[name];
  return { ok: true, policy: { ...second.policy, categories } };
}

/** Category names the enabled rules refer to. */
export function referencedCategories(policy: Policy): string[] {
  const names = new Set<string>();
  for (const rule of policy.rules) if (rule.enabled) for (const name of rule.match.category ?? []) names.add(name);
  return [...names];
}

/** The issue list for "no such version". */
export function noSuchVersion(version: number): PolicyIssue[] {
  return [{ path: '', message: `policy version ${version} does not exist` }];
}
