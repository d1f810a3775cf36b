/**
 * Validation of a policy document into either a {@link Policy} or a list of problems,
 * each naming the key it is about (e.g. `rules[2].match.regex`). Never throws.
 */
import type { z } from 'zod';
import { policySchema, type Policy } from './policy-schema.js';

/** One problem found in a policy document. */
export interface PolicyIssue {
  /** Where the problem is, e.g. `rules[2].match.regex`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
  /** 1-based line and column in the source text, when parsed from YAML. */
  readonly line?: number;
  readonly column?: number;
}

/** Outcome of validating or parsing a policy. */
export type PolicyResult = { readonly ok: true; readonly policy: Policy } | { readonly ok: false; readonly issues: PolicyIssue[] };

/** Formats a key path the way people write it: `rules[2].match.regex`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/**
 * Turns zod issues into {@link PolicyIssue} key paths. `isList(path)` tells whether the
 * input held a list at `path`: a scalar written where a list is accepted is reported
 * without the `[0]` index the schema added.
 */
export function issuesFromZod(error: z.ZodError, isList: (path: Array<string | number>) => boolean): Array<{ path: Array<string | number>; message: string }> {
  return error.issues.map((issue) => {
    let path = [...issue.path];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      path = [...path, issue.keys[0] ?? ''];
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    }
    const last = path[path.length - 1];
    if (last === 0 && !isList(path.slice(0, -1))) path = path.slice(0, -1);
    return { path, message };
  });
}

function valueAt(root: unknown, path: Array<string | number>): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** Validates an already-parsed document (from YAML, JSON or code). */
export function validatePolicy(input: unknown): PolicyResult {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  const issues = issuesFromZod(parsed.error, (p) => Array.isArray(valueAt(input, p))).map((i) => ({ path: formatPath(i.path), message: i.message }));
  return { ok: false, issues };
}
