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
import { isErrorId, type ErrorId } from '../i18n/error-registry.js';
import { httpError, type HttpError } from './errors.js';

/** The refusals a federated sign-in hands back to the login page (through its outcome cookie). */
const FEDERATED_REFUSALS: ReadonlySet<string> = new Set<ErrorId>([
  'locked', 'source-not-allowed', 'disabled', 'account-expired', 'directory-disabled', 'no-mapped-group', 'external-name-invalid', 'name-conflict',
  'directory-unavailable', 'federation-unavailable', 'federation-invalid-response', 'federation-provider-error', 'federation-expired', 'federation-missing-claim',
]);

/** True for a refusal the outcome cookie may carry; anything else in it is ignored. */
export function isSignInRefusal(reason: string): reason is ErrorId {
  return FEDERATED_REFUSALS.has(reason);
}

/** The HTTP error for a refused sign-in; a reason the registry does not know answers as bad credentials. */
export function signInRefusal(reason: string): HttpError {
  return httpError(isErrorId(reason) ? reason : 'invalid-credentials');
}

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
