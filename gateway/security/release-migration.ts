/**
 * Schema of quarantine releases (security console). One row per request to give a
 * quarantined original back to the user who downloaded it: pending (waiting for a
 * second security user when security.releaseNeedsSecondApproval is on), released
 * (the one-time link works), delivered (used once), rejected or cancelled.
 * Schema version 6, registered in gateway/database.ts.
 */
import type { Migration } from '../store/migrations.js';

export const RELEASE_MIGRATION_SQL = `
  CREATE TABLE quarantine_releases (
    id TEXT PRIMARY KEY,
    quarantine_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    recipient_id INTEGER NOT NULL,
    recipient_name TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'released', 'delivered', 'rejected', 'cancelled')),
    requested_by INTEGER NOT NULL,
    requested_by_name TEXT,
    requested_at TEXT NOT NULL,
    request_justification TEXT NOT NULL,
    decided_by INTEGER,
    decided_by_name TEXT,
    decided_at TEXT,
    decision_justification TEXT,
    token TEXT UNIQUE,
    released_at TEXT,
    expires_at TEXT,
    delivered_at TEXT
  );
  CREATE INDEX quarantine_releases_quarantine ON quarantine_releases(quarantine_id);
  CREATE INDEX quarantine_releases_recipient ON quarantine_releases(recipient_id, state);
  CREATE INDEX quarantine_releases_state ON quarantine_releases(state, requested_at);
`;

export const RELEASE_MIGRATION: Migration = { version: 6, name: 'quarantine releases', sql: RELEASE_MIGRATION_SQL };
