/**
 * The gateway's SQLite database. Every feature declares the migrations of its own
 * tables; this list registers them in the order they shipped (the store checks the
 * versions run 1, 2, 3, … and applies the ones a database lacks). A new feature
 * appends its migration here with the next version.
 */
import { AUDIT_MIGRATION } from './audit/audit-migration.js';
import { QUARANTINE_MIGRATION } from './downloads/quarantine-migration.js';
import { POLICY_MIGRATION } from './policy-store/policy-migration.js';
import { RELEASE_MIGRATION } from './security/release-migration.js';
import { RECORDING_MIGRATION } from './recording/recording-migration.js';
import { ACCOUNT_FIELDS_MIGRATION, EXTERNAL_IDENTITY_MIGRATION, USERS_MIGRATION, type Migration } from './store/migrations.js';
import { openSqlite, type SqliteDb } from './store/sqlite-database.js';
import { WORKER_REGISTRY_MIGRATION } from './workers/worker-registry.js';

export type { SqliteDb } from './store/sqlite-database.js';

export const MIGRATIONS: readonly Migration[] = [
  USERS_MIGRATION,
  AUDIT_MIGRATION,
  POLICY_MIGRATION,
  QUARANTINE_MIGRATION,
  ACCOUNT_FIELDS_MIGRATION,
  RELEASE_MIGRATION,
  WORKER_REGISTRY_MIGRATION,
  EXTERNAL_IDENTITY_MIGRATION,
  RECORDING_MIGRATION,
];

/** The newest schema version this build knows (backups from newer ones are flagged). */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens `<dataDir>/kekkai.db`, applying any migrations it lacks. */
export function openDatabase(dataDir: string): SqliteDb {
  return openSqlite(dataDir, MIGRATIONS);
}
