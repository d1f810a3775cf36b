/** Refusals of security-console actions: a stable message code and an HTTP status. */
import type { ReleaseScan, ReleaseScanStatus } from './release-scan.js';

export type SecurityRefusalCode =
  | 'justification-required'
  | 'justification-too-long'
  | 'quarantine-not-found'
  | 'release-no-recipient'
  | 'release-already-open'
  | 'release-not-pending'
  | 'self-approval'
  | 'quarantine-unreadable'
  | 'release-infected'
  | 'release-scan-limit'
  | 'release-scan-unavailable'
  | 'release-unscannable'
  | 'release-request-not-blocked'
  | 'release-request-ambiguous';

const STATUS: Record<SecurityRefusalCode, number> = {
  'justification-required': 400,
  'justification-too-long': 400,
  'quarantine-not-found': 404,
  'release-no-recipient': 409,
  'release-already-open': 409,
  'release-not-pending': 409,
  'self-approval': 403,
  'quarantine-unreadable': 409,
  'release-infected': 409,
  'release-scan-limit': 409,
  // The scanner is down or timed out: a retry later may succeed.
  'release-scan-unavailable': 503,
  'release-unscannable': 409,
  // A user's request: only blocked originals, and a reference number naming one of theirs.
  'release-request-not-blocked': 409,
  'release-request-ambiguous': 409,
};

/**
 * Originals blocked for what a virus scan cannot see through: encrypted content, and
 * archives past the depth, size or expansion limits. clamd answers "OK" for them unless
 * it is configured to alert (AlertEncrypted, AlertExceedsMax), so a clean rescan proves
 * nothing: they are never released (the analysis ZIP is the way to examine them).
 */
export const UNSCANNABLE_REASONS: ReadonlySet<string> = new Set(['encrypted', 'archive-too-deep', 'expansion-ratio', 'too-large']);

export class SecurityRefusal extends Error {
  readonly status: number;
  /** The release scan behind a refusal, shown in the console. */
  constructor(
    readonly code: SecurityRefusalCode,
    readonly scan?: ReleaseScan,
  ) {
    super(code);
    this.status = STATUS[code];
  }
}

/** Longest justification kept in the audit record. */
export const MAX_JUSTIFICATION = 1000;

/** A trimmed, non-empty justification of at most MAX_JUSTIFICATION characters. */
export function checkJustification(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text) throw new SecurityRefusal('justification-required');
  if ([...text].length > MAX_JUSTIFICATION) throw new SecurityRefusal('justification-too-long');
  return text;
}

const SCAN_REFUSAL: Record<Exclude<ReleaseScanStatus, 'clean'>, SecurityRefusalCode> = {
  infected: 'release-infected',
  'limit-exceeded': 'release-scan-limit',
  unavailable: 'release-scan-unavailable',
};

/** The refusal for a release scan that is not clean (undefined when clean). */
export function scanRefusal(scan: ReleaseScan): SecurityRefusal | undefined {
  if (scan.status === 'clean') return undefined;
  return new SecurityRefusal(SCAN_REFUSAL[scan.status], scan);
}
