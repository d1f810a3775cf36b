/**
 * Accounts as the admin console sees them: create with a one-time password, edit
 * profile fields, reset password or second factor, delete (audit keeps names), and
 * the unused-accounts report. Never returns hashes or secrets.
 */
import { checkPasswordRule, hashPassword } from '../auth/passwords.js';
import type { AuthSource, DisabledBy, Role, Store, UserProfile, UserRecord } from '../store/repositories.js';

export const DEFAULT_UNUSED_DAYS = 90;

export interface AccountView {
  id: number;
  name: string;
  role: Role;
  department: string;
  jobTitle: string;
  expiresOn: string | null;
  allowedSources: string[];
  disabled: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  /** local, or the directory / identity provider that manages the account. */
  authSource: AuthSource;
  disabledBy: DisabledBy | null;
  disabledReason: string | null;
}

export function accountView(u: UserRecord): AccountView {
  return {
    id: u.id,
    name: u.name,
    role: u.role,
    department: u.department,
    jobTitle: u.jobTitle,
    expiresOn: u.expiresOn,
    allowedSources: u.allowedSources,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    totpEnabled: u.totpEnabled,
    createdAt: u.createdAt,
    lastLoginAt: u.lastLoginAt,
    authSource: u.authSource,
    disabledBy: u.disabledBy,
    disabledReason: u.disabledReason,
  };
}

export type CreateOutcome = { ok: true; account: AccountView } | { ok: false; reason: 'user-exists' | 'password-rule' };

export class AccountService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): AccountView[] {
    return this.store.users.list().map(accountView);
  }

  get(id: number): AccountView | undefined {
    const user = this.store.users.findById(id);
    return user ? accountView(user) : undefined;
  }

  /** New account with a one-time password the user must change at first sign-in. */
  async create(input: { name: string; oneTimePassword: string } & UserProfile): Promise<CreateOutcome> {
    if (this.store.users.findByName(input.name)) return { ok: false, reason: 'user-exists' };
    if (checkPasswordRule(input.oneTimePassword)) return { ok: false, reason: 'password-rule' };
    const user = this.store.users.create({ name: input.name, role: input.role, passwordHash: await hashPassword(input.oneTimePassword), mustChangePassword: true });
    const { role: _role, ...rest } = input;
    this.store.users.update(user.id, { department: rest.department, jobTitle: rest.jobTitle, expiresOn: rest.expiresOn, allowedSources: rest.allowedSources, disabled: rest.disabled });
    return { ok: true, account: this.get(user.id)! };
  }

  /**
   * Changes profile fields. The directory manages role, department and job title of
   * its accounts (the next sign-in or sync would undo an edit), so changing them is
   * refused; expiry, source ranges and disabling stay the admin's.
   */
  update(id: number, patch: Partial<UserProfile>): { before: AccountView; after: AccountView } | 'managed-externally' | undefined {
    const before = this.get(id);
    if (!before) return undefined;
    if (before.authSource !== 'local' && (['role', 'department', 'jobTitle'] as const).some((k) => patch[k] !== undefined && patch[k] !== before[k])) return 'managed-externally';
    this.store.users.update(id, patch);
    return { before, after: this.get(id)! };
  }

  /** Sets a one-time password (must be changed at next sign-in). */
  async resetPassword(id: number, oneTimePassword: string): Promise<'reset' | 'password-rule' | 'not-found' | 'managed-externally'> {
    const user = this.store.users.findById(id);
    if (!user) return 'not-found';
    if (user.authSource !== 'local') return 'managed-externally';
    if (checkPasswordRule(oneTimePassword)) return 'password-rule';
    this.store.users.setPassword(id, await hashPassword(oneTimePassword), true);
    return 'reset';
  }

  delete(id: number): AccountView | undefined {
    const before = this.get(id);
    if (before) this.store.users.delete(id);
    return before;
  }

  /** Accounts the directory disabled (gone, disabled there, or in no mapped group), for the unused-account report. */
  disabledByDirectory(): AccountView[] {
    return this.list().filter((a) => a.disabledBy === 'directory');
  }

  /** Enabled accounts with no sign-in (or, never signed in, created) for `days` days. */
  unused(days = DEFAULT_UNUSED_DAYS): AccountView[] {
    const cutoff = new Date(this.now().getTime() - days * 86_400_000).toISOString();
    return this.list().filter((a) => !a.disabled && (a.lastLoginAt ?? a.createdAt) < cutoff);
  }
}
