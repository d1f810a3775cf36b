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
  department: string;
  jobTitle: string;
  /** Last day the account may sign in (YYYY-MM-DD, Japan time), or null. */
  expiresOn: string | null;
  /** CIDRs this account may sign in from, on top of its role's; empty = the role's ranges. */
  allowedSources: string[];
  /** AES-256-GCM ciphertext of the TOTP secret; null until enrolment starts. */
  totpSecret: string | null;
  totpEnabled: boolean;
  /** Last accepted TOTP time step (RFC 6238 replay protection). */
  totpLastStep: number;
}

/** Editable account fields (the admin console's form). */
export interface UserProfile {
  role: Role;
  department: string;
  jobTitle: string;
  expiresOn: string | null;
  allowedSources: string[];
  disabled: boolean;
}

export interface UserRepository {
  count(): number;
  findByName(name: string): UserRecord | undefined;
  findById(id: number): UserRecord | undefined;
  create(user: { name: string; role: Role; passwordHash: string; mustChangePassword: boolean }): UserRecord;
  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void;
  recordLogin(id: number, at: string): void;
  list(): UserRecord[];
  update(id: number, profile: Partial<UserProfile>): void;
  delete(id: number): void;
  setTotp(id: number, fields: { secret?: string | null; enabled?: boolean; lastStep?: number }): void;
  /** Replaces the recovery codes (hashes) of an account. */
  setRecoveryCodes(id: number, hashes: readonly string[]): void;
  /** Marks one unused recovery code used; false when there is no such unused code. */
  useRecoveryCode(id: number, hash: string): boolean;
  unusedRecoveryCodes(id: number): number;
}

/** Small key-value store for operator settings (JSON values). */
export interface SettingsRepository {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
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
  deleteForUser(userId: number): number;
  deleteExpired(now: string): number;
}

/** Everything the gateway keeps, behind interfaces. */
export interface Store {
  users: UserRepository;
  authSessions: AuthSessionRepository;
  settings: SettingsRepository;
  /** Answers a trivial query (readiness); throws when the store is unusable. */
  ping(): boolean;
  close(): void;
}
