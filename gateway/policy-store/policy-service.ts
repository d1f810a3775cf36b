/**
 * The URL policy as the gateway uses it: the newest stored version, compiled once and
 * cached, with the referenced category lists loaded from the store. The cache is
 * refreshed at once after a save or import through this service, and otherwise when the
 * store changed (checked at most every `refreshIntervalMs`, so a `kekkai policy import`
 * from the CLI reaches a running gateway).
 */
import {
  compilePolicy,
  evaluate,
  findShadowingRules,
  formatIssues,
  normalizeUrl,
  parseCategoryList,
  parseIp,
  type CompiledPolicy,
  type EvaluationContext,
  type IpAddress,
  type ListFormat,
  type Policy,
  type RuleRef,
  type Shadowing,
  type Verdict,
} from '../../policies/index.js';
import { parsePolicyDocument, referencedCategories } from './policy-document.js';
import type { CategoryImportResult, PolicyRepository, PolicyVersionRecord, SaveMeta, SaveResult } from './policy-repository.js';

/** The policy a fresh install starts with: everything allowed (system rules still apply). */
export const DEFAULT_POLICY_YAML = 'default: allow\nrules: []\n';

/** Evaluation context; `now` defaults to the service's clock. */
export type PolicyContext = Omit<EvaluationContext, 'now'> & { readonly now?: Date };

/** A rule after the deciding one that also matches, and what makes it unreachable if anything. */
export interface LaterMatch {
  readonly rule: RuleRef;
  /** Earlier rules that match everything this rule matches (it can never fire). */
  readonly shadowedBy: readonly Shadowing[];
}

/** Outcome of {@link testPolicy}: the verdict and why other rules did not decide. */
export interface PolicyExplanation {
  readonly verdict: Verdict;
  /** Enabled rules after the deciding one whose match and scope also hold. */
  readonly laterMatches: readonly LaterMatch[];
  /** True when the host is a name and the policy has `cidr` rules: only the proxy, which resolves names, can apply them. */
  readonly cidrNeedsProxy: boolean;
}

/** Outcome of {@link PolicyService.test}. */
export interface PolicyTestResult extends PolicyExplanation {
  /** The policy version judged. */
  readonly version: number;
}

/**
 * Evaluates a URL and explains the rest: the enabled rules after the deciding one that
 * also match (with the earlier rules that shadow them), and whether `cidr` rules could
 * not be applied because the host was not resolved.
 */
export function testPolicy(policy: Policy, url: string, ctx: EvaluationContext): PolicyExplanation {
  const compiled = compilePolicy(policy);
  const verdict = evaluate(policy, url, ctx);
  const normalized = normalizeUrl(url);
  const laterMatches: LaterMatch[] = [];
  if (verdict.source === 'rule' && normalized.ok) {
    const addresses = (ctx.resolvedAddresses ?? []).map((a) => parseIp(a)).filter((a): a is IpAddress => a !== null);
    const input = { url: normalized.url, addresses };
    const from = compiled.rules.findIndex((c) => c.rule.id === verdict.rule?.id) + 1;
    for (const c of compiled.rules.slice(from)) {
      if (!c.inScope(ctx) || !c.matches(input)) continue;
      const shadowedBy = findShadowingRules(policy.rules, c.rule, { categories: policy.categories });
      laterMatches.push({ rule: { id: c.rule.id, name: c.rule.name ?? null }, shadowedBy });
    }
  }
  const hasCidr = policy.rules.some((r) => r.enabled && r.match.cidr);
  const cidrNeedsProxy = hasCidr && normalized.ok && normalized.url.hostKind === 'domain' && (ctx.resolvedAddresses ?? []).length === 0;
  return { verdict, laterMatches, cidrNeedsProxy };
}

/**
 * Adds the stored lists of the categories the policy's rules name. A name both written in
 * the document and imported into the store covers both lists.
 */
export function withStoreCategories(policy: Policy, repo: Pick<PolicyRepository, 'categoryDomains'>): Policy {
  const categories = { ...policy.categories };
  for (const [name, domains] of Object.entries(repo.categoryDomains(referencedCategories(policy)))) {
    const own = categories[name];
    categories[name] = own ? [...new Set([...own, ...domains])] : domains;
  }
  return { ...policy, categories };
}

export interface PolicyServiceOptions {
  readonly clock?: () => Date;
  /** How often `current()` checks the store for changes made elsewhere; default 1000 ms. */
  readonly refreshIntervalMs?: number;
  /** `egress.allowPrivate`, used when a context does not give its own. */
  readonly allowPrivate?: readonly string[];
}

interface Loaded {
  readonly stamp: string;
  readonly version: number;
  readonly policy: Policy;
  readonly compiled: CompiledPolicy;
  checkedAt: number;
}

/** Thrown when the stored policy can not be loaded (never for a refused save). */
export class StoredPolicyError extends Error {
  readonly code = 'KEKKAI_ERR_STORED_POLICY';
}

export class PolicyService {
  private loaded: Loaded | null = null;
  private readonly clock: () => Date;
  private readonly refreshIntervalMs: number;

  constructor(
    private readonly repo: PolicyRepository,
    private readonly opts: PolicyServiceOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.refreshIntervalMs = opts.refreshIntervalMs ?? 1000;
    if (!repo.current()) {
      const seeded = repo.save(DEFAULT_POLICY_YAML, { comment: 'initial default policy' });
      if (!seeded.ok) throw new StoredPolicyError(formatIssues(seeded.issues));
    }
  }

  /** The compiled current policy (categories from the store included). */
  current(): CompiledPolicy {
    return this.state().compiled;
  }

  /** The number of the version `current()` compiles. */
  currentVersion(): number {
    return this.state().version;
  }

  /** The policy in force with its category lists resolved (what browser workers evaluate). */
  snapshot(): { version: number; policy: Policy } {
    const { version, policy } = this.state();
    return { version, policy };
  }

  evaluate(url: string, ctx: PolicyContext = {}): Verdict {
    return evaluate(this.state().policy, url, this.context(ctx));
  }

  test(url: string, ctx: PolicyContext = {}): PolicyTestResult {
    const { policy, version } = this.state();
    return { ...testPolicy(policy, url, this.context(ctx)), version };
  }

  /** Saves YAML as a new version; a refused document changes nothing. */
  save(yaml: string, meta?: SaveMeta): SaveResult {
    return this.refreshed(this.repo.save(yaml, meta));
  }

  rollback(version: number, meta?: SaveMeta): SaveResult {
    return this.refreshed(this.repo.rollback(version, meta));
  }

  currentRecord(): PolicyVersionRecord {
    const record = this.repo.current();
    if (!record) throw new StoredPolicyError('no policy version stored');
    return record;
  }

  /** Stored versions, newest first (the admin console's history). */
  history(limit = 100): ReturnType<PolicyRepository['list']> {
    return this.repo.list({ limit });
  }

  version(version: number): PolicyVersionRecord | undefined {
    return this.repo.get(version);
  }

  /** Line diff of two stored versions; undefined when either does not exist. */
  diff(from: number, to: number): ReturnType<PolicyRepository['diff']> {
    return this.repo.diff(from, to);
  }

  /** Imported category lists. */
  categories(): ReturnType<PolicyRepository['categories']> {
    return this.repo.categories();
  }

  /** Parses a category list (hosts / plain) and replaces the category's domains. */
  importCategoryText(name: string, text: string, format: ListFormat = 'auto', source: string | null = null): CategoryImportResult & { invalid: number; invalidLines: number[] } {
    const list = parseCategoryList(text, format);
    const result = this.importCategory(name, list.domains, source);
    return { ...result, invalid: list.invalid, invalidLines: list.invalidLines };
  }

  /** Replaces a category's (already normalized) domains. */
  importCategory(name: string, domains: readonly string[], source: string | null = null): CategoryImportResult {
    const result = this.repo.importCategory(name, domains, source);
    this.loaded = null;
    return result;
  }

  private refreshed(result: SaveResult): SaveResult {
    if (result.ok) this.loaded = null;
    return result;
  }

  private context(ctx: PolicyContext): EvaluationContext {
    return { ...ctx, now: ctx.now ?? this.clock(), allowPrivate: ctx.allowPrivate ?? this.opts.allowPrivate ?? [] };
  }

  private state(): Loaded {
    const now = Date.now();
    if (this.loaded && now - this.loaded.checkedAt < this.refreshIntervalMs) return this.loaded;
    const stamp = this.repo.stamp();
    if (this.loaded && this.loaded.stamp === stamp) {
      this.loaded.checkedAt = now;
      return this.loaded;
    }
    this.loaded = this.load(stamp, now);
    return this.loaded;
  }

  private load(stamp: string, now: number): Loaded {
    const record = this.currentRecord();
    const storeNames = new Set(this.repo.categories().map((c) => c.name));
    const parsed = parsePolicyDocument(record.yaml, storeNames);
    if (!parsed.ok) throw new StoredPolicyError(`stored policy version ${record.version} is not valid:\n${formatIssues(parsed.issues)}`);
    const policy = withStoreCategories(parsed.policy, this.repo);
    return { stamp, version: record.version, policy, compiled: compilePolicy(policy), checkedAt: now };
  }
}
