/**
 * The antivirus check in front of every release of a quarantined original.
 *
 * Why a fresh scan: an original may have been blocked before the sanitizer's scan
 * stage ever ran (a `type-mismatch`, a size limit, an encrypted archive), so its
 * record says nothing about malware; and the signatures may have changed since the
 * file was quarantined. So each release request, each approval and each delivery
 * decrypts the original and scans it with the scanner's current signatures. Only a
 * definite `clean` lets it through: infected, over the scanner's limits, or no answer
 * (clamd down, timeout) all refuse — there is no override (docs/consoles.md).
 */
import type { Scanner } from '../../sanitizer/index.js';

export type ReleaseScanStatus = 'clean' | 'infected' | 'limit-exceeded' | 'unavailable';

/** What the console shows and the audit record keeps of one scan. */
export interface ReleaseScan {
  status: ReleaseScanStatus;
  /** The signature name when infected, else null. */
  signature: string | null;
  scannedAt: string;
}

/** The scan and, for the audit record only, the scanner's own words when it failed. */
export interface ScanOutcome {
  scan: ReleaseScan;
  detail: string | null;
}

/** Scans the bytes; never throws — a scanner that throws counts as unavailable. */
export async function scanOriginal(scanner: Pick<Scanner, 'scan'>, bytes: Uint8Array, now: Date): Promise<ScanOutcome> {
  let result;
  try {
    result = await scanner.scan(bytes);
  } catch (err) {
    result = { status: 'unavailable' as const, detail: err instanceof Error ? err.message : String(err) };
  }
  const scannedAt = now.toISOString();
  switch (result.status) {
    case 'clean':
      return { scan: { status: 'clean', signature: null, scannedAt }, detail: null };
    case 'infected':
      return { scan: { status: 'infected', signature: result.signature.slice(0, 200), scannedAt }, detail: null };
    default:
      return { scan: { status: result.status, signature: null, scannedAt }, detail: result.detail.slice(0, 300) };
  }
}

/** The audit record's view of a scan. */
export function auditScan(o: ScanOutcome): Record<string, unknown> {
  return { scan: o.detail ? { ...o.scan, detail: o.detail } : o.scan };
}
