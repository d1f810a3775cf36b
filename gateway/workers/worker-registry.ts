/**
 * Remote workers that joined this control plane, and join tokens revoked early
 * (docs/workers.md). A worker connects with the client certificate it was issued at
 * join; the connection is accepted only while that certificate's fingerprint belongs
 * to a worker here that is not revoked. The SQLite implementation is the embedded
 * default; another store implements the same interface.
 */
import type { Migration } from '../store/migrations.js';
import type { SqliteDb } from '../store/sqlite-database.js';

export const WORKER_REGISTRY_MIGRATION: Migration = {
  version: 7,
  name: 'remote browser workers',
  sql: `
    CREATE TABLE remote_workers (
      name TEXT PRIMARY KEY,
      fingerprint TEXT NOT NULL UNIQUE,
      serial TEXT NOT NULL,
      joined_at TEXT NOT NULL,
      joined_from TEXT NOT NULL,
      token_id TEXT NOT NULL,
      last_seen_at TEXT,
      revoked_at TEXT
    );
    CREATE TABLE worker_token_revocations (
      token_id TEXT PRIMARY KEY,
      revoked_at TEXT NOT NULL
    );
  `,
};

export interface RemoteWorkerRecord {
  name: string;
  fingerprint: string;
  serial: string;
  joinedAt: string;
  joinedFrom: string;
  tokenId: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
}

export interface WorkerRegistry {
  add(record: Omit<RemoteWorkerRecord, 'lastSeenAt' | 'revokedAt'>): void;
  /** The worker holding this certificate, unless revoked. */
  activeByFingerprint(fingerprint: string): RemoteWorkerRecord | null;
  list(): RemoteWorkerRecord[];
  seen(name: string, at: Date): void;
  /** Refuses the worker's certificate from now on; false when no such worker. */
  revoke(name: string, at: Date): boolean;
  /** Refuses the token and every worker that joined with it; how many workers that revoked. */
  revokeToken(tokenId: string, at: Date): number;
  isTokenRevoked(tokenId: string): boolean;
  /** Names of revoked workers (the running control plane cuts them off). */
  revokedNames(): Set<string>;
}

type Row = { name: string; fingerprint: string; serial: string; joined_at: string; joined_from: string; token_id: string; last_seen_at: string | null; revoked_at: string | null };

const toRecord = (row: Row): RemoteWorkerRecord => ({
  name: row.name,
  fingerprint: row.fingerprint,
  serial: row.serial,
  joinedAt: row.joined_at,
  joinedFrom: row.joined_from,
  tokenId: row.token_id,
  lastSeenAt: row.last_seen_at,
  revokedAt: row.revoked_at,
});

export class SqliteWorkerRegistry implements WorkerRegistry {
  constructor(private readonly db: SqliteDb) {}

  add(record: Omit<RemoteWorkerRecord, 'lastSeenAt' | 'revokedAt'>): void {
    this.db
      .prepare('INSERT INTO remote_workers (name, fingerprint, serial, joined_at, joined_from, token_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(record.name, record.fingerprint, record.serial, record.joinedAt, record.joinedFrom, record.tokenId);
  }

  activeByFingerprint(fingerprint: string): RemoteWorkerRecord | null {
    const row = this.db.prepare('SELECT * FROM remote_workers WHERE fingerprint = ? AND revoked_at IS NULL').get(fingerprint) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  list(): RemoteWorkerRecord[] {
    return (this.db.prepare('SELECT * FROM remote_workers ORDER BY joined_at').all() as Row[]).map(toRecord);
  }

  seen(name: string, at: Date): void {
    this.db.prepare('UPDATE remote_workers SET last_seen_at = ? WHERE name = ?').run(at.toISOString(), name);
  }

  revoke(name: string, at: Date): boolean {
    return this.db.prepare('UPDATE remote_workers SET revoked_at = COALESCE(revoked_at, ?) WHERE name = ?').run(at.toISOString(), name).changes > 0;
  }

  revokeToken(tokenId: string, at: Date): number {
    return this.db.transaction(() => {
      this.db.prepare('INSERT OR IGNORE INTO worker_token_revocations (token_id, revoked_at) VALUES (?, ?)').run(tokenId, at.toISOString());
      return this.db.prepare('UPDATE remote_workers SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL').run(at.toISOString(), tokenId).changes;
    })();
  }

  revokedNames(): Set<string> {
    return new Set((this.db.prepare('SELECT name FROM remote_workers WHERE revoked_at IS NOT NULL').all() as Array<{ name: string }>).map((r) => r.name));
  }

  isTokenRevoked(tokenId: string): boolean {
    return this.db.prepare('SELECT 1 FROM worker_token_revocations WHERE token_id = ?').get(tokenId) !== undefined;
  }
}
