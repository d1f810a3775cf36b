/**
 * The audit log service used by routes and sessions: stamps, redacts, seals and
 * stores records, verifies the chain, searches, and hands each new record to
 * listeners (the syslog forwarder) without letting them fail the caller.
 */
import type { Role } from '../store/repositories.js';
import { computeMac, verifyChain, type VerifyResult } from './audit-chain.js';
import {
  formatAuditTime,
  normalizeDetails,
  normalizeText,
  type AuditEventName,
  type AuditOutcome,
  type AuditRecord,
} from './audit-event.js';
import type { AuditPage, AuditQuery, AuditRepository, AuditSearchResult } from './audit-repository.js';
import type { HeadWitness } from './head-anchor.js';

/** What a caller reports; the log adds seq, time and MAC. */
export interface AuditEventInput {
  event: AuditEventName;
  outcome: AuditOutcome;
  userId?: number | null;
  userName?: string | null;
  role?: Role | null;
  sourceIp?: string | null;
  /**
   * Plain JSON-able facts. Members named like secrets (password, token, cookie, otp…)
   * are replaced by "[redacted]" unless they are booleans, e.g. mustChangePassword.
   */
  details?: Record<string, unknown>;
}

export type AuditListener = (record: AuditRecord) => void;

export interface AuditLogOptions {
  now?: () => Date;
  /** Called when a listener throws; the record is stored regardless. */
  onListenerError?: (err: unknown) => void;
  /**
   * The head anchor kept outside the database: told of every record, and compared
   * by verify() so that records cut off the end are reported (docs/audit.md).
   */
  head?: HeadWitness;
}

/** Member names whose values never reach the log, at any depth. */
const SECRET_NAME = /pass(word|wd|phrase)|secret|token|cookie|^t?otp|authorization|api[-_]?key|private[-_]?key|^key$/i;

export class AuditLog {
  private readonly listeners = new Set<AuditListener>();
  private readonly now: () => Date;

  constructor(
    private readonly repository: AuditRepository,
    private readonly key: Uint8Array,
    private readonly options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Appends one record, sealed into the chain, and returns it as stored. */
  record(input: AuditEventInput): AuditRecord {
    const record = this.repository.append(
      {
        time: formatAuditTime(this.now()),
        userId: input.userId ?? null,
        userName: normalizeText(input.userName),
        role: input.role ?? null,
        sourceIp: normalizeText(input.sourceIp),
        event: normalizeText(input.event) ?? '',
        outcome: normalizeText(input.outcome) ?? '',
        details: normalizeDetails(redactSecrets(input.details ?? {})),
      },
      (previousMac, unsealed) => computeMac(this.key, previousMac, unsealed),
    );
    this.options.head?.note(record);
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch (err) {
        this.options.onListenerError?.(err);
      }
    }
    return record;
  }

  /**
   * Checks the whole chain from seq 1 and, with a head anchor, that nothing was cut
   * off the end. Synchronous: run it off the request path for large logs.
   */
  verify(): VerifyResult {
    // The anchor is read before the records: it is only ever written after the records
    // it names were committed, so this order cannot mistake a fresh append for a cut.
    const heads = this.options.head ? [this.options.head.expected()] : [];
    return verifyChain(this.repository.iterate(), this.key, heads);
  }

  /** Anchors the newest record now rather than within the anchor's interval. */
  async flushHead(): Promise<void> {
    await this.options.head?.flush();
  }

  search(query: AuditQuery = {}, page: AuditPage = {}): AuditSearchResult {
    return this.repository.search(query, page);
  }

  /** Records in seq order for exports. */
  records(query: AuditQuery = {}): Iterable<AuditRecord> {
    return this.repository.iterate(query);
  }

  count(query: AuditQuery = {}): number {
    return this.repository.count(query);
  }

  /** Returns a function that removes the listener. */
  subscribe(listener: AuditListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 32 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    out[name] = SECRET_NAME.test(name) && v !== null && v !== undefined && typeof v !== 'boolean' ? '[redacted]' : redactSecrets(v, depth + 1);
  }
  return out;
}
