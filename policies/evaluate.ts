/**
 * Policy evaluation: fixed system rules, then the ordered rules (first match wins),
 * then the default action. Every verdict says which rule decided and why.
 */
import { cidrContains, classifyAddress, formatIp, canonicalize, isDeniedByDefault, parseCidr, parseIp, type Cidr, type IpAddress } from './address-ranges.js';
import type { Capabilities, Policy, RuleAction } from './policy-schema.js';
import { MAX_REGEX_INPUT } from './regex-safety.js';
import { compilePolicy } from './rule-match.js';
import { normalizeUrl } from './url-normalize.js';

/** Who asks, from where, when, and (when known) what the host resolved to. */
export interface EvaluationContext {
  /** The user's role; rules scoped to roles never match when absent. */
  readonly role?: string | null;
  /** The user's source address; rules scoped to sources never match when absent. */
  readonly sourceIp?: string | null;
  readonly now: Date;
  /** Addresses the host resolved to (the egress proxy knows them; the CLI does not). */
  readonly resolvedAddresses?: readonly string[];
  /** CIDR blocks an admin allow-listed (`egress.allowPrivate`); lifts the address system rule for them. */
  readonly allowPrivate?: readonly string[];
}

/** Identifies the rule behind a verdict; system rules have ids starting with `system:`. */
export interface RuleRef {
  readonly id: string;
  readonly name: string | null;
}

/** The outcome of {@link evaluate}. */
export interface Verdict {
  readonly verdict: RuleAction;
  /** The deciding rule; null when the default action decided. */
  readonly rule: RuleRef | null;
  /** Where the decision came from. */
  readonly source: 'system' | 'rule' | 'default';
  /** The normalized URL that was judged; null when the URL could not be normalized. */
  readonly normalizedUrl: string | null;
  /** One sentence, in English, for logs and the block page's details. */
  readonly reason: string;
  readonly capabilities: Capabilities;
}

/** Capabilities when neither the policy nor the rule sets them. */
export const DEFAULT_CAPABILITIES: Readonly<Capabilities> = { clipboardToClient: true, clipboardFromClient: true, print: true, upload: true, download: true };

const NO_CAPABILITIES: Capabilities = { clipboardToClient: false, clipboardFromClient: false, print: false, upload: false, download: false };

/** System rule ids, fixed and evaluated before any admin rule. */
export const SYSTEM_RULES = {
  scheme: { id: 'system:scheme', name: 'Only web addresses may be opened' },
  address: { id: 'system:address', name: 'Internal and reserved addresses are not reachable' },
  aboutBlank: { id: 'system:about-blank', name: 'about:blank is always allowed' },
  regexInput: { id: 'system:regex-input', name: 'URLs too long for a regex rule are refused' },
} as const satisfies Record<string, RuleRef>;

function capabilitiesFor(action: RuleAction, policyCaps: Partial<Capabilities>, ruleCaps: Partial<Capabilities>): Capabilities {
  if (action === 'block') return { ...NO_CAPABILITIES };
  const caps: Capabilities = { ...DEFAULT_CAPABILITIES, ...policyCaps, ...ruleCaps };
  // read-only means no typing, no paste and no uploads, whatever the flags say.
  if (action === 'read-only') return { ...caps, clipboardFromClient: false, upload: false };
  return caps;
}

function deniedAddress(addresses: readonly IpAddress[], allow: readonly Cidr[]): IpAddress | null {
  for (const a of addresses) {
    if (isDeniedByDefault(a) && !allow.some((b) => cidrContains(b, a))) return a;
  }
  return null;
}

/** Parsed resolved addresses: the proxy asks about the same few addresses again and again. */
const parsedAddresses = new Map<string, IpAddress>();
const PARSED_CACHE_SIZE = 4096;

function parseCached(text: string): IpAddress | null {
  const hit = parsedAddresses.get(text);
  if (hit) return hit;
  const a = parseIp(text);
  if (!a) return null;
  if (parsedAddresses.size >= PARSED_CACHE_SIZE) parsedAddresses.clear();
  parsedAddresses.set(text, a);
  return a;
}

function parseAll(list: readonly string[] | undefined): { addresses: IpAddress[]; invalid: string | null } {
  const addresses: IpAddress[] = [];
  for (const text of list ?? []) {
    const a = parseCached(text);
    if (!a) return { addresses, invalid: text };
    addresses.push(a);
  }
  return { addresses, invalid: null };
}

/**
 * Evaluates a URL against a policy. Order: system rules (non-web schemes refused;
 * IP-literal hosts and resolved addresses in denied ranges refused unless allow-listed),
 * then the enabled rules in order whose scope holds (first match wins), then the default.
 */
export function evaluate(policy: Policy, url: string, ctx: EvaluationContext): Verdict {
  const system = (ref: RuleRef, verdict: RuleAction, normalizedUrl: string | null, reason: string): Verdict => ({
    verdict,
    rule: ref,
    source: 'system',
    normalizedUrl,
    reason,
    capabilities: capabilitiesFor(verdict, policy.capabilities, {}),
  });
  const normalized = normalizeUrl(url);
  if (!normalized.ok) return system(SYSTEM_RULES.scheme, 'block', null, normalized.message);
  const u = normalized.url;
  if (u.scheme === 'about') return system(SYSTEM_RULES.aboutBlank, 'allow', u.href, 'about:blank is always allowed');

  const resolved = parseAll(ctx.resolvedAddresses);
  if (resolved.invalid !== null) return system(SYSTEM_RULES.address, 'block', u.href, `resolved address ${JSON.stringify(resolved.invalid)} is not an IP address`);
  const hostIp = u.ip ? parseIp(u.ip) : null;
  const toCheck = hostIp ? [hostIp, ...resolved.addresses] : resolved.addresses;
  const allow = (ctx.allowPrivate ?? []).map((c) => parseCidr(c)).filter((c): c is Cidr => c !== null);
  const denied = deniedAddress(toCheck, allow);
  if (denied) {
    const shown = formatIp(canonicalize(denied));
    return system(SYSTEM_RULES.address, 'block', u.href, `${shown} is a ${classifyAddress(denied)} address and is not allow-listed`);
  }

  const compiled = compilePolicy(policy);
  const input = { url: u, addresses: resolved.addresses };
  for (const position of compiled.index.candidates(u, resolved.addresses)) {
    const c = compiled.rules[position];
    if (!c || !c.inScope(ctx) || !c.matches(input)) continue;
    const { rule } = c;
    if (c.regexUndecided(input)) {
      return system(SYSTEM_RULES.regexInput, 'block', u.href, `the URL is longer than ${MAX_REGEX_INPUT} characters, too long to check against the regex of rule "${rule.id}"`);
    }
    const by = c.keys.length > 0 ? `matched by ${c.keys.join(', ')}` : 'matches every URL';
    return {
      verdict: rule.action,
      rule: { id: rule.id, name: rule.name ?? null },
      source: 'rule',
      normalizedUrl: u.href,
      reason: `rule "${rule.id}" ${by}: ${rule.action}`,
      capabilities: capabilitiesFor(rule.action, policy.capabilities, rule.capabilities),
    };
  }
  return {
    verdict: policy.default,
    rule: null,
    source: 'default',
    normalizedUrl: u.href,
    reason: `no rule matched; default action: ${policy.default}`,
    capabilities: capabilitiesFor(policy.default, policy.capabilities, {}),
  };
}
