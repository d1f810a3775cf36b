/**
 * Sign-in and server-side sessions. The cookie carries a random 256-bit token;
 * the store keeps only its SHA-256, so a database leak does not leak sessions.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AuthSessionRecord, Store, UserRecord } from '../store/repositories.js';
import { LoginThrottle } from './login-throttle.js';
import { checkPasswordRule, hashPassword, verifyPassword } from './passwords.js';

export type LoginFailure = 'invalid-credentials' | 'locked' | 'disabled';

export interface SignedIn {
  token: string;
  session: AuthSessionRecord;
  user: UserRecord;
}

export interface CurrentSession {
  session: AuthSessionRecord;
  user: UserRecord;
}

// A real hash of a random string so unknown names cost as much as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class AuthService {
  readonly throttle: LoginThrottle;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
    throttle?: LoginThrottle,
  ) {
    this.throttle = throttle ?? new LoginThrottle();
  }

  async login(name: string, password: string, sourceIp: string): Promise<SignedIn | { failure: LoginFailure }> {
    if (this.throttle.isLocked(name, sourceIp)) return { failure: 'locked' };
    const user = this.store.users.findByName(name);
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      this.throttle.recordFailure(name, sourceIp);
      return { failure: 'invalid-credentials' };
    }
    if (user.disabled) return { failure: 'disabled' };
    this.throttle.recordSuccess(name);
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    const session: AuthSessionRecord = {
      idHash: hashToken(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      sourceIp,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.maxAgeMs).toISOString(),
    };
    this.store.authSessions.create(session);
    this.store.users.recordLogin(user.id, session.createdAt);
    return { token, session, user };
  }

  /** Resolves a cookie token to a live session, or undefined. */
  resolve(token: string | undefined): CurrentSession | undefined {
    if (!token || token.length > 200) return undefined;
    const session = this.store.authSessions.find(hashToken(token));
    if (!session) return undefined;
    if (session.expiresAt <= new Date().toISOString()) {
      this.store.authSessions.delete(session.idHash);
      return undefined;
    }
    const user = this.store.users.findById(session.userId);
    if (!user || user.disabled) return undefined;
    return { session, user };
  }

  /** Changes a password after checking the current one and the password rule. */
  async changePassword(user: UserRecord, currentPassword: string, next: string): Promise<'changed' | 'wrong-password' | 'password-rule' | 'password-reused'> {
    if (!(await verifyPassword(currentPassword, user.passwordHash))) return 'wrong-password';
    if (checkPasswordRule(next)) return 'password-rule';
    if (next === currentPassword) return 'password-reused';
    this.store.users.setPassword(user.id, await hashPassword(next), false);
    return 'changed';
  }

  logout(idHash: string): void {
    this.store.authSessions.delete(idHash);
  }
}
