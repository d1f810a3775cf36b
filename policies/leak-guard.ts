/**
 * Leak guard (DLP): finds patient data in text that is about to leave through the
 * remote browser — pasted, typed into a form field, or in an uploaded file — so that
 * the gateway can block it, ask for a reason, or log it (issue 16).
 *
 * A policy is a list of rules; each rule has a detector and an action per channel.
 * Built-in detectors know the structure of Japanese identifiers:
 * - `my-number`: 12 digits whose last digit is the My Number check digit
 *   (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条);
 * - `insurer-number`: a health-insurance insurer number (保険者番号, 8 digits with its
 *   check digit, or 6 for national health insurance) after the words 保険者番号;
 * - `phone`: a Japanese telephone number (0AB-CDEF-GHJK and mobile forms, +81);
 * - `regex`: the admin's own pattern, e.g. the hospital's patient-ID format.
 *
 * Text is NFKC-normalised first (full-width digits and hyphens count), and admin
 * regexes pass the same shape check as URL rules (regex-safety.ts) and only ever run
 * on windows of at most {@link MAX_REGEX_INPUT} characters. A match is reported
 * masked: its value never leaves this module in clear.
 */
import { z } from 'zod';
import { MAX_REGEX_INPUT, regexSafetyProblem } from './regex-safety.js';

export const LEAK_CHANNELS = ['paste', 'typing', 'upload'] as const;
export type LeakChannel = (typeof LEAK_CHANNELS)[number];
export const LEAK_ACTIONS = ['block', 'warn', 'log'] as const;
export type LeakAction = (typeof LEAK_ACTIONS)[number];
export const LEAK_DETECTORS = ['my-number', 'insurer-number', 'phone', 'regex'] as const;
export type LeakDetector = (typeof LEAK_DETECTORS)[number];

/** Most rules a policy holds. */
export const MAX_LEAK_RULES = 50;
/** Most characters of text one check reads (a larger paste or file is read up to here). */
export const MAX_SCANNED_CHARS = 5_000_000;

const RULE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const LeakRuleSchema = z
  .object({
    id: z.string().regex(RULE_ID, 'rule-id'),
    /** What the user and the security console see, e.g. 「患者 ID」. */
    name: z.string().trim().min(1).max(100),
    detector: z.enum(LEAK_DETECTORS),
    /** For `regex`: a JavaScript regular expression (no flags; matched case-sensitively). */
    pattern: z.string().max(1000).optional(),
    action: z.enum(LEAK_ACTIONS),
    channels: z.array(z.enum(LEAK_CHANNELS)).min(1).max(3),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.detector !== 'regex') {
      if (rule.pattern !== undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'pattern-only-for-regex' });
      return;
    }
    if (!rule.pattern) return ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'pattern-required' });
    const problem = regexSafetyProblem(rule.pattern);
    if (problem) return ctx.addIssue({ code: 'custom', path: ['pattern'], message: `pattern-unsafe: ${problem.en} / ${problem.ja}` });
    try {
      if (new RegExp(rule.pattern, 'u').test('')) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'pattern-matches-empty' });
    } catch {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'pattern-invalid' });
    }
  });

export const LeakGuardPolicySchema = z
  .object({
    rules: z.array(LeakRuleSchema).max(MAX_LEAK_RULES),
  })
  .strict()
  .superRefine((policy, ctx) => {
    const seen = new Set<string>();
    policy.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: 'rule-id-duplicate' });
      seen.add(rule.id);
    });
  });
export type LeakGuardPolicy = z.infer<typeof LeakGuardPolicySchema>;
export type LeakRule = LeakGuardPolicy['rules'][number];

/**
 * What a fresh install guards: My Number in pastes, typing and uploads is blocked
 * (番号法 limits who may handle it; a browser on the internet is never one of them).
 * Phone numbers and insurer numbers are logged only; a patient-ID format is the
 * hospital's own and added by the admin.
 */
export const DEFAULT_LEAK_GUARD_POLICY: LeakGuardPolicy = Object.freeze({
  rules: [
    { id: 'my-number', name: 'マイナンバー（個人番号）', detector: 'my-number', action: 'block', channels: ['paste', 'typing', 'upload'], enabled: true },
    { id: 'insurer-number', name: '保険者番号', detector: 'insurer-number', action: 'log', channels: ['paste', 'typing', 'upload'], enabled: true },
  ],
}) as LeakGuardPolicy;

/** One finding, safe to log: the value is masked. */
export interface LeakMatch {
  ruleId: string;
  ruleName: string;
  action: LeakAction;
  /** The matched text with all but its last two characters replaced by `*`. */
  masked: string;
  /** Where the match is in the normalised text (normaliseForScan), end exclusive. */
  start: number;
  end: number;
}

/** The strictest action among the findings (block > warn > log), or null for none. */
export function strictestAction(matches: readonly LeakMatch[]): LeakAction | null {
  for (const action of LEAK_ACTIONS) if (matches.some((m) => m.action === action)) return action;
  return null;
}

/** Masks a matched value: every character but the last two becomes `*`. */
export function maskValue(value: string): string {
  const chars = [...value.replace(/\s+/g, ' ')];
  if (chars.length <= 2) return '*'.repeat(chars.length);
  return '*'.repeat(chars.length - 2) + chars.slice(-2).join('');
}

/** Whether 12 digits are a My Number: the last is the check digit of the first 11. */
export function isMyNumber(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = Number(digits[11 - n]);
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const rest = sum % 11;
  const check = rest <= 1 ? 0 : 11 - rest;
  return check === Number(digits[11]);
}

/** Whether 8 digits are an insurer number (保険者番号): the last is the check digit of the first 7. */
export function isInsurerNumber(digits: string): boolean {
  if (!/^\d{8}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    // From the right of the first seven digits, weights 2, 1, 2, 1, …; digits of each product are summed.
    const product = Number(digits[6 - i]) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(product / 10) + (product % 10);
  }
  return (10 - (sum % 10)) % 10 === Number(digits[7]);
}

const MY_NUMBER_CANDIDATE = /(?<![\d])(\d{4})[ -]?(\d{4})[ -]?(\d{4})(?![\d])/g;
const INSURER_CANDIDATE = /保険者番号[\s:：]*(\d{8}|\d{6})(?!\d)/g;
const PHONE_CANDIDATE = /(?<![\d+-])(?:\+81[ -]?|0)(?:\d{1,4}[ -]?\d{1,4}[ -]?\d{4}|[789]0[ -]?\d{4}[ -]?\d{4})(?![\d-])/g;

/** Text as the detectors read it: NFKC (full-width digits), every dash a hyphen. */
export function normaliseForScan(text: string): string {
  return text
    .slice(0, MAX_SCANNED_CHARS)
    .normalize('NFKC')
    .replace(/[\u2010-\u2015\u2212\u30fc\uff70]/g, '-');
}

interface Found {
  value: string;
  start: number;
}

function* findBuiltIn(detector: Exclude<LeakDetector, 'regex'>, text: string): Generator<Found> {
  if (detector === 'my-number') {
    for (const m of text.matchAll(MY_NUMBER_CANDIDATE)) if (isMyNumber(m[1]! + m[2]! + m[3]!)) yield { value: m[0], start: m.index };
  } else if (detector === 'insurer-number') {
    for (const m of text.matchAll(INSURER_CANDIDATE)) {
      const digits = m[1]!;
      if (digits.length === 6 || isInsurerNumber(digits)) yield { value: digits, start: m.index + m[0].length - digits.length };
    }
  } else {
    for (const m of text.matchAll(PHONE_CANDIDATE)) {
      const digits = m[0].replace(/\D/g, '');
      // 10 or 11 digits nationally (12 with +81 and a dropped 0).
      if (digits.length >= 10 && digits.length <= 12) yield { value: m[0], start: m.index };
    }
  }
}

/** Runs an admin regex over windows of at most MAX_REGEX_INPUT characters (overlapping by half). */
function* findRegex(source: string, text: string): Generator<Found> {
  const re = new RegExp(source, 'gu');
  const step = MAX_REGEX_INPUT / 2;
  let reportedUpTo = 0;
  for (let start = 0; start < text.length; start += step) {
    const window = text.slice(start, start + MAX_REGEX_INPUT);
    re.lastIndex = 0;
    for (const m of window.matchAll(re)) {
      const at = start + (m.index ?? 0);
      if (m[0].length === 0 || at < reportedUpTo) continue;
      reportedUpTo = at + m[0].length;
      yield { value: m[0], start: at };
    }
    if (start + MAX_REGEX_INPUT >= text.length) break;
  }
}

/** Most findings one check reports (one is enough to act; a few help the reviewer). */
const MAX_MATCHES = 20;

/**
 * The findings of the enabled rules for `channel` in `text`, masked, at most
 * {@link MAX_MATCHES}. The policy must have been validated ({@link LeakGuardPolicySchema}).
 */
export function scanForLeaks(policy: LeakGuardPolicy, channel: LeakChannel, text: string): LeakMatch[] {
  const rules = policy.rules.filter((rule) => rule.enabled && rule.channels.includes(channel));
  if (rules.length === 0 || text.length === 0) return [];
  const normal = normaliseForScan(text);
  const found: LeakMatch[] = [];
  for (const rule of rules) {
    const values = rule.detector === 'regex' ? findRegex(rule.pattern ?? '', normal) : findBuiltIn(rule.detector, normal);
    for (const { value, start } of values) {
      found.push({ ruleId: rule.id, ruleName: rule.name, action: rule.action, masked: maskValue(value), start, end: start + value.length });
      if (found.length >= MAX_MATCHES) return found;
    }
  }
  return found;
}

/** Parses a stored or submitted policy; throws a ZodError naming the bad field. */
export function parseLeakGuardPolicy(input: unknown): LeakGuardPolicy {
  return LeakGuardPolicySchema.parse(input);
}
