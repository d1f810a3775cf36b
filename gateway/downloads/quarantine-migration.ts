/**
 * Schema of the quarantine index (schema version 4, registered in gateway/database.ts);
 * the encrypted originals live as files beside it (quarantine-store.ts), and the key
 * never lives in the database.
 */
import type { Migration } from '../store/migrations.js';

export const QUARANTINE_MIGRATION_SQL = `
  CREATE TABLE quarantine (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    true_type TEXT,
    source_url TEXT,
    user_id INTEGER,
    user_name TEXT,
    created_at TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('sanitized', 'blocked')),
    reason TEXT,
    signature TEXT,
    steps_json TEXT NOT NULL DEFAULT '[]',
    blob_path TEXT NOT NULL
  );
  CREATE INDEX quarantine_created ON quarantine(created_at);
  CREATE INDEX quarantine_sha256 ON quarantine(sha256);
  CREATE INDEX quarantine_user ON quarantine(user_id, created_at);
  CREATE INDEX quarantine_verdict ON quarantine(verdict, reason, created_at);
`;

export const QUARANTINE_MIGRATION: Migration = { version: 4, name: 'quarantine index', sql: QUARANTINE_MIGRATION_SQL };
