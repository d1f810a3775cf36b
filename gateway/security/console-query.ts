/**
 * Query-string parsing shared by the security console's list routes: date ranges
 * typed in Japan time, paging, and enumerations. Bad values are refused, not ignored,
 * so a typo never silently widens a search.
 */
import { parseAuditTime } from '../audit/audit-event.js';

export class InvalidQuery extends Error {
  constructor(readonly field: string) {
    super(`invalid query field ${field}`);
  }
}

export type Query = Record<string, unknown>;

export function text(q: Query, field: string, max = 200): string | undefined {
  const v = q[field];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) throw new InvalidQuery(field);
  return v.trim() || undefined;
}

export function oneOf<T extends string>(q: Query, field: string, values: readonly T[]): T | undefined {
  const v = text(q, field);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new InvalidQuery(field);
  return v as T;
}

export function int(q: Query, field: string, min: number, max: number, fallback: number): number {
  const v = text(q, field, 12);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v)) throw new InvalidQuery(field);
  const n = Number(v);
  if (n < min || n > max) throw new InvalidQuery(field);
  return n;
}

/**
 * `from`/`to` as audit times (Japan time, +09:00). A bare date in `to` means the
 * whole day is included: the bound becomes the next midnight.
 */
export function auditRange(q: Query): { from?: string; to?: string } {
  const from = text(q, 'from', 40);
  const to = text(q, 'to', 40);
  const out: { from?: string; to?: string } = {};
  if (from !== undefined) out.from = parseAuditTime(from) ?? invalid('from');
  if (to !== undefined) {
    const parsed = parseAuditTime(to) ?? invalid('to');
    out.to = /^\d{4}-\d{2}-\d{2}$/.test(to) ? parseAuditTime(nextDay(to))! : parsed;
  }
  return out;
}

/** The same range as UTC ISO instants (the quarantine index stores toISOString()). */
export function isoRange(q: Query): { since?: string; until?: string } {
  const { from, to } = auditRange(q);
  const out: { since?: string; until?: string } = {};
  if (from) out.since = new Date(from).toISOString();
  if (to) out.until = new Date(to).toISOString();
  return out;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function invalid(field: string): never {
  throw new InvalidQuery(field);
}
