/**
 * Schema migrations. Each feature declares the migrations of its own tables (the
 * audit log in audit/, URL policies in policy-store/, the quarantine in downloads/,
 * releases in security/); gateway/database.ts registers them all, in the order they
 * shipped, and the store runs what it is given (sqlite-database.ts). The store's
 * own tables — accounts, sign-in sessions, settings — are declared here.
 * Migrations are append-only: never edit or renumber a shipped one.
 */
export interface Migration {
  /** Position in the schema history: 1, 2, 3, … with no gaps (checked on open). */
  version: number;
  name: string;
  sql: string;
}

/** Accounts and sign-in sessions. */
export const USERS_MIGRATION: Migration = {
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
};

/**
 * Account fields, second factor and operator settings. Shipped as one migration, so
 * it keeps the file policy table (gateway/admin) beside them rather than being split.
 */
export const ACCOUNT_FIELDS_MIGRATION: Migration = {
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
};

/**
 * Accounts from a directory or identity provider (docs/directory-sign-in.md): where the
 * identity comes from, its stable id there (unique per source), and who disabled an
 * account — the directory's sync re-enables only accounts it disabled itself.
 */
export const EXTERNAL_IDENTITY_MIGRATION: Migration = {
  version: 8,
  name: 'external identities',
  sql: `
      ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'ldap', 'oidc', 'saml', 'kerberos'));
      ALTER TABLE users ADD COLUMN external_id TEXT;
      ALTER TABLE users ADD COLUMN disabled_by TEXT CHECK (disabled_by IN ('admin', 'directory'));
      ALTER TABLE users ADD COLUMN disabled_reason TEXT;
      CREATE UNIQUE INDEX users_external_id ON users(auth_source, external_id) WHERE external_id IS NOT NULL;
  `,
};
