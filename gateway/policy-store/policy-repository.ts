/** The URL policy store: versioned policy documents and imported category lists. */
import type { Policy, PolicyIssue } from '../../policies/index.js';
import type { DiffLine } from './policy-diff.js';

/** One stored version of the policy document (YAML as it was saved). */
export interface PolicyVersionRecord {
  readonly version: number;
  readonly yaml: string;
  readonly createdAt: string;
  readonly authorUserId: number | null;
  readonly authorName: string | null;
  readonly comment: string | null;
}

/** A version without its text, for history listings. */
export type PolicyVersionSummary = Omit<PolicyVersionRecord, 'yaml'>;

/** Who saves a version, and why. */
export interface SaveMeta {
  readonly authorUserId?: number | null;
  readonly authorName?: string | null;
  readonly comment?: string | null;
}

/** Outcome of saving: the new version, or the problems (and nothing was stored). */
export type SaveResult =
  | { readonly ok: true; readonly version: PolicyVersionRecord; readonly policy: Policy }
  | { readonly ok: false; readonly issues: PolicyIssue[] };

/** Outcome of replacing one category's domains. */
export interface CategoryImportResult {
  readonly name: string;
  /** Domains in the category after the import. */
  readonly domains: number;
  readonly added: number;
  readonly removed: number;
}

/** An imported category list. */
export interface CategorySummary {
  readonly name: string;
  readonly domainCount: number;
  readonly source: string | null;
  readonly importedAt: string;
}

export interface PolicyRepository {
  /** Validates the YAML and stores it as the newest version; refused documents change nothing. */
  save(yaml: string, meta?: SaveMeta): SaveResult;
  /** The newest version, or undefined before the first save. */
  current(): PolicyVersionRecord | undefined;
  /** Versions, newest first. */
  list(opts?: { limit?: number }): PolicyVersionSummary[];
  get(version: number): PolicyVersionRecord | undefined;
  /** Saves a copy of an old version as the newest (history is never rewritten). */
  rollback(version: number, meta?: SaveMeta): SaveResult;
  /** Line diff of the YAML of two versions; undefined when either does not exist. */
  diff(from: number, to: number): DiffLine[] | undefined;
  /**
   * Replaces a category's domains in one transaction. `domains` must already be normalized
   * (as `parseCategoryList` and `importUt1Directory` return them).
   */
  importCategory(name: string, domains: readonly string[], source?: string | null): CategoryImportResult;
  categories(): CategorySummary[];
  /** The domains of the named stored categories (names not stored are left out). */
  categoryDomains(names: readonly string[]): Record<string, string[]>;
  /** Names of the stored categories that list `host` or one of its parent domains. */
  categoriesOf(host: string): string[];
  /** Changes whenever a version is saved or a category imported (for cache refresh). */
  stamp(): string;
}
