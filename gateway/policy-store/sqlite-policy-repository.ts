/** SQLite implementation of {@link PolicyRepository}. */
import { isIpLiteral } from '../../policies/index.js';
import type { SqliteDb } from '../store/sqlite-database.js';
import { diffLines, type DiffLine } from './policy-diff.js';
import { noSuchVersion, parsePolicyDocument } from './policy-document.js';
import { POLICY_MIGRATION_SQL } from './policy-migration.js';
import type { CategoryImportResult, CategorySummary, PolicyRepository, PolicyVersionRecord, PolicyVersionSummary, SaveMeta, SaveResult } from './policy-repository.js';

const CATEGORY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** SQLite's default limit on bound parameters is 32766; stay well below. */
const LOOKUP_CHUNK = 500;

interface VersionRow {
  version: number;
  yaml: string;
  created_at: string;
  author_user_id: number | null;
  author_name: string | null;
  comment: string | null;
}

function toRecord(row: VersionRow): PolicyVersionRecord {
  return { version: row.version, yaml: row.yaml, createdAt: row.created_at, authorUserId: row.author_user_id, authorName: row.author_name, comment: row.comment };
}

/** Thrown for a category name the schema would not accept. */
export class CategoryNameError extends Error {
  readonly code = 'KEKKAI_ERR_CATEGORY_NAME';
  constructor(name: string) {
    super(`${JSON.stringify(name)} is not a category name (letters, digits, ".", "_" or "-", up to 100)`);
  }
}

export class SqlitePolicyRepository implements PolicyRepository {
  constructor(
    private readonly db: SqliteDb,
    private readonly clock: () => Date = () => new Date(),
  ) {
    // Idempotent, so this works whether or not the store's migrations include it yet.
    db.exec(POLICY_MIGRATION_SQL);
  }

  private storeCategoryNames(): Set<string> {
    return new Set(this.db.prepare('SELECT name FROM url_category_lists').pluck().all() as string[]);
  }

  save(yaml: string, meta: SaveMeta = {}): SaveResult {
    return this.db.transaction((): SaveResult => {
      const parsed = parsePolicyDocument(yaml, this.storeCategoryNames());
      if (!parsed.ok) return parsed;
      const result = this.db
        .prepare('INSERT INTO url_policy_versions (yaml, created_at, author_user_id, author_name, comment) VALUES (?, ?, ?, ?, ?)')
        .run(yaml, this.clock().toISOString(), meta.authorUserId ?? null, meta.authorName ?? null, meta.comment ?? null);
      return { ok: true, version: this.get(Number(result.lastInsertRowid))!, policy: parsed.policy };
    }).immediate();
  }

  current(): PolicyVersionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM url_policy_versions ORDER BY version DESC LIMIT 1').get() as VersionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  list(opts: { limit?: number } = {}): PolicyVersionSummary[] {
    const rows = this.db
      .prepare('SELECT version, created_at, author_user_id, author_name, comment FROM url_policy_versions ORDER BY version DESC LIMIT ?')
      .all(opts.limit ?? -1) as Array<Omit<VersionRow, 'yaml'>>;
    return rows.map((row) => {
      const { yaml: _yaml, ...rest } = toRecord({ ...row, yaml: '' });
      return rest;
    });
  }

  get(version: number): PolicyVersionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM url_policy_versions WHERE version = ?').get(version) as VersionRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  rollback(version: number, meta: SaveMeta = {}): SaveResult {
    const old = this.get(version);
    if (!old) return { ok: false, issues: noSuchVersion(version) };
    return this.save(old.yaml, { ...meta, comment: meta.comment ?? `rollback to version ${version}` });
  }

  diff(from: number, to: number): DiffLine[] | undefined {
    const a = this.get(from);
    const b = this.get(to);
    return a && b ? diffLines(a.yaml, b.yaml) : undefined;
  }

  importCategory(name: string, domains: readonly string[], source: string | null = null): CategoryImportResult {
    if (!CATEGORY_NAME.test(name)) throw new CategoryNameError(name);
    return this.db.transaction((): CategoryImportResult => {
      const old = new Set(this.db.prepare('SELECT domain FROM url_categories WHERE name = ?').pluck().all(name) as string[]);
      this.db.prepare('DELETE FROM url_categories WHERE name = ?').run(name);
      const insert = this.db.prepare('INSERT OR IGNORE INTO url_categories (name, domain) VALUES (?, ?)');
      const fresh = new Set<string>();
      for (const domain of domains) {
        if (fresh.has(domain)) continue;
        fresh.add(domain);
        insert.run(name, domain);
      }
      let added = 0;
      for (const d of fresh) if (!old.has(d)) added++;
      const removed = old.size - (fresh.size - added);
      const generation = (this.db.prepare('SELECT COALESCE(MAX(generation), 0) + 1 FROM url_category_lists').pluck().get() as number) ?? 1;
      this.db
        .prepare(
          `INSERT INTO url_category_lists (name, domain_count, source, imported_at, generation) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(name) DO UPDATE SET domain_count = excluded.domain_count, source = excluded.source,
             imported_at = excluded.imported_at, generation = excluded.generation`,
        )
        .run(name, fresh.size, source, this.clock().toISOString(), generation);
      return { name, domains: fresh.size, added, removed };
    }).immediate();
  }

  categories(): CategorySummary[] {
    const rows = this.db.prepare('SELECT name, domain_count, source, imported_at FROM url_category_lists ORDER BY name').all() as Array<{
      name: string;
      domain_count: number;
      source: string | null;
      imported_at: string;
    }>;
    return rows.map((r) => ({ name: r.name, domainCount: r.domain_count, source: r.source, importedAt: r.imported_at }));
  }

  categoryDomains(names: readonly string[]): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    const stored = this.storeCategoryNames();
    const select = this.db.prepare('SELECT domain FROM url_categories WHERE name = ?').pluck();
    for (const name of names) if (stored.has(name)) out[name] = select.all(name) as string[];
    return out;
  }

  categoriesOf(host: string): string[] {
    const candidates = [host];
    // Like the evaluator: an IP host only matches an exact entry.
    if (!isIpLiteral(host)) for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) candidates.push(host.slice(i + 1));
    const names = new Set<string>();
    for (let i = 0; i < candidates.length; i += LOOKUP_CHUNK) {
      const chunk = candidates.slice(i, i + LOOKUP_CHUNK);
      const rows = this.db
        .prepare(`SELECT DISTINCT name FROM url_categories WHERE domain IN (${chunk.map(() => '?').join(', ')})`)
        .pluck()
        .all(...chunk) as string[];
      for (const n of rows) names.add(n);
    }
    return [...names].sort();
  }

  stamp(): string {
    const v = this.db.prepare('SELECT COALESCE(MAX(version), 0) FROM url_policy_versions').pluck().get() as number;
    const g = this.db.prepare('SELECT COALESCE(MAX(generation), 0) FROM url_category_lists').pluck().get() as number;
    return `${v}:${g}`;
  }
}
