/** SQLite implementation of {@link AuditRepository} (table audit_log, migration 2). */
import type Database from 'better-sqlite3';
import type { SqliteDb } from '../store/sqlite-database.js';
import type { Role } from '../store/repositories.js';
import type { AuditDetails, AuditRecord, NewAuditEntry } from './audit-event.js';
import type { AuditPage, AuditQuery, AuditRepository, AuditSearchResult, SealFunction } from './audit-repository.js';

interface AuditRow {
  seq: number;
  time: string;
  user_id: number | null;
  user_name: string | null;
  role: string | null;
  source_ip: string | null;
  event: string;
  outcome: string;
  details: string;
  mac: string;
}

/**
 * Turns a row back into a record. Details that are not a JSON object are kept as
 * {"_unreadable": text} so that verification reports a MAC mismatch at that seq
 * instead of throwing.
 */
function toRecord(row: AuditRow): AuditRecord {
  let details: AuditDetails;
  try {
    const parsed: unknown = JSON.parse(row.details);
    details = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as AuditDetails) : { _unreadable: row.details };
  } catch {
    details = { _unreadable: row.details };
  }
  return {
    seq: row.seq,
    time: row.time,
    userId: row.user_id,
    userName: row.user_name,
    role: row.role as Role | null,
    sourceIp: row.source_ip,
    event: row.event,
    outcome: row.outcome,
    details,
    mac: row.mac,
  };
}

const PAGE_SIZE = 1000;

export class SqliteAuditRepository implements AuditRepository {
  private readonly appendTx: Database.Transaction<(entry: NewAuditEntry, seal: SealFunction) => AuditRecord>;

  constructor(private readonly db: SqliteDb) {
    const lastStmt = db.prepare('SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1');
    const insertStmt = db.prepare(
      `INSERT INTO audit_log (seq, time, user_id, user_name, role, source_ip, event, outcome, details, mac)
       VALUES (@seq, @time, @userId, @userName, @role, @sourceIp, @event, @outcome, @details, @mac)`,
    );
    // IMMEDIATE takes the write lock before reading the last MAC, so another process
    // appending to the same file cannot interleave between the read and the insert.
    this.appendTx = db.transaction((entry: NewAuditEntry, seal: SealFunction): AuditRecord => {
      const last = lastStmt.get() as { seq: number; mac: string } | undefined;
      const unsealed = { ...entry, seq: (last?.seq ?? 0) + 1 };
      const record: AuditRecord = { ...unsealed, mac: seal(last?.mac ?? null, unsealed) };
      insertStmt.run({ ...record, details: JSON.stringify(record.details) });
      return record;
    });
  }

  append(entry: NewAuditEntry, seal: SealFunction): AuditRecord {
    return this.appendTx.immediate(entry, seal);
  }

  *iterate(query: AuditQuery = {}): Iterable<AuditRecord> {
    const { where, params } = buildWhere(query);
    const stmt = this.db.prepare(`SELECT * FROM audit_log WHERE seq > ? ${where ? `AND ${where}` : ''} ORDER BY seq LIMIT ${PAGE_SIZE}`);
    let after = 0;
    for (;;) {
      // Whole pages, not a cursor: no statement stays open across yields, so the
      // connection can keep appending while someone exports or verifies.
      const rows = stmt.all(after, ...params) as AuditRow[];
      for (const row of rows) yield toRecord(row);
      if (rows.length < PAGE_SIZE) return;
      after = rows[rows.length - 1]!.seq;
    }
  }

  search(query: AuditQuery, page: AuditPage = {}): AuditSearchResult {
    const { where, params } = buildWhere(query);
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? 100), 1), 1000);
    const offset = Math.max(Math.trunc(page.offset ?? 0), 0);
    const order = page.order === 'asc' ? 'ASC' : 'DESC';
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${where ? `WHERE ${where}` : ''} ORDER BY seq ${order} LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as AuditRow[];
    return { records: rows.map(toRecord), total: this.count(query) };
  }

  count(query: AuditQuery = {}): number {
    const { where, params } = buildWhere(query);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${where ? `WHERE ${where}` : ''}`).get(...params) as { n: number }).n;
  }

  macAt(seq: number): string | undefined {
    return (this.db.prepare('SELECT mac FROM audit_log WHERE seq = ?').get(seq) as { mac: string } | undefined)?.mac;
  }

  last(): AuditRecord | undefined {
    const row = this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditRow | undefined;
    return row ? toRecord(row) : undefined;
  }
}

function buildWhere(query: AuditQuery): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]): void => {
    clauses.push(clause);
    params.push(...values);
  };
  if (query.from) add('time >= ?', query.from);
  if (query.to) add('time < ?', query.to);
  if (query.userId !== undefined) add('user_id = ?', query.userId);
  if (query.userName) add('user_name = ? COLLATE NOCASE', query.userName);
  if (query.sourceIp) add('source_ip = ?', query.sourceIp);
  if (query.events?.length) add(`event IN (${query.events.map(() => '?').join(',')})`, ...query.events);
  if (query.outcomes?.length) add(`outcome IN (${query.outcomes.map(() => '?').join(',')})`, ...query.outcomes);
  if (query.text) {
    const like = `%${query.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    add("(details LIKE ? ESCAPE '\\' OR user_name LIKE ? ESCAPE '\\')", like, like);
  }
  return { where: clauses.join(' AND '), params };
}
