/**
 * The audit record and its canonical form (docs/audit.md).
 *
 * Times are always written in Japan Standard Time with an explicit offset
 * ("2026-11-27T13:05:00.123+09:00"), whatever the server's time zone: Japan has no
 * daylight saving, every record has the same length and offset, so the text sorts
 * chronologically and a range search is a plain string comparison.
 */
import type { Role } from '../store/repositories.js';

export const AUDIT_EVENTS = [
  'login',
  'logout',
  'password-change',
  'navigation',
  'navigation-blocked',
  'download',
  'upload',
  'policy-change',
  'account-change',
  'quarantine-action',
  'session-terminated',
  'audit-export',
  'quarantine-retention',
  'egress-refused',
  'settings-change',
  'browser-crashed',
  'worker-drain',
  'worker-joined',
  'worker-refused',
  'worker-revoked',
  'worker-join-revoked',
  'audit-anchor',
  'backup',
  'leak-guard',
  'leak-guard-policy',
  'recording-view',
  'recording-export',
  'recording-retention',
] as const;
/** Known event names; other names are accepted so a new feature need not wait for this list. */
export type AuditEventName = (typeof AUDIT_EVENTS)[number] | (string & {});

export const AUDIT_OUTCOMES = ['success', 'failure', 'blocked', 'allowed', 'error'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number] | (string & {});

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type AuditDetails = { [key: string]: JsonValue };

/** One stored audit record. Every field except `mac` is covered by the MAC. */
export interface AuditRecord {
  /** 1, 2, 3, … without gaps. */
  seq: number;
  /** ISO 8601, milliseconds, fixed +09:00 offset (see {@link formatAuditTime}). */
  time: string;
  userId: number | null;
  /** Denormalized: still readable after the account is deleted or renamed. */
  userName: string | null;
  role: Role | null;
  sourceIp: string | null;
  event: AuditEventName;
  outcome: AuditOutcome;
  /** Event-specific facts: url, verdict, rule, before/after, hashes, reason… Never secrets. */
  details: AuditDetails;
  /** Lower-case hex HMAC-SHA-256 chaining this record to the previous one. */
  mac: string;
}

/** A record before the store gives it a sequence number and the chain a MAC. */
export type UnsealedAuditRecord = Omit<AuditRecord, 'mac'>;
export type NewAuditEntry = Omit<AuditRecord, 'seq' | 'mac'>;

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** "2026-11-27T13:05:00.123+09:00" for the given instant. */
export function formatAuditTime(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  return `${new Date(ms + JST_OFFSET_MS).toISOString().slice(0, 23)}+09:00`;
}

/**
 * Parses any ISO 8601 date or date-time (with or without offset; a bare date or a
 * time without offset is read as Japan time) into the audit time format, for range
 * searches. Returns undefined for anything that is not a date.
 */
export function parseAuditTime(text: string): string | undefined {
  const s = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(s)) return undefined;
  const hasTime = /[T ]/.test(s);
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(s) && hasTime;
  const withTime = hasTime ? s.replace(' ', 'T') : `${s}T00:00`;
  const ms = Date.parse(hasOffset ? withTime : `${withTime}+09:00`);
  return Number.isFinite(ms) ? formatAuditTime(new Date(ms)) : undefined;
}

/**
 * Deterministic serialization of everything in a record except its MAC: JSON with
 * object keys sorted by UTF-16 code unit at every depth and no whitespace.
 */
export function canonicalForm(record: UnsealedAuditRecord | AuditRecord): string {
  const { seq, time, userId, userName, role, sourceIp, event, outcome, details } = record;
  return canonicalJson({ seq, time, userId, userName, role, sourceIp, event, outcome, details });
}

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('audit values must be finite numbers');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`audit values cannot be of type ${typeof value}`);
  }
}

/**
 * Makes details plain JSON exactly as they will read back from the store: Dates and
 * other toJSON values become strings, undefined members disappear, non-finite numbers
 * become null and lone surrogates (which SQLite cannot keep) become U+FFFD.
 */
export function normalizeDetails(details: unknown): AuditDetails {
  if (details === undefined || details === null) return {};
  const plain: unknown = JSON.parse(JSON.stringify(details), (_key, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v));
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) throw new TypeError('audit details must be an object');
  return plain as AuditDetails;
}

/** Strings as the store will return them (well-formed UTF-16). */
export function normalizeText(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : wellFormed(text);
}

/** With the u flag, only unpaired surrogates match a surrogate range. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
}
