/**
 * Storage port for the audit log, so a PostgreSQL store can come later. Stores are
 * append-only: there is no update or delete.
 */
import type { AuditOutcome, AuditRecord, NewAuditEntry, UnsealedAuditRecord } from './audit-event.js';

/**
 * Computes the record's MAC from the previous record's MAC (null for the first).
 * The repository calls it inside the same transaction that reads the last MAC and
 * inserts, so concurrent appends cannot fork the chain.
 */
export type SealFunction = (previousMac: string | null, record: UnsealedAuditRecord) => string;

export interface AuditQuery {
  /** Inclusive lower bound, audit time format (see parseAuditTime). */
  from?: string | undefined;
  /** Exclusive upper bound, audit time format. */
  to?: string | undefined;
  userId?: number | undefined;
  /** Exact user name (case-insensitive), also for deleted accounts. */
  userName?: string | undefined;
  events?: readonly string[] | undefined;
  outcomes?: readonly AuditOutcome[] | undefined;
  sourceIp?: string | undefined;
  /** Substring of the details (URL, rule, file name, …) or user name; case-insensitive for ASCII. */
  text?: string | undefined;
}

export interface AuditPage {
  /** Default 100, at most 1000. */
  limit?: number | undefined;
  offset?: number | undefined;
  /** Newest first by default, as the console shows them. */
  order?: 'asc' | 'desc' | undefined;
}

export interface AuditSearchResult {
  records: AuditRecord[];
  /** Matching records in all pages. */
  total: number;
}

export interface AuditRepository {
  append(entry: NewAuditEntry, seal: SealFunction): AuditRecord;
  /** All records in seq order (or those matching the query), read in pages. */
  iterate(query?: AuditQuery): Iterable<AuditRecord>;
  search(query: AuditQuery, page?: AuditPage): AuditSearchResult;
  count(query?: AuditQuery): number;
  last(): AuditRecord | undefined;
  /** The MAC of record `seq` (the head anchor checks the log still holds its head), or undefined. */
  macAt(seq: number): string | undefined;
}
