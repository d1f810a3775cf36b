/**
 * Tables of the URL policy store (schema version 3, registered in gateway/database.ts).
 * Written with `IF NOT EXISTS` so the repository can also apply it on open.
 *
 * Category lists live in their own table, not inside the policy document: a UT1 list holds
 * millions of domains, and keeping them out of the YAML keeps versions, diffs and exports
 * small. Domains are stored already normalized (lowercase, punycode, no trailing dot).
 */
import type { Migration } from '../store/migrations.js';

export const POLICY_MIGRATION_SQL = `
  CREATE TABLE IF NOT EXISTS url_policy_versions (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    yaml TEXT NOT NULL,
    created_at TEXT NOT NULL,
    author_user_id INTEGER,
    author_name TEXT,
    comment TEXT
  );
  CREATE TABLE IF NOT EXISTS url_category_lists (
    name TEXT PRIMARY KEY,
    domain_count INTEGER NOT NULL,
    source TEXT,
    imported_at TEXT NOT NULL,
    generation INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS url_categories (
    name TEXT NOT NULL,
    domain TEXT NOT NULL,
    PRIMARY KEY (name, domain)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS url_categories_domain ON url_categories(domain);
`;

export const POLICY_MIGRATION: Migration = { version: 3, name: 'url policy versions and categories', sql: POLICY_MIGRATION_SQL };
