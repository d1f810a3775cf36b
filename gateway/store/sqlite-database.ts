/**
 * Opens an SQLite database (WAL) and applies the migrations it is given, in order.
 * The store knows no feature: gateway/database.ts registers every feature's
 * migrations and opens the gateway's database through `openSqlite`.
 * Each migration runs once, inside a transaction, and is recorded in
 * schema_migrations; migrations are append-only — never edit a shipped one.
 */
import Database from 'better-sqlite3';
import { closeSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Migration } from './migrations.js';

export type SqliteDb = Database.Database;

export function openSqlite(dataDir: string, migrations: readonly Migration[]): SqliteDb {
  checkMigrationOrder(migrations);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(path.join(dataDir, 'kekkai.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

/**
 * Versions must run 1, 2, 3, … without a gap or repeat: a feature whose migration was
 * not registered would otherwise be skipped now and applied out of order later.
 */
export function checkMigrationOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`schema migrations out of order: position ${i + 1} holds version ${m.version} (${m.name})`);
    }
  });
}

export function migrate(db: SqliteDb, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db.prepare('SELECT version FROM schema_migrations').all().map((row) => (row as { version: number }).version),
  );
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
}

/**
 * Makes the database's committed transactions durable on demand. With WAL and
 * `synchronous = NORMAL` a commit reaches the operating system but is fsynced only at
 * checkpoints; a file outside the database that must never run ahead of it after a
 * power cut (the audit head anchor) calls this first. fsync through any descriptor
 * flushes the file's pages, so a read-only one suffices.
 */
export function databaseFileSync(db: SqliteDb): { sync(): void; syncAsync(): Promise<void> } {
  const files = db.memory ? [] : [`${db.name}-wal`, db.name];
  return {
    sync: () => {
      for (const file of files) fsyncIfPresent(file);
    },
    syncAsync: async () => {
      for (const file of files) await fsyncIfPresentAsync(file);
    },
  };
}

function fsyncIfPresent(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function fsyncIfPresentAsync(file: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
