/**
 * One shape for the audit record of an account change, whatever the entry point
 * (admin console, account page, sign-in enrolment, `kekkai user add`, first start):
 * who and from where (`source`), which account, and what it was before and after.
 * Callers pass account views, never hashes or secrets; AuditLog's redaction is the
 * safety net behind that.
 */
import { auditOrigin, type ChangeOrigin } from '../actor.js';
import type { AuditSink } from '../audit/audit-setup.js';

export interface AccountChange {
  /** create, update, delete, reset-password, reset-totp, totp-enrol, disable-unused, … */
  action: string;
  /** The account's name (kept readable after it is renamed or deleted), or null. */
  account: string | null;
  accountId?: number | undefined;
  before: unknown;
  after: unknown;
  /** Further facts (e.g. the days of an unused-account sweep). */
  extra?: Record<string, unknown>;
}

export function recordAccountChange(audit: AuditSink, origin: ChangeOrigin, change: AccountChange): void {
  const { who, details } = auditOrigin(origin);
  audit.record({
    ...who,
    event: 'account-change',
    outcome: 'success',
    details: {
      action: change.action,
      ...details,
      account: change.account,
      ...(change.accountId !== undefined ? { accountId: change.accountId } : {}),
      ...change.extra,
      before: change.before ?? null,
      after: change.after ?? null,
    },
  });
}
