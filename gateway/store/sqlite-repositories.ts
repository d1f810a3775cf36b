/** SQLite implementations of the repository interfaces. */
import type { SqliteDb } from './sqlite-database.js';
import type { AuthSessionRecord, AuthSessionRepository, AuthSource, DisabledBy, ExternalSource, Role, SettingsRepository, Store, UserPatch, UserRecord, UserRepository } from './repositories.js';

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  must_change_password: number;
  created_at: string;
  last_login_at: string | null;
  department: string;
  job_title: string;
  expires_on: string | null;
  allowed_sources: string;
  totp_secret: string | null;
  totp_enabled: number;
  totp_last_step: number;
  auth_source: AuthSource;
  external_id: string | null;
  disabled_by: DisabledBy | null;
  disabled_reason: string | null;
}

function toUser(row: UserRow | undefined): UserRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    disabled: row.disabled === 1,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
    department: row.department,
    jobTitle: row.job_title,
    expiresOn: row.expires_on,
    allowedSources: JSON.parse(row.allowed_sources) as string[],
    totpSecret: row.totp_secret,
    totpEnabled: row.totp_enabled === 1,
    totpLastStep: row.totp_last_step,
    authSource: row.auth_source,
    externalId: row.external_id,
    // Accounts disabled before migration 8 count as disabled by an admin (never re-enabled automatically).
    disabledBy: row.disabled === 1 ? (row.disabled_by ?? 'admin') : null,
    disabledReason: row.disabled === 1 ? row.disabled_reason : null,
  };
}

export class SqliteUserRepository implements UserRepository {
  constructor(private readonly db: SqliteDb) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  findByName(name: string): UserRecord | undefined {
    return toUser(this.db.prepare('SELECT * FROM users WHERE name = ?').get(name) as UserRow | undefined);
  }

  findById(id: number): UserRecord | undefined {
    return toUser(this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined);
  }

  create(user: { name: string; role: Role; passwordHash: string; mustChangePassword: boolean; authSource?: AuthSource; externalId?: string | null }): UserRecord {
    const result = this.db
      .prepare('INSERT INTO users (name, role, password_hash, must_change_password, created_at, auth_source, external_id) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(user.name, user.role, user.passwordHash, user.mustChangePassword ? 1 : 0, new Date().toISOString(), user.authSource ?? 'local', user.externalId ?? null);
    return this.findById(Number(result.lastInsertRowid))!;
  }

  findByExternalId(source: ExternalSource, externalId: string): UserRecord | undefined {
    return toUser(this.db.prepare('SELECT * FROM users WHERE auth_source = ? AND external_id = ?').get(source, externalId) as UserRow | undefined);
  }

  listBySource(source: AuthSource): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users WHERE auth_source = ? ORDER BY name').all(source) as UserRow[]).map((row) => toUser(row)!);
  }

  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void {
    this.db
      .prepare('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?')
      .run(passwordHash, mustChangePassword ? 1 : 0, id);
  }

  recordLogin(id: number, at: string): void {
    this.db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?').run(at, id);
  }

  list(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY name').all() as UserRow[]).map((row) => toUser(row)!);
  }

  update(id: number, p: UserPatch): void {
    const cols: Array<[string, unknown]> = [];
    if (p.role !== undefined) cols.push(['role', p.role]);
    if (p.department !== undefined) cols.push(['department', p.department]);
    if (p.jobTitle !== undefined) cols.push(['job_title', p.jobTitle]);
    if (p.expiresOn !== undefined) cols.push(['expires_on', p.expiresOn]);
    if (p.allowedSources !== undefined) cols.push(['allowed_sources', JSON.stringify(p.allowedSources)]);
    if (p.disabled !== undefined) {
      cols.push(['disabled', p.disabled ? 1 : 0]);
      cols.push(['disabled_by', p.disabled ? (p.disabledBy ?? 'admin') : null]);
      cols.push(['disabled_reason', p.disabled ? (p.disabledReason ?? null) : null]);
    }
    if (cols.length === 0) return;
    this.db.prepare(`UPDATE users SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map(([, v]) => v), id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }

  setTotp(id: number, f: { secret?: string | null; enabled?: boolean; lastStep?: number }): void {
    if (f.secret !== undefined) this.db.prepare('UPDATE users SET totp_secret = ? WHERE id = ?').run(f.secret, id);
    if (f.enabled !== undefined) this.db.prepare('UPDATE users SET totp_enabled = ? WHERE id = ?').run(f.enabled ? 1 : 0, id);
    if (f.lastStep !== undefined) this.db.prepare('UPDATE users SET totp_last_step = ? WHERE id = ?').run(f.lastStep, id);
  }

  setRecoveryCodes(id: number, hashes: readonly string[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM recovery_codes WHERE user_id = ?').run(id);
      const insert = this.db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)');
      for (const hash of hashes) insert.run(id, hash);
    })();
  }

  useRecoveryCode(id: number, hash: string): boolean {
    const result = this.db
      .prepare('UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL')
      .run(new Date().toISOString(), id, hash);
    return result.changes === 1;
  }

  unusedRecoveryCodes(id: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL').get(id) as { n: number }).n;
  }
}

interface SessionRow {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  source_ip: string;
  created_at: string;
  expires_at: string;
}

export class SqliteAuthSessionRepository implements AuthSessionRepository {
  constructor(private readonly db: SqliteDb) {}

  create(s: AuthSessionRecord): void {
    this.db
      .prepare('INSERT INTO auth_sessions (id_hash, user_id, csrf_token, source_ip, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.idHash, s.userId, s.csrfToken, s.sourceIp, s.createdAt, s.expiresAt);
  }

  find(idHash: string): AuthSessionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM auth_sessions WHERE id_hash = ?').get(idHash) as SessionRow | undefined;
    if (!row) return undefined;
    return {
      idHash: row.id_hash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      sourceIp: row.source_ip,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  delete(idHash: string): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE id_hash = ?').run(idHash);
  }

  deleteForUser(userId: number): number {
    return this.db.prepare('DELETE FROM auth_sessions WHERE user_id = ?').run(userId).changes;
  }

  deleteExpired(now: string): number {
    return this.db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?').run(now).changes;
  }
}

export class SqliteSettingsRepository implements SettingsRepository {
  constructor(private readonly db: SqliteDb) {}

  get(key: string): unknown {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(key, JSON.stringify(value), new Date().toISOString());
  }
}

export function createSqliteStore(db: SqliteDb): Store {
  return {
    users: new SqliteUserRepository(db),
    authSessions: new SqliteAuthSessionRepository(db),
    settings: new SqliteSettingsRepository(db),
    ping: () => {
      db.prepare('SELECT 1').get();
      return true;
    },
    close: () => db.close(),
  };
}
