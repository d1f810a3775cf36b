/** Ordered, append-only schema migrations for the SQLite store. */
import { QUARANTINE_MIGRATION_SQL } from '../downloads/quarantine-migration.js';
import { POLICY_MIGRATION_SQL } from '../policy-store/policy-migration.js';
import { RELEASE_MIGRATION_SQL } from '../security/release-migration.js';
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users and auth sessions',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('staff', 'admin', 'security')),
        password_hash TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_login_at TEXT
      );
      CREATE TABLE auth_sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        source_ip TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX auth_sessions_user ON auth_sessions(user_id);
    `,
  },  {
    version: 2,
    name: 'audit log',
    // Append-only and gap-free (docs/audit.md): the triggers refuse UPDATE and DELETE
    // and any seq other than last + 1. They stop mistakes and casual edits; the HMAC
    // chain is what detects someone who drops them.
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        user_id INTEGER,
        user_name TEXT,
        role TEXT,
        source_ip TEXT,
        event TEXT NOT NULL,
        outcome TEXT NOT NULL,
        details TEXT NOT NULL,
        mac TEXT NOT NULL
      );
      CREATE INDEX audit_log_time ON audit_log(time);
      CREATE INDEX audit_log_user ON audit_log(user_id, time);
      CREATE INDEX audit_log_event ON audit_log(event, time);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
      CREATE TRIGGER audit_log_next_seq BEFORE INSERT ON audit_log
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log)
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: seq must be last + 1'); END;
    `,
  },
  {
    version: 3,
    name: 'url policy versions and categories',
    sql: POLICY_MIGRATION_SQL,
  },
  {
    version: 4,
    name: 'quarantine index',
    sql: QUARANTINE_MIGRATION_SQL,
  },
  {
    version: 5,
    name: 'account fields, second factor, operator settings, file policy versions',
    // Source ranges are JSON arrays of CIDRs; an empty array means "any address".
    // The TOTP secret is AES-256-GCM ciphertext (key file outside the database).
    sql: `
      ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';
      ALTER TABLE users ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
      ALTER TABLE users ADD COLUMN expires_on TEXT;
      ALTER TABLE users ADD COLUMN allowed_sources TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE users ADD COLUMN totp_secret TEXT;
      ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE recovery_codes (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, code_hash)
      );
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE file_policy_versions (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        yaml TEXT NOT NULL,
        created_at TEXT NOT NULL,
        author_name TEXT,
        comment TEXT
      );
    `,
  },
  {
    version: 6,
    name: 'quarantine releases',
    sql: RELEASE_MIGRATION_SQL,
  },
];
