/**
 * Store interfaces. Routes and services depend on these, never on SQLite, so a
 * PostgreSQL store can be added later (docs/architecture.md).
 */

export const ROLES = ['staff', 'admin', 'security'] as const;
export type Role = (typeof ROLES)[number];

/** Where an account's identity comes from: kekkai's own password, or a directory / identity provider. */
export const AUTH_SOURCES = ['local', 'ldap', 'oidc', 'saml', 'kerberos'] as const;
export type AuthSource = (typeof AUTH_SOURCES)[number];
export type ExternalSource = Exclude<AuthSource, 'local'>;

/**
 * Who disabled an account: an admin (console, CLI, unused sweep — never undone
 * automatically) or the directory (sync or sign-in; undone when the directory says
 * the person is back).
 */
export type DisabledBy = 'admin' | 'directory';

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
  authSource: AuthSource;
  /** Stable id at the directory or identity provider (objectGUID, entryUUID, subject…); null for local accounts. */
  externalId: string | null;
  /** Null while enabled. */
  disabledBy: DisabledBy | null;
  /** Why the directory disabled it (not-in-directory, disabled-in-directory, no-mapped-group), else null. */
  disabledReason: string | null;
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

/** A profile change; `disabledBy`/`disabledReason` say who turns an account off (default: an admin). */
export type UserPatch = Partial<UserProfile> & { disabledBy?: DisabledBy; disabledReason?: string | null };

export interface UserRepository {
  count(): number;
  findByName(name: string): UserRecord | undefined;
  findById(id: number): UserRecord | undefined;
  create(user: { name: string; role: Role; passwordHash: string; mustChangePassword: boolean; authSource?: AuthSource; externalId?: string | null }): UserRecord;
  /** The account provisioned for this directory / identity-provider identity. */
  findByExternalId(source: ExternalSource, externalId: string): UserRecord | undefined;
  listBySource(source: AuthSource): UserRecord[];
  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void;
  recordLogin(id: number, at: string): void;
  list(): UserRecord[];
  update(id: number, profile: UserPatch): void;
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
