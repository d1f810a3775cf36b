/**
 * First start: when there is no account yet, create `admin` with the password
 * from KEKKAI_ADMIN_PASSWORD or a generated one-time password that must be
 * changed at first sign-in. Never a built-in default password. The creation is
 * audited (source `first-start`) like any other account change.
 */
import type { AuditSink } from '../audit/audit-setup.js';
import type { UserRepository } from '../store/repositories.js';
import { recordAccountChange } from './account-audit.js';
import { generatePassword, hashPassword } from './passwords.js';

export async function ensureFirstAdmin(users: UserRepository, configured: string | undefined, audit: AuditSink): Promise<{ name: string; password: string | null } | null> {
  if (users.count() > 0) return null;
  const password = configured ?? generatePassword();
  const passwordHash = await hashPassword(password);
  // Checked again after the slow hash: another process may have created one meanwhile.
  if (users.count() > 0) return null;
  const user = users.create({ name: 'admin', role: 'admin', passwordHash, mustChangePassword: configured === undefined });
  recordAccountChange(audit, { source: 'first-start' }, {
    action: 'create',
    account: user.name,
    accountId: user.id,
    extra: { initialCredential: configured === undefined ? 'generated-one-time' : 'KEKKAI_ADMIN_PASSWORD' },
    before: null,
    after: { name: user.name, role: user.role, mustChangePassword: user.mustChangePassword },
  });
  return { name: 'admin', password: configured === undefined ? password : null };
}
