/**
 * First start: when there is no account yet, create `admin` with the password
 * from KEKKAI_ADMIN_PASSWORD or a generated one-time password that must be
 * changed at first sign-in. Never a built-in default password.
 */
import { generatePassword, hashPassword } from './passwords.js';
import type { UserRepository } from '../store/repositories.js';

export async function ensureFirstAdmin(users: UserRepository, configured: string | undefined): Promise<{ name: string; password: string | null } | null> {
  if (users.count() > 0) return null;
  const password = configured ?? generatePassword();
  users.create({ name: 'admin', role: 'admin', passwordHash: await hashPassword(password), mustChangePassword: configured === undefined });
  return { name: 'admin', password: configured === undefined ? password : null };
}
