/**
 * The HMAC hash chain over audit records (docs/audit.md):
 *
 *   mac_0 = HMAC-SHA-256(key, "kekkai-audit-chain-v1")
 *   mac_n = HMAC-SHA-256(key, mac_{n-1} || canonicalForm(record_n))
 *
 * where mac_{n-1} is the 32 raw bytes and the canonical form is UTF-8. Because each
 * canonical form contains its seq, editing, deleting, inserting or reordering records
 * breaks the chain at the first affected record; a wrong key breaks it at the first.
 * Cutting records off the end leaves a valid shorter chain: that is caught by comparing
 * with a head kept outside the database (`ExpectedHead`, the head anchor file of
 * audit-anchor.ts or the last seq/MAC a syslog collector received).
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
  | 'malformed'
  /** The log ends before the anchored head: firstBadSeq..missingTo were cut off the end. */
  | 'truncated'
  /** The record at the anchored seq is not the anchored one: the log was cut back and written again. */
  | 'head-mismatch'
  /** There are records but no head anchor, so a cut-off end could not be noticed. */
  | 'anchor-missing'
  /** The head anchor was altered, or written with another key. */
  | 'anchor-invalid';

/**
 * What is known from outside the database about the chain's head: "the log had at
 * least `seq` records and record `seq` had MAC `mac`" (seq 0: the empty chain, whose
 * MAC is the genesis MAC), or that the anchor is missing or unreadable.
 */
export type ExpectedHead =
  | { state: 'ok'; seq: number; mac: string; writtenAt?: string | undefined; source?: string | undefined }
  | { state: 'missing' }
  | { state: 'invalid'; problem: string };

export type VerifyResult =
  | {
      ok: true;
      count: number;
      lastSeq: number | null;
      lastMac: string | null;
      /** Highest seq an expected head vouches for (null when none was given). */
      anchoredSeq?: number | null;
    }
  | {
      ok: false;
      count: number;
      firstBadSeq: number;
      reason: ChainBreakReason;
      /** For 'truncated': the last missing seq (the anchored head). */
      missingTo?: number;
      /** For the anchor reasons: when the anchor was written, or what is wrong with it. */
      anchorWrittenAt?: string;
      anchorProblem?: string;
    };

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
 * `count` is the number of records that verified before the first break. With
 * `heads`, an intact chain must also reach each head and hold its MAC at its seq.
 */
export function verifyChain(records: Iterable<AuditRecord>, key: Uint8Array, heads: readonly ExpectedHead[] = []): VerifyResult {
  const seen = new Map<number, string>(heads.flatMap((h) => (h.state === 'ok' ? [[h.seq, '']] : [])));
  const chain = verifyRecords(tap(records, seen), key);
  if (!chain.ok) return chain;
  seen.set(0, genesisMac(key));
  let anchoredSeq: number | null = null;
  for (const head of heads) {
    const broken = checkHead(head, chain.count, seen);
    if (broken) return broken;
    if (head.state === 'ok') anchoredSeq = Math.max(anchoredSeq ?? 0, head.seq);
  }
  return heads.length > 0 ? { ...chain, anchoredSeq } : chain;
}

/** Remembers the MACs of the records at the seqs in `seen` while passing records on. */
function* tap(records: Iterable<AuditRecord>, seen: Map<number, string>): Iterable<AuditRecord> {
  for (const record of records) {
    if (seen.has(record.seq)) seen.set(record.seq, record.mac);
    yield record;
  }
}

function checkHead(head: ExpectedHead, count: number, seen: ReadonlyMap<number, string>): Extract<VerifyResult, { ok: false }> | undefined {
  if (head.state === 'missing') return count === 0 ? undefined : { ok: false, count, firstBadSeq: count + 1, reason: 'anchor-missing' };
  if (head.state === 'invalid') return { ok: false, count, firstBadSeq: count + 1, reason: 'anchor-invalid', anchorProblem: head.problem };
  const when = head.writtenAt ? { anchorWrittenAt: head.writtenAt } : {};
  if (head.seq > count) return { ok: false, count, firstBadSeq: count + 1, reason: 'truncated', missingTo: head.seq, ...when };
  if (!sameMac(seen.get(head.seq) ?? '', head.mac)) return { ok: false, count, firstBadSeq: head.seq, reason: 'head-mismatch', ...when };
  return undefined;
}

function sameMac(a: string, b: string): boolean {
  return HEX_MAC.test(a) && HEX_MAC.test(b) && timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function verifyRecords(records: Iterable<AuditRecord>, key: Uint8Array): Extract<VerifyResult, { ok: false }> | { ok: true; count: number; lastSeq: number | null; lastMac: string | null } {
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

/**
 * For people: "audit chain OK: 12 records", or where and why it breaks — the first
 * line in English, then the same in Japanese for the broken case.
 */
export function describeVerifyResult(result: VerifyResult): string {
  if (result.ok) {
    const anchored = result.anchoredSeq === undefined || result.anchoredSeq === null ? '' : `; head anchor at seq ${result.anchoredSeq}`;
    return `audit chain OK: ${result.count} records${anchored}`;
  }
  const { en, ja } = explain(result);
  return `audit chain BROKEN at record seq ${result.firstBadSeq}: ${result.reason} — ${en}; ${result.count} records before it verified\n監査ログの改ざん・欠落を検出しました（記録 ${result.firstBadSeq}）: ${ja}`;
}

function explain(r: Extract<VerifyResult, { ok: false }>): { en: string; ja: string } {
  const at = r.anchorWrittenAt ? ` (anchor written ${r.anchorWrittenAt})` : '';
  const atJa = r.anchorWrittenAt ? `（アンカー記録時刻 ${r.anchorWrittenAt}）` : '';
  switch (r.reason) {
    case 'mac-mismatch':
      return { en: 'its MAC does not match (the record was changed, forged, or the key is wrong)', ja: 'MAC が一致しません（記録の変更・偽造、または鍵の誤り）' };
    case 'sequence-gap':
      return { en: 'it is missing (a record was deleted)', ja: 'この記録がありません（削除されています）' };
    case 'out-of-order':
      return { en: 'it repeats or comes out of order (records were reordered or duplicated)', ja: '番号が重複しているか順序が違います（並べ替え・複製）' };
    case 'malformed':
      return { en: 'it cannot be read as an audit record', ja: '監査記録として読めません' };
    case 'truncated':
      return {
        en: `records seq ${r.firstBadSeq}–${r.missingTo} are missing from the end of the log; the head anchor says the log reached seq ${r.missingTo}${at}`,
        ja: `末尾の記録 ${r.firstBadSeq}〜${r.missingTo} が削除されています。ヘッドアンカーでは記録 ${r.missingTo} まで存在していました${atJa}`,
      };
    case 'head-mismatch':
      return {
        en: `it is not the record the head anchor names: the log was cut back and written again from seq ${r.firstBadSeq} or earlier${at}`,
        ja: `ヘッドアンカーが示す記録と異なります。記録 ${r.firstBadSeq} 以前で切り詰められ、書き直されています${atJa}`,
      };
    case 'anchor-missing':
      return {
        en: 'the head anchor (audit-head.json) is missing, so records cut off the end cannot be ruled out',
        ja: 'ヘッドアンカー（audit-head.json）がないため、末尾の記録の削除を否定できません',
      };
    case 'anchor-invalid':
      return {
        en: `the head anchor (audit-head.json) was altered or written with another key (${r.anchorProblem ?? 'unreadable'})`,
        ja: 'ヘッドアンカー（audit-head.json）が改ざんされているか、別の鍵で書かれています',
      };
  }
}
