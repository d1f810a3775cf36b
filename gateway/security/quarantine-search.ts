/**
 * Searching the quarantine index for the console: the filters of QuarantineStore.list
 * plus user name, true type, free text and paging with a total. It reads the index
 * only (never the encrypted originals) from the table QuarantineStore writes.
 */
import type Database from 'better-sqlite3';
import { referencePrefix } from '../downloads/download-changes.js';
import { toQuarantineRecord, type QuarantineRecord, type QuarantineRow } from '../downloads/quarantine-store.js';

export interface QuarantineSearch {
  /** Exact user name, case-insensitive (names are kept after an account is deleted). */
  user?: string | undefined;
  verdict?: 'sanitized' | 'blocked' | undefined;
  reason?: string | undefined;
  /** Substring of the detected true type, e.g. "pdf". */
  type?: string | undefined;
  /** Substring of the file name or source URL, a SHA-256 prefix, or a reference number (`3F2A-91C4`, shown to staff in the download panel). */
  text?: string | undefined;
  /** ISO instant, inclusive. */
  since?: string | undefined;
  /** ISO instant, exclusive. */
  until?: string | undefined;
}

/** What the overview counts of one blocked download. */
export interface BlockedRow {
  createdAt: string;
  sourceUrl: string | null;
  trueType: string | null;
}

export interface QuarantinePage {
  records: QuarantineRecord[];
  total: number;
}


const like = (s: string): string => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class QuarantineIndex {
  constructor(private readonly db: Database.Database) {}

  search(q: QuarantineSearch, page: { offset?: number; limit?: number } = {}): QuarantinePage {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (sql: string, ...values: Array<string | number>): void => {
      where.push(sql);
      args.push(...values);
    };
    if (q.user) add('user_name = ? COLLATE NOCASE', q.user);
    if (q.verdict) add('verdict = ?', q.verdict);
    if (q.reason) add('reason = ?', q.reason);
    if (q.type) add("true_type LIKE ? ESCAPE '\\'", like(q.type));
    if (q.text) {
      const ref = referencePrefix(q.text);
      add(
        "(name LIKE ? ESCAPE '\\' OR source_url LIKE ? ESCAPE '\\' OR sha256 LIKE ? OR id LIKE ?)",
        like(q.text),
        like(q.text),
        `${q.text.toLowerCase().replace(/[^0-9a-f]/g, '')}%`,
        // A reference number matches the start of the record id; anything else matches no id.
        ref ? `${ref}%` : '-',
      );
    }
    if (q.since) add('created_at >= ?', q.since);
    if (q.until) add('created_at < ?', q.until);
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.max(1, Math.min(page.limit ?? 50, 500));
    const offset = Math.max(0, page.offset ?? 0);
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM quarantine ${filter}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM quarantine ${filter} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...args, limit, offset) as QuarantineRow[];
    return { records: rows.map(toQuarantineRecord), total };
  }

  get(id: string): QuarantineRecord | undefined {
    const row = this.db.prepare('SELECT * FROM quarantine WHERE id = ?').get(id) as QuarantineRow | undefined;
    return row && toQuarantineRecord(row);
  }

  /** Records whose id starts with a reference number's prefix (`referencePrefix`), newest first. */
  byReference(prefix: string): QuarantineRecord[] {
    if (!/^[0-9a-f]{8}$/.test(prefix)) return [];
    const rows = this.db.prepare('SELECT * FROM quarantine WHERE id LIKE ? ORDER BY created_at DESC, rowid DESC LIMIT 20').all(`${prefix}%`) as QuarantineRow[];
    return rows.map(toQuarantineRecord);
  }

  /** Blocked records since an ISO instant (at most `limit`), for the overview's counts. */
  blockedSince(since: string, limit = 50_000): BlockedRow[] {
    return this.db
      .prepare("SELECT created_at AS createdAt, source_url AS sourceUrl, true_type AS trueType FROM quarantine WHERE verdict = 'blocked' AND created_at >= ? ORDER BY created_at DESC LIMIT ?")
      .all(since, limit) as BlockedRow[];
  }

  /** Values present in the index, for the console's filter choices. */
  facets(): { reasons: string[]; types: string[] } {
    const col = (sql: string): string[] => (this.db.prepare(sql).all() as Array<{ v: string }>).map((r) => r.v);
    return {
      reasons: col('SELECT DISTINCT reason AS v FROM quarantine WHERE reason IS NOT NULL ORDER BY reason LIMIT 200'),
      types: col('SELECT DISTINCT true_type AS v FROM quarantine WHERE true_type IS NOT NULL ORDER BY true_type LIMIT 200'),
    };
  }
}

