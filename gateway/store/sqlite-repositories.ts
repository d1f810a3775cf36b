/** SQLite implementations of the repository interfaces. */
import type { SqliteDb } from './sqlite-database.js';
import type { AuthSessionRecord, AuthSessionRepository, Role, Store, UserRecord, UserRepository } from './repositories.js';

interface UserRow {
  id: number;
  name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  must_change_password: number;
  created_at: string;
  last_login_at: string | null;
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

  create(user: { name: string; role: Role; passwordHash: string; mustChangePassword: boolean }): UserRecord {
    const result = this.db
      .prepare('INSERT INTO users (name, role, password_hash, must_change_password, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(user.name, user.role, user.passwordHash, user.mustChangePassword ? 1 : 0, new Date().toISOString());
    return this.findById(Number(result.lastInsertRowid))!;
  }

  setPassword(id: number, passwordHash: string, mustChangePassword: boolean): void {
    this.db
      .prepare('UPDATE users SET password_hash = ?, must_change_password = ? WHERE id = ?')
      .run(passwordHash, mustChangePassword ? 1 : 0, id);
  }

  recordLogin(id: number, at: string): void {
    this.db.prepare('UPDATE users SET last_login_at = ? WHERE id = ?').run(at, id);
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

  deleteForUser(userId: number): void {
    this.db.prepare('DELETE FROM auth_sessions WHERE user_id = ?').run(userId);
  }

  deleteExpired(now: string): number {
    return this.db.prepare('DELETE FROM auth_sessions WHERE expires_at <= ?').run(now).changes;
  }
}

export function createSqliteStore(db: SqliteDb): Store {
  return {
    users: new SqliteUserRepository(db),
    authSessions: new SqliteAuthSessionRepository(db),
    close: () => db.close(),
  };
}
