/** Refusals of security-console actions: a stable message code and an HTTP status. */
import { errorEntry } from '../i18n/error-registry.js';
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
    // One status per code, from the gateway's error registry.
    this.status = errorEntry(code).status;
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
