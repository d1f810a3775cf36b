/**
 * The file policy (types, action per type, size limits, DPI) as versioned YAML in
 * the store. Every save is a new version; a document that `parseFilePolicy` refuses
 * changes nothing. Downloads should read `currentFilePolicy()` (see docs/consoles.md).
 */
import { parse as parseYaml, stringify } from 'yaml';
import { issueLines } from '../i18n/zod-issues.js';
import { ZodError } from 'zod';
import { DEFAULT_FILE_POLICY, parseFilePolicy, type FilePolicy, type FilePolicyInput } from '../../sanitizer/index.js';
import type { Role } from '../store/repositories.js';
import type { SqliteDb } from '../store/sqlite-database.js';

export interface FilePolicyVersion {
  version: number;
  yaml: string;
  createdAt: string;
  authorName: string | null;
  comment: string | null;
}

/** A refused file policy: issues in English (logs, `?lang=en`) and Japanese (the console). */
export interface FilePolicyRefusal {
  ok: false;
  issues: string[];
  issuesJa: string[];
}

export type FilePolicySaveResult = { ok: true; version: FilePolicyVersion; policy: FilePolicy } | FilePolicyRefusal;

const ROLE_NAMES = ['staff', 'admin', 'security'];

/** Deep merge of plain objects; arrays and values of `over` replace those of `base`. */
function merge(base: unknown, over: unknown): unknown {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k], v) : v;
  return out;
}

function parseOne(input: unknown, where: string): { ok: true; policy: FilePolicy } | FilePolicyRefusal {
  try {
    return { ok: true, policy: parseFilePolicy((input ?? {}) as FilePolicyInput) };
  } catch (err) {
    if (err instanceof ZodError) {
      const lines = issueLines(err.issues, where);
      return { ok: false, issues: lines.en, issuesJa: lines.ja };
    }
    throw err;
  }
}

/**
 * Parses and validates file-policy YAML; issues name the bad key. An optional
 * top-level `roles:` map holds per-role overrides (`roles: { admin: { ... } }`),
 * merged over the rest of the document; each merged policy must be valid too.
 */
export function validateFilePolicyYaml(yaml: string): { ok: true; policy: FilePolicy; roles: Record<string, FilePolicy> } | FilePolicyRefusal {
  let input: unknown;
  try {
    input = parseYaml(yaml);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0] ?? 'invalid YAML';
    return { ok: false, issues: [first], issuesJa: [`YAML として読めません（${first}）`] };
  }
  const { roles: overrides, ...base } = (input ?? {}) as Record<string, unknown>;
  const parsed = parseOne(base, '');
  if (!parsed.ok) return parsed;
  const roles: Record<string, FilePolicy> = {};
  if (overrides !== undefined) {
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) return { ok: false, issues: ['roles: expected a map of role → overrides'], issuesJa: ['roles: 役割ごとの上書き（役割: 設定）の形で指定してください'] };
    for (const [role, over] of Object.entries(overrides)) {
      if (!ROLE_NAMES.includes(role)) return { ok: false, issues: [`roles.${role}: unknown role (staff, admin or security)`], issuesJa: [`roles.${role}: 役割は staff（職員）・admin（管理者）・security（セキュリティ担当）のいずれかです`] };
      const merged = parseOne(merge(base, over), `roles.${role}`);
      if (!merged.ok) return merged;
      roles[role] = merged.policy;
    }
  }
  return { ok: true, policy: parsed.policy, roles };
}

export class FilePolicyService {
  private cache: { version: number; policy: FilePolicy; roles: Record<string, FilePolicy> } | undefined;

  constructor(private readonly db: SqliteDb) {}

  /** The policy downloads should apply now for a role (the defaults before the first save). */
  currentFilePolicy(role: Role | null = null): FilePolicy {
    const record = this.current();
    if (!record) return DEFAULT_FILE_POLICY;
    if (this.cache?.version !== record.version) {
      const parsed = validateFilePolicyYaml(record.yaml);
      this.cache = parsed.ok
        ? { version: record.version, policy: parsed.policy, roles: parsed.roles }
        : { version: record.version, policy: DEFAULT_FILE_POLICY, roles: {} };
    }
    return (role && this.cache.roles[role]) || this.cache.policy;
  }

  current(): FilePolicyVersion | undefined {
    return this.toVersion(this.db.prepare('SELECT * FROM file_policy_versions ORDER BY version DESC LIMIT 1').get());
  }

  /** The current YAML, or the defaults written out as YAML. */
  currentYaml(): string {
    return this.current()?.yaml ?? stringify(DEFAULT_FILE_POLICY);
  }

  list(limit = 50): Array<Omit<FilePolicyVersion, 'yaml'>> {
    const rows = this.db.prepare('SELECT version, created_at, author_name, comment FROM file_policy_versions ORDER BY version DESC LIMIT ?').all(limit);
    return rows.map((row) => {
      const { yaml: _yaml, ...rest } = this.toVersion({ ...(row as object), yaml: '' })!;
      return rest;
    });
  }

  save(yaml: string, meta: { authorName?: string | null; comment?: string | null } = {}): FilePolicySaveResult {
    const checked = validateFilePolicyYaml(yaml);
    if (!checked.ok) return checked;
    const result = this.db
      .prepare('INSERT INTO file_policy_versions (yaml, created_at, author_name, comment) VALUES (?, ?, ?, ?)')
      .run(yaml, new Date().toISOString(), meta.authorName ?? null, meta.comment ?? null);
    const version = this.toVersion(this.db.prepare('SELECT * FROM file_policy_versions WHERE version = ?').get(Number(result.lastInsertRowid)))!;
    return { ok: true, version, policy: checked.policy };
  }

  private toVersion(row: unknown): FilePolicyVersion | undefined {
    if (!row) return undefined;
    const r = row as { version: number; yaml: string; created_at: string; author_name: string | null; comment: string | null };
    return { version: r.version, yaml: r.yaml, createdAt: r.created_at, authorName: r.author_name, comment: r.comment };
  }
}
