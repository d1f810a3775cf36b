/**
 * The `login` audit records and log lines of every way in — password, TOTP step,
 * OIDC, SAML, Kerberos — written the same way: who (or the name tried), the address, the
 * reason of a refusal, the identity source when it is not a local account, and
 * `secondFactor: idp-mfa` when a provider's MFA stood in for TOTP.
 */
import type { FastifyRequest } from 'fastify';
import type { JsonValue } from '../audit/audit-event.js';
import type { AuditSink } from '../audit/audit-setup.js';
import type { SignedIn } from '../auth/auth-service.js';
import type { UserRecord } from '../store/repositories.js';

/** HTTP status of each sign-in refusal (anything else: 401). */
export const REFUSAL_STATUS: Partial<Record<string, number>> = {
  locked: 429,
  'source-not-allowed': 403,
  disabled: 403,
  'account-expired': 403,
  'directory-disabled': 403,
  'no-mapped-group': 403,
  'external-name-invalid': 403,
  'name-conflict': 409,
  'directory-unavailable': 503,
  'federation-unavailable': 503,
  'federation-invalid-response': 401,
  'federation-provider-error': 401,
  'federation-expired': 401,
  'federation-missing-claim': 403,
  'kerberos-no-ticket': 401,
  'kerberos-bad-header': 400,
  'kerberos-invalid-token': 401,
  'kerberos-unavailable': 503,
  'kerberos-principal-invalid': 403,
  'kerberos-realm-not-allowed': 403,
  'kerberos-not-in-directory': 403,
};

export function who(user: UserRecord | undefined, req: FastifyRequest, fallbackName?: string) {
  return user
    ? { userId: user.id, userName: user.name, role: user.role, sourceIp: req.ip }
    : { userName: fallbackName?.slice(0, 100) ?? null, sourceIp: req.ip };
}

/** Logs and audits a refused sign-in; `details` never reach the client. */
export function auditRefusal(audit: AuditSink, req: FastifyRequest, reason: string, user: UserRecord | undefined, name?: string, details: Record<string, JsonValue> = {}): void {
  req.log.warn({ event: 'login', outcome: 'failure', reason, sourceIp: req.ip }, 'sign-in refused');
  const source = user && user.authSource !== 'local' ? { authSource: user.authSource } : {};
  audit.record({ ...who(user, req, name), event: 'login', outcome: 'failure', details: { ...details, ...source, reason } });
}

/** Logs and audits a sign-in that produced a session. */
export function auditSignedIn(audit: AuditSink, req: FastifyRequest, result: SignedIn, totpEnrolled = false, extra: Record<string, JsonValue> = {}): void {
  req.log.info({ event: 'login', outcome: 'success', userId: result.user.id, sourceIp: req.ip }, 'signed in');
  const details: Record<string, JsonValue> = {
    ...(totpEnrolled ? { totpEnrolled: true } : {}),
    ...(result.user.authSource !== 'local' ? { authSource: result.user.authSource } : {}),
    ...(result.secondFactor ? { secondFactor: result.secondFactor } : {}),
    ...(result.firstStep ?? {}),
    ...extra,
  };
  audit.record({ ...who(result.user, req), event: 'login', outcome: 'success', details });
}
