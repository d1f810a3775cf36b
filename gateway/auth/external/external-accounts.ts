/**
 * Local account records of external identities: provisioned at the first sign-in,
 * updated from the directory at each sign-in and sync, disabled when the directory
 * says the person is gone — each change audited (`account-change`, with before and
 * after, where it came from and why). A local account of the same name is never
 * taken over (ExternalSignIn refuses first).
 */
import type { Actor, ChangeOrigin } from '../../actor.js';
import type { JsonValue } from '../../audit/audit-event.js';
import type { AuditSink } from '../../audit/audit-setup.js';
import type { Role, UserRecord, UserRepository } from '../../store/repositories.js';
import { recordAccountChange } from '../account-audit.js';
import type { ExternalIdentity } from './external-identity.js';

/** Never a valid scrypt hash: a directory account has no local password. */
export const NO_LOCAL_PASSWORD = '!external';

export type DirectoryDisableReason = 'not-in-directory' | 'disabled-in-directory' | 'no-mapped-group';

/** What caused a change: a person's sign-in (from their address) or the scheduled or requested sync. */
export type ChangeCause = { source: 'sign-in'; sourceIp: string } | { source: 'directory-sync'; triggeredBy?: Actor };

/** The fields the directory manages, for before/after in audit records. */
function managed(u: UserRecord): Record<string, JsonValue> {
  return { role: u.role, department: u.department, jobTitle: u.jobTitle, disabled: u.disabled, disabledBy: u.disabledBy, disabledReason: u.disabledReason };
}

export class ExternalAccounts {
  constructor(
    private readonly users: UserRepository,
    private readonly audit: AuditSink,
    /** Ends the account's sign-ins and browser sessions (the console's revoke path). */
    private readonly endSessions: (userId: number) => Promise<unknown>,
  ) {}

  /** A new account for an identity the role mapping admits. */
  provision(identity: ExternalIdentity, role: Role, cause: ChangeCause): UserRecord {
    const created = this.users.create({ name: identity.loginName, role, passwordHash: NO_LOCAL_PASSWORD, mustChangePassword: false, authSource: identity.source, externalId: identity.externalId });
    this.users.update(created.id, { department: identity.department, jobTitle: identity.jobTitle });
    const user = this.users.findById(created.id)!;
    this.record(user, cause, 'provision', null, { ...managed(user), authSource: user.authSource, externalId: user.externalId }, { locator: identity.locator ?? null });
    return user;
  }

  /**
   * Applies what the directory says now: role, department, job title; re-enables an
   * account only the directory had disabled (an admin's disable stays). A role change
   * ends the account's other sessions, as a console change does.
   */
  async update(user: UserRecord, fields: { role: Role; department: string; jobTitle: string }, cause: ChangeCause): Promise<UserRecord> {
    const reEnable = user.disabled && user.disabledBy === 'directory';
    const changed = user.role !== fields.role || user.department !== fields.department || user.jobTitle !== fields.jobTitle || reEnable;
    if (!changed) return user;
    this.users.update(user.id, { ...fields, ...(reEnable ? { disabled: false } : {}) });
    const after = this.users.findById(user.id)!;
    if (user.role !== after.role) await this.endSessions(user.id);
    this.record(after, cause, reEnable ? 'directory-enable' : 'directory-update', managed(user), managed(after), reEnable ? { reason: 'back-in-directory' } : {});
    return after;
  }

  /** Disables an enabled account because of the directory, and ends its sessions. No-op when already disabled. */
  async disable(user: UserRecord, reason: DirectoryDisableReason, cause: ChangeCause): Promise<UserRecord> {
    if (user.disabled) return user;
    this.users.update(user.id, { disabled: true, disabledBy: 'directory', disabledReason: reason });
    const after = this.users.findById(user.id)!;
    const ended = await this.endSessions(user.id);
    this.record(after, cause, 'directory-disable', managed(user), managed(after), { reason, sessionsEnded: (ended ?? null) as JsonValue });
    return after;
  }

  /** One record shape for every account change (gateway/auth/account-audit.ts). */
  private record(user: UserRecord, cause: ChangeCause, action: string, before: JsonValue, after: JsonValue, extra: Record<string, JsonValue>): void {
    const origin: ChangeOrigin =
      cause.source === 'sign-in'
        ? { source: 'sign-in', actor: { id: user.id, name: user.name, role: user.role, sourceIp: cause.sourceIp } }
        : { source: 'directory-sync', ...(cause.triggeredBy ? { actor: cause.triggeredBy } : {}) };
    recordAccountChange(this.audit, origin, { action, account: user.name, accountId: user.id, before, after, extra: { authSource: user.authSource, ...extra } });
  }
}
