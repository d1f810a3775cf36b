/**
 * The one registry of error codes the gateway answers with: each id has its HTTP status,
 * its message (the entry of messages.ts with the same id unless `message` names another)
 * in Japanese and English, and its wire code `KEKKAI_ERR_<ID>` (unless `code` keeps an
 * older one). Routes throw `httpError(id)` (gateway/http/errors.ts); services refuse with
 * an id (security-errors.ts) and the status comes from here, so one id never answers
 * with two statuses. Two ids keep the wire code the client already knew
 * (`totp-already-active` → KEKKAI_ERR_FORBIDDEN, `password-managed-externally` →
 * KEKKAI_ERR_MANAGED_EXTERNALLY, `totp-confirm-invalid-code` → KEKKAI_ERR_INVALID_CODE) although their status differs from the base id's. Replies keep the shape `{ code, message: { ja, en }, ...extras }`
 * that client/admin/api.ts and client/security/api.ts read.
 */
import { MESSAGES, type MessageCode } from './messages.js';

interface ErrorEntry {
  readonly status: number;
  readonly message?: MessageCode;
  readonly code?: string;
}

export const ERRORS = {
  // Requests in general.
  'bad-request': { status: 400 },
  'invalid-query': { status: 400 },
  unauthenticated: { status: 401 },
  forbidden: { status: 403 },
  'csrf-failed': { status: 403 },
  'not-found': { status: 404 },
  'internal-error': { status: 500, code: 'KEKKAI_ERR_INTERNAL' },
  // Sign-in refusals (auth.http.ts, federation.http.ts).
  'invalid-credentials': { status: 401 },
  'invalid-code': { status: 401 },
  'sign-in-expired': { status: 401 },
  locked: { status: 429 },
  disabled: { status: 403 },
  'account-expired': { status: 403 },
  'source-not-allowed': { status: 403 },
  'directory-disabled': { status: 403 },
  'no-mapped-group': { status: 403 },
  'external-name-invalid': { status: 403 },
  'name-conflict': { status: 409 },
  'directory-unavailable': { status: 503 },
  'federation-unavailable': { status: 503 },
  'federation-invalid-response': { status: 401 },
  'federation-provider-error': { status: 401 },
  'federation-expired': { status: 401 },
  'federation-missing-claim': { status: 403 },
  'federation-not-configured': { status: 404 },
  // Kerberos single sign-on (kerberos.http.ts); a refused ticket never carries WWW-Authenticate.
  'kerberos-no-ticket': { status: 401 },
  'kerberos-bad-header': { status: 400 },
  'kerberos-invalid-token': { status: 401 },
  'kerberos-unavailable': { status: 503 },
  'kerberos-principal-invalid': { status: 403 },
  'kerberos-realm-not-allowed': { status: 403 },
  'kerberos-not-in-directory': { status: 403 },
  'kerberos-not-configured': { status: 404 },
  // One's own account.
  'totp-confirm-invalid-code': { status: 400, message: 'invalid-code', code: 'KEKKAI_ERR_INVALID_CODE' },
  'totp-already-active': { status: 409, message: 'forbidden', code: 'KEKKAI_ERR_FORBIDDEN' },
  'wrong-password': { status: 403 },
  'password-rule': { status: 400 },
  'password-rule-totp': { status: 400 },
  'password-reused': { status: 400 },
  'password-managed-externally': { status: 403, message: 'managed-externally', code: 'KEKKAI_ERR_MANAGED_EXTERNALLY' },
  // Admin console.
  'user-exists': { status: 409 },
  'policy-invalid': { status: 400 },
  'file-policy-invalid': { status: 400 },
  'invalid-cidr': { status: 400 },
  'cannot-change-self': { status: 400 },
  'managed-externally': { status: 409 },
  'role-mapping-invalid': { status: 400 },
  'role-mapping-too-many': { status: 400 },
  'directory-not-configured': { status: 404 },
  // Downloads and uploads.
  'download-not-found': { status: 404 },
  'upload-disabled': { status: 403 },
  'released-not-found': { status: 404 },
  // Leak guard (docs/leak-guard.md).
  'leak-blocked': { status: 403 },
  'leak-warning': { status: 409 },
  'leak-unreadable': { status: 422 },
  'leak-policy-invalid': { status: 400 },
  // Session recordings (docs/recording.md).
  'recording-not-found': { status: 404 },
  'reason-required': { status: 400 },
  // Security console (security-errors.ts).
  'justification-required': { status: 400 },
  'justification-too-long': { status: 400 },
  'quarantine-not-found': { status: 404 },
  'release-no-recipient': { status: 409 },
  'release-already-open': { status: 409 },
  'release-not-pending': { status: 409 },
  'self-approval': { status: 403 },
  'quarantine-unreadable': { status: 409 },
  'release-infected': { status: 409 },
  'release-scan-limit': { status: 409 },
  // The scanner is down or timed out: a retry later may succeed.
  'release-scan-unavailable': { status: 503 },
  'release-unscannable': { status: 409 },
  'release-request-not-blocked': { status: 409 },
  'release-request-ambiguous': { status: 409 },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorId = keyof typeof ERRORS;

/** True when `id` is a registered error id. */
export function isErrorId(id: string): id is ErrorId {
  return Object.hasOwn(ERRORS, id);
}

/** Status, message code and wire code of an error id. */
export function errorEntry(id: ErrorId): { status: number; message: MessageCode; code: string } {
  const entry: ErrorEntry = ERRORS[id];
  const messageCode = entry.message ?? (id as MessageCode);
  return { status: entry.status, message: messageCode, code: entry.code ?? `KEKKAI_ERR_${id.toUpperCase().replace(/-/g, '_')}` };
}

/** Ids whose message is missing from messages.ts (a test keeps this empty). */
export function errorsWithoutMessage(): string[] {
  return (Object.keys(ERRORS) as ErrorId[]).filter((id) => !Object.hasOwn(MESSAGES, errorEntry(id).message));
}
