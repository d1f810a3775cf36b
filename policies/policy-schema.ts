/**
 * The policy document: zod schema and the types it produces.
 *
 * Values that name hosts, paths and address ranges are normalized while validating,
 * with the same code that normalizes URLs, so a rule and a URL always compare alike.
 * Scope keys (`roles`, `sources`, `schedule`) canonically live under `scope:`; they are
 * also accepted at the rule's top level and moved there.
 */
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { parseCidr } from './address-ranges.js';
import { regexSafetyProblem } from './regex-safety.js';
import { normalizeHost, normalizePath, type WebScheme } from './url-normalize.js';

/** What a matching rule does. */
export type RuleAction = 'allow' | 'block' | 'warn' | 'read-only';
/** Days of the week as written in schedules. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Capability flags; a rule sets some, the policy-wide `capabilities` sets defaults. */
export interface Capabilities {
  clipboardToClient: boolean;
  clipboardFromClient: boolean;
  print: boolean;
  upload: boolean;
  download: boolean;
}

/** A weekly time window in Asia/Tokyo. `from` > `to` means the window runs past midnight. */
export interface Schedule {
  days: Weekday[];
  /** "HH:MM", inclusive. */
  from: string;
  /** "HH:MM", exclusive; "24:00" means end of day. */
  to: string;
}

/** Match keys; every key present must hold, and a list holds when any item does. */
export interface PolicyMatch {
  scheme?: WebScheme[];
  host?: string[];
  domain?: string[];
  wildcard?: string[];
  regex?: string[];
  path?: string[];
  port?: number[];
  category?: string[];
  cidr?: string[];
}

/** Who and when a rule applies to; every key present must hold. */
export interface PolicyScope {
  roles?: string[];
  sources?: string[];
  schedule?: Schedule;
}

/** One rule of the ordered list. */
export interface PolicyRule {
  id: string;
  name?: string;
  enabled: boolean;
  match: PolicyMatch;
  scope: PolicyScope;
  action: RuleAction;
  capabilities: Partial<Capabilities>;
}

/** A validated policy document. */
export interface Policy {
  default: 'allow' | 'block';
  rules: PolicyRule[];
  contact?: string;
  categories: Record<string, string[]>;
  capabilities: Partial<Capabilities>;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CATEGORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Accepts one value or a non-empty list of them; always yields a list. */
function oneOrMany<T extends z.ZodTypeAny>(item: T) {
  return z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(item).min(1, 'must not be an empty list'));
}

function normalized(what: string, fn: (s: string) => string | null) {
  return z.string().transform((s, ctx) => {
    const out = fn(s);
    if (out === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${JSON.stringify(s)} is not a valid ${what}` });
      return z.NEVER;
    }
    return out;
  });
}

const hostValue = normalized('host name or IP address', (s) => normalizeHost(s)?.host ?? null);
const cidrValue = normalized('CIDR block (e.g. 10.0.0.0/8)', (s) => parseCidr(s)?.text ?? null);

const wildcardValue = normalized('wildcard host (e.g. *.example.jp)', (s) => {
  const lower = s.trim().toLowerCase().replace(/\.+$/, '');
  if (!lower.includes('*')) return null;
  const ascii = domainToASCII(lower.replace(/\*/g, 'wildcard-star'));
  if (ascii === '' || !/^[a-z0-9._-]+$/.test(ascii)) return null;
  return ascii.replace(/wildcard-star/g, '*');
});

const pathValue = normalized('path prefix starting with "/"', (s) => (s.startsWith('/') ? normalizePath(s) : null));

const regexValue = z.string().min(1).superRefine((s, ctx) => {
  try {
    new RegExp(`^(?:${s})$`);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid regular expression: ${(err as Error).message}` });
  }
});

/**
 * The bilingual refusal of a regex that could backtrack catastrophically (regex-safety.ts),
 * naming the rule; null when it is safe or does not compile (reported on its own).
 */
function unsafeRegexMessage(ruleId: string, source: string): string | null {
  try {
    new RegExp(`^(?:${source})$`);
  } catch {
    return null;
  }
  const problem = regexSafetyProblem(source);
  if (!problem) return null;
  return (
    `rule "${ruleId}": regular expression ${JSON.stringify(source)} refused: ${problem.en}. ` +
    'Write it without nested repeats or alternatives that start alike (e.g. [a-z0-9.-]+ instead of ([a-z0-9]+\\.)+), or use the domain, wildcard and path keys. / ' +
    `規則「${ruleId}」の正規表現は受け付けられません: ${problem.ja}。` +
    '入れ子の繰り返しや同じ文字で始まる選択肢を使わずに書く（例: ([a-z0-9]+\\.)+ ではなく [a-z0-9.-]+）か、domain・wildcard・path を使ってください。'
  );
}

const schemeValue = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['http', 'https', 'ws', 'wss']));
const portValue = z.number().int().min(1).max(65535);

const matchSchema = z
  .object({
    scheme: oneOrMany(schemeValue).optional(),
    host: oneOrMany(hostValue).optional(),
    domain: oneOrMany(hostValue).optional(),
    wildcard: oneOrMany(wildcardValue).optional(),
    regex: oneOrMany(regexValue).optional(),
    path: oneOrMany(pathValue).optional(),
    port: oneOrMany(portValue).optional(),
    category: oneOrMany(z.string().regex(CATEGORY_NAME, 'not a category name')).optional(),
    cidr: oneOrMany(cidrValue).optional(),
  })
  .strict();

const scheduleSchema = z
  .object({
    days: oneOrMany(z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(WEEKDAYS))),
    from: z.string().regex(TIME, 'must be "HH:MM"'),
    to: z.string().regex(TIME, 'must be "HH:MM"'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.from === s.to) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['to'], message: '"from" and "to" must differ' });
    if (s.from === '24:00') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['from'], message: '"from" must be before 24:00' });
  });

const scopeFields = {
  roles: oneOrMany(z.string().min(1)).optional(),
  sources: oneOrMany(cidrValue).optional(),
  schedule: scheduleSchema.optional(),
};
const scopeSchema = z.object(scopeFields).strict();

const capabilitiesSchema = z
  .object({
    clipboardToClient: z.boolean().optional(),
    clipboardFromClient: z.boolean().optional(),
    print: z.boolean().optional(),
    upload: z.boolean().optional(),
    download: z.boolean().optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'must be letters, digits, ".", "_" or "-" (up to 100)'),
    name: z.string().optional(),
    enabled: z.boolean().default(true),
    match: matchSchema.default({}),
    scope: scopeSchema.optional(),
    ...scopeFields,
    action: z.enum(['allow', 'block', 'warn', 'read-only']),
    capabilities: capabilitiesSchema.default({}),
  })
  .strict()
  .transform((r, ctx) => {
    const { roles, sources, schedule, scope, ...rest } = r;
    const merged: PolicyScope = { ...scope };
    for (const [key, value] of Object.entries({ roles, sources, schedule })) {
      if (value === undefined) continue;
      if (scope && key in scope) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message: `"${key}" is given both here and under "scope"` });
      }
      Object.assign(merged, { [key]: value });
    }
    return { ...rest, scope: merged } as PolicyRule;
  });

const categoriesSchema = z.record(z.string().regex(CATEGORY_NAME, 'not a category name'), z.array(hostValue));

/** The zod schema of a policy document (input: parsed YAML or JSON; output: {@link Policy}). */
export const policySchema: z.ZodType<Policy, z.ZodTypeDef, unknown> = z
  .object({
    default: z.enum(['allow', 'block']),
    rules: z.array(ruleSchema).default([]),
    contact: z.string().optional(),
    categories: categoriesSchema.default({}),
    capabilities: capabilitiesSchema.default({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
      (rule.match.regex ?? []).forEach((source, j) => {
        const message = unsafeRegexMessage(rule.id, source);
        if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'match', 'regex', j], message });
      });
      for (const name of rule.match.category ?? []) {
        if (!(name in p.categories)) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', i, 'match', 'category'], message: `unknown category "${name}"` });
        }
      }
    });
  });
