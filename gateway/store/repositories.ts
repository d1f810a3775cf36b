/**
 * Store interfaces. Routes and services depend on these, never on SQLite, so a
 * PostgreSQL store can be added later (docs/architecture.md).
 */

export const ROLES = ['staff', 'admin', 'security'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: number;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export interface UserRepository {
  count(): number;
  findByName(name: string): UserRecord | undefined;
  findById(id: number): UserRecord | undefined;
  create(user: { name: string; role: Role; passwordHash: string; mustChangePassword: boolean }): UserRecord;
  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void;
  recordLogin(id: number, at: string): void;
}

export interface AuthSessionRecord {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  idHash: string;
  userId: number;
  csrfToken: string;
  sourceIp: string;
  createdAt: string;
  expiresAt: string;
}

export interface AuthSessionRepository {
  create(session: AuthSessionRecord): void;
  find(idHash: string): AuthSessionRecord | undefined;
  delete(idHash: string): void;
  deleteForUser(userId: number): void;
  deleteExpired(now: string): number;
}

/** Everything the gateway keeps, behind interfaces. */
export interface Store {
  users: UserRepository;
  authSessions: AuthSessionRepository;
  close(): void;
}
