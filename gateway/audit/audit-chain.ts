/**
 * The HMAC hash chain over audit records (docs/audit.md):
 *
 *   mac_0 = HMAC-SHA-256(key, "kekkai-audit-chain-v1")
 *   mac_n = HMAC-SHA-256(key, mac_{n-1} || canonicalForm(record_n))
 *
 * where mac_{n-1} is the 32 raw bytes and the canonical form is UTF-8. Because each
 * canonical form contains its seq, editing, deleting, inserting or reordering records
 * breaks the chain at the first affected record; a wrong key breaks it at the first.
 * Pure functions: no I/O.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalForm, type AuditRecord, type UnsealedAuditRecord } from './audit-event.js';

export const GENESIS_LABEL = 'kekkai-audit-chain-v1';

export type ChainBreakReason =
  /** Content, MAC or key differs: the record was edited, forged or sealed with another key. */
  | 'mac-mismatch'
  /** A sequence number is missing: firstBadSeq is the first missing one (record deleted). */
  | 'sequence-gap'
  /** A sequence number repeats or goes backwards (records reordered or duplicated). */
  | 'out-of-order'
  /** The record cannot be canonicalized or its MAC is not 64 hex digits. */
  | 'malformed';

export type VerifyResult =
  | { ok: true; count: number; lastSeq: number | null; lastMac: string | null }
  | { ok: false; count: number; firstBadSeq: number; reason: ChainBreakReason };

export function genesisMac(key: Uint8Array): string {
  return createHmac('sha256', key).update(GENESIS_LABEL, 'utf8').digest('hex');
}

/** The MAC of `record` given the previous record's MAC (or null for the first record). */
export function computeMac(key: Uint8Array, previousMac: string | null, record: UnsealedAuditRecord): string {
  const prev = Buffer.from(previousMac ?? genesisMac(key), 'hex');
  return createHmac('sha256', key).update(prev).update(canonicalForm(record), 'utf8').digest('hex');
}

export function sealRecord(key: Uint8Array, previousMac: string | null, record: UnsealedAuditRecord): AuditRecord {
  return { ...record, mac: computeMac(key, previousMac, record) };
}

const HEX_MAC = /^[0-9a-f]{64}$/;

/**
 * Checks records in the order given; the chain starts at seq 1 with the genesis MAC.
 * `count` is the number of records that verified before the first break.
 */
export function verifyChain(records: Iterable<AuditRecord>, key: Uint8Array): VerifyResult {
  let expectedSeq = 1;
  let previousMac: string | null = null;
  let count = 0;
  for (const record of records) {
    if (!Number.isSafeInteger(record.seq)) return { ok: false, count, firstBadSeq: expectedSeq, reason: 'malformed' };
    if (record.seq > expectedSeq) return { ok: false, count, firstBadSeq: expectedSeq, reason: 'sequence-gap' };
    if (record.seq < expectedSeq) return { ok: false, count, firstBadSeq: record.seq, reason: 'out-of-order' };
    if (typeof record.mac !== 'string' || !HEX_MAC.test(record.mac)) {
      return { ok: false, count, firstBadSeq: record.seq, reason: 'malformed' };
    }
    let expected: string;
    try {
      expected = computeMac(key, previousMac, record);
    } catch {
      return { ok: false, count, firstBadSeq: record.seq, reason: 'malformed' };
    }
    if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(record.mac, 'hex'))) {
      return { ok: false, count, firstBadSeq: record.seq, reason: 'mac-mismatch' };
    }
    previousMac = record.mac;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count, lastSeq: count > 0 ? expectedSeq - 1 : null, lastMac: previousMac };
}

/** One line for people: "audit chain OK: 12 records" or where and why it breaks. */
export function describeVerifyResult(result: VerifyResult): string {
  if (result.ok) return `audit chain OK: ${result.count} records`;
  const why: Record<ChainBreakReason, string> = {
    'mac-mismatch': 'its MAC does not match (the record was changed, forged, or the key is wrong)',
    'sequence-gap': 'it is missing (a record was deleted)',
    'out-of-order': 'it repeats or comes out of order (records were reordered or duplicated)',
    malformed: 'it cannot be read as an audit record',
  };
  return `audit chain BROKEN at record seq ${result.firstBadSeq}: ${result.reason} — ${why[result.reason]}; ${result.count} records before it verified`;
}
