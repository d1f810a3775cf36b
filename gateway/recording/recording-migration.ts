import type { Migration } from '../store/migrations.js';

/** The index of session recordings; the recordings themselves are encrypted files (recording-store.ts). */
export const RECORDING_MIGRATION: Migration = {
  version: 9,
  name: 'session recordings',
  sql: `
      CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        user_id INTEGER,
        user_name TEXT NOT NULL,
        role TEXT,
        source_ip TEXT,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        frames INTEGER NOT NULL DEFAULT 0,
        events INTEGER NOT NULL DEFAULT 0,
        sites_json TEXT NOT NULL DEFAULT '[]',
        blob_path TEXT NOT NULL
      );
      CREATE INDEX recordings_started ON recordings(started_at);
      CREATE INDEX recordings_user ON recordings(user_name);
  `,
};
