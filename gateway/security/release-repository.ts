/** SQLite access to quarantine releases (RELEASE_MIGRATION_SQL). */
import type Database from 'better-sqlite3';

export type ReleaseState = 'pending' | 'released' | 'delivered' | 'rejected' | 'cancelled';

export interface ReleaseRecord {
  id: string;
  quarantineId: string;
  sha256: string;
  name: string;
  size: number;
  recipientId: number;
  recipientName: string | null;
  state: ReleaseState;
  requestedBy: number;
  requestedByName: string | null;
  requestedAt: string;
  requestJustification: string;
  decidedBy: number | null;
  decidedByName: string | null;
  decidedAt: string | null;
  decisionJustification: string | null;
  /** The one-time link's secret; only while released. */
  token: string | null;
  releasedAt: string | null;
  expiresAt: string | null;
  deliveredAt: string | null;
}

type NewRelease = Omit<ReleaseRecord, 'decidedBy' | 'decidedByName' | 'decidedAt' | 'decisionJustification' | 'deliveredAt'>;

const COLUMNS: Record<keyof ReleaseRecord, string> = {
  id: 'id',
  quarantineId: 'quarantine_id',
  sha256: 'sha256',
  name: 'name',
  size: 'size',
  recipientId: 'recipient_id',
  recipientName: 'recipient_name',
  state: 'state',
  requestedBy: 'requested_by',
  requestedByName: 'requested_by_name',
  requestedAt: 'requested_at',
  requestJustification: 'request_justification',
  decidedBy: 'decided_by',
  decidedByName: 'decided_by_name',
  decidedAt: 'decided_at',
  decisionJustification: 'decision_justification',
  token: 'token',
  releasedAt: 'released_at',
  expiresAt: 'expires_at',
  deliveredAt: 'delivered_at',
};

const SELECT = `SELECT ${Object.entries(COLUMNS).map(([k, c]) => `${c} AS ${k}`).join(', ')} FROM quarantine_releases`;

export class ReleaseRepository {
  constructor(private readonly db: Database.Database) {}

  insert(r: NewRelease): void {
    this.db
      .prepare(
        `INSERT INTO quarantine_releases (id, quarantine_id, sha256, name, size, recipient_id, recipient_name, state, requested_by, requested_by_name,
           requested_at, request_justification, token, released_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.quarantineId, r.sha256, r.name, r.size, r.recipientId, r.recipientName, r.state, r.requestedBy, r.requestedByName, r.requestedAt, r.requestJustification, r.token, r.releasedAt, r.expiresAt);
  }

  get(id: string): ReleaseRecord | undefined {
    return this.db.prepare(`${SELECT} WHERE id = ?`).get(id) as ReleaseRecord | undefined;
  }

  byToken(token: string): ReleaseRecord | undefined {
    return this.db.prepare(`${SELECT} WHERE token = ?`).get(token) as ReleaseRecord | undefined;
  }

  forQuarantine(quarantineId: string): ReleaseRecord[] {
    return this.db.prepare(`${SELECT} WHERE quarantine_id = ? ORDER BY requested_at DESC, rowid DESC`).all(quarantineId) as ReleaseRecord[];
  }

  /** Open requests (pending or released and not yet used) for a quarantine record. */
  open(quarantineId: string): ReleaseRecord | undefined {
    return this.db.prepare(`${SELECT} WHERE quarantine_id = ? AND state IN ('pending', 'released') LIMIT 1`).get(quarantineId) as ReleaseRecord | undefined;
  }

  byState(state: ReleaseState, limit = 200): ReleaseRecord[] {
    return this.db.prepare(`${SELECT} WHERE state = ? ORDER BY requested_at DESC, rowid DESC LIMIT ?`).all(state, limit) as ReleaseRecord[];
  }

  /** Released, unexpired links for one recipient. */
  releasedFor(recipientId: number, nowIso: string): ReleaseRecord[] {
    return this.db
      .prepare(`${SELECT} WHERE recipient_id = ? AND state = 'released' AND (expires_at IS NULL OR expires_at > ?) ORDER BY released_at DESC`)
      .all(recipientId, nowIso) as ReleaseRecord[];
  }

  /** pending → released/rejected; false when it was no longer pending (a concurrent decision). */
  decide(id: string, d: { state: 'released' | 'rejected'; by: number; byName: string; at: string; justification: string; token: string | null; expiresAt: string | null }): boolean {
    const res = this.db
      .prepare(
        `UPDATE quarantine_releases SET state = ?, decided_by = ?, decided_by_name = ?, decided_at = ?, decision_justification = ?,
           token = ?, released_at = CASE WHEN ? = 'released' THEN ? ELSE NULL END, expires_at = ? WHERE id = ? AND state = 'pending'`,
      )
      .run(d.state, d.by, d.byName, d.at, d.justification, d.token, d.state, d.at, d.expiresAt, id);
    return res.changes === 1;
  }

  /**
   * The first of two approvals of a user's own request: it stays pending, with the first
   * approver in the decision fields until the second decides; false when no longer pending
   * or already approved once.
   */
  firstApproval(id: string, d: { by: number; byName: string; at: string; justification: string }): boolean {
    const res = this.db
      .prepare(`UPDATE quarantine_releases SET decided_by = ?, decided_by_name = ?, decided_at = ?, decision_justification = ? WHERE id = ? AND state = 'pending' AND decided_by IS NULL`)
      .run(d.by, d.byName, d.at, d.justification, id);
    return res.changes === 1;
  }

  /** released → delivered, once; false when already used, expired or another user's. */
  markDelivered(token: string, recipientId: number, nowIso: string): boolean {
    const res = this.db
      .prepare(
        `UPDATE quarantine_releases SET state = 'delivered', delivered_at = ?, token = NULL
           WHERE token = ? AND recipient_id = ? AND state = 'released' AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .run(nowIso, token, recipientId, nowIso);
    return res.changes === 1;
  }

  /** Open requests of a deleted record can no longer be served. */
  cancelOpen(quarantineId: string): number {
    return this.db.prepare(`UPDATE quarantine_releases SET state = 'cancelled', token = NULL WHERE quarantine_id = ? AND state IN ('pending', 'released')`).run(quarantineId).changes;
  }
}
