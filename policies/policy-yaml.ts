/**
 * Policy import and export as YAML. Parsing never throws: a broken file yields issues
 * that name the line and the key.
 */
import { isSeq, LineCounter, parseDocument, stringify, type Document } from 'yaml';
import { policySchema, type Policy, type PolicyRule } from './policy-schema.js';
import { formatPath, issuesFromZod, type PolicyIssue, type PolicyResult } from './policy-validate.js';

const MAX_YAML_BYTES = 64 * 1024 * 1024;

function position(doc: Document, counter: LineCounter, path: Array<string | number>): { line?: number; column?: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return {};
}

/** Parses YAML text into a validated {@link Policy}, or issues naming line and key. */
export function parsePolicyYaml(text: string): PolicyResult {
  if (text.length > MAX_YAML_BYTES) return { ok: false, issues: [{ path: '', message: 'the policy file is too large' }] };
  const counter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `not valid YAML: ${(err as Error).message}` }] };
  }
  if (doc.errors.length > 0) {
    const issues: PolicyIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return { path: '', message: `not valid YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`, ...(pos ? { line: pos.line, column: pos.col } : {}) };
    });
    return { ok: false, issues };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `not valid YAML: ${(err as Error).message}` }] };
  }
  if (data === null || data === undefined) return { ok: false, issues: [{ path: '', message: 'the policy file is empty' }] };
  const parsed = policySchema.safeParse(data);
  if (parsed.success) return { ok: true, policy: parsed.data };
  const issues = issuesFromZod(parsed.error, (p) => isSeq(doc.getIn(p, true))).map((i) => ({
    path: formatPath(i.path),
    message: i.message,
    ...position(doc, counter, i.path),
  }));
  return { ok: false, issues };
}

/** Renders issues one per line: `line 4, rules[0].match.regex: invalid regular expression …`. */
export function formatIssues(issues: readonly PolicyIssue[]): string {
  return issues
    .map((i) => {
      const where = [i.line !== undefined ? `line ${i.line}` : '', i.path].filter(Boolean).join(', ');
      return where ? `${where}: ${i.message}` : i.message;
    })
    .join('\n');
}

const compact = <T>(list: T[] | undefined): T | T[] | undefined => (list === undefined ? undefined : list.length === 1 ? list[0] : list);

function compactObject(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? compact(v) : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function ruleToPlain(rule: PolicyRule): Record<string, unknown> {
  const out: Record<string, unknown> = { id: rule.id };
  if (rule.name !== undefined) out.name = rule.name;
  if (!rule.enabled) out.enabled = false;
  const match = compactObject({ ...rule.match });
  if (match) out.match = match;
  const scope = compactObject({ roles: rule.scope.roles, sources: rule.scope.sources, schedule: rule.scope.schedule });
  if (scope) out.scope = scope;
  out.action = rule.action;
  const caps = compactObject({ ...rule.capabilities });
  if (caps) out.capabilities = caps;
  return out;
}

/** Exports a policy as YAML in canonical form (scope keys under `scope:`, single values unwrapped). */
export function policyToYaml(policy: Policy): string {
  const doc: Record<string, unknown> = { default: policy.default };
  if (policy.contact !== undefined) doc.contact = policy.contact;
  const caps = compactObject({ ...policy.capabilities });
  if (caps) doc.capabilities = caps;
  if (Object.keys(policy.categories).length > 0) doc.categories = policy.categories;
  doc.rules = policy.rules.map(ruleToPlain);
  return stringify(doc, { lineWidth: 0 });
}
