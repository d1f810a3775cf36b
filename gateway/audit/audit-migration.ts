/** The audit log's table (schema version 2), registered in gateway/database.ts. */
import type { Migration } from '../store/migrations.js';

// The SQL keeps its original indentation: SQLite stores the CREATE text as written.
export const AUDIT_MIGRATION: Migration = {
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
};
