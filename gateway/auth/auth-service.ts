/**
 * Sign-in and server-side sessions. The cookie carries a random 256-bit token;
 * the store keeps only its SHA-256, so a database leak does not leak sessions.
 * Sign-in is one step (password) or two (password, then a TOTP or recovery code —
 * or, for admin and security accounts without one, TOTP enrolment). Names without
 * a local account, and accounts a directory provisioned, are checked by the
 * directory when one is configured (`useDirectory`; docs/directory-sign-in.md);
 * external identities then pass the same rules through `continueSignIn`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { JsonValue } from '../audit/audit-event.js';
import type { AuthSessionRecord, Role, Store, UserRecord } from '../store/repositories.js';
import { LoginThrottle } from './login-throttle.js';
import { checkPasswordRule, hashPassword, verifyPassword } from './passwords.js';
import { PendingSignIns } from './pending-signins.js';
import { SecondFactor } from './second-factor.js';
import { roleSourceRanges, sourceAllowed } from './source-ranges.js';
import type { TotpVault } from './totp-vault.js';

export type LoginFailure =
  | 'invalid-credentials'
  | 'locked'
  | 'disabled'
  | 'account-expired'
  | 'source-not-allowed'
  // External identities (docs/directory-sign-in.md):
  | 'directory-unavailable'
  | 'directory-disabled'
  | 'no-mapped-group'
  | 'name-conflict'
  | 'external-name-invalid';
export type CodeFailure = 'invalid-code' | 'locked' | 'sign-in-expired';

export interface SignedIn {
  token: string;
  session: AuthSessionRecord;
  user: UserRecord;
  /** Set when an identity provider's MFA claim stood in for kekkai's TOTP (audited). */
  secondFactor?: 'idp-mfa';
  /** The first step of a sign-in finished by a second factor, when it was not a password (audited). */
  firstStep?: Record<string, JsonValue>;
}

/** A refused sign-in; `details` go to the audit record only, never to the client. */
export interface SignInRefusal {
  failure: LoginFailure;
  user?: UserRecord;
  details?: Record<string, JsonValue>;
}

export type SignInResult = SignedIn | SecondStep | SignInRefusal;

/** A directory that checks passwords itself (LDAP bind); see gateway/directory/. */
export interface PasswordDirectory {
  /** Sign-in of a name with no local account, or of an account this directory provisioned. */
  signIn(name: string, password: string, sourceIp: string): Promise<SignInResult>;
  /** True when the directory accepts this name and password (explains a clash with a local account). */
  accepts(name: string, password: string): Promise<boolean>;
}

/** Password accepted; the second step is a code ('totp') or enrolment ('enrol'). */
export interface SecondStep {
  pending: 'totp' | 'enrol';
  pendingToken: string;
  user: UserRecord;
}

export interface CurrentSession {
  session: AuthSessionRecord;
  user: UserRecord;
}

/** Roles that must have a second factor before they may do anything. */
export const TOTP_REQUIRED_ROLES: readonly Role[] = ['admin', 'security'];

// A real hash of a random string so unknown names cost as much as known ones.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Today in Japan (YYYY-MM-DD): account expiry dates are Japanese calendar days. */
export function tokyoDate(now = new Date()): string {
  return new Date(now.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

/** Minimum password length for this account: 8 with a second factor, else 13. */
export function passwordMinLength(user: Pick<UserRecord, 'totpEnabled'>): number {
  return user.totpEnabled ? 8 : 13;
}

export class AuthService {
  readonly throttle: LoginThrottle;
  readonly pending = new PendingSignIns();
  secondFactor: SecondFactor | undefined;
  private directory: PasswordDirectory | undefined;

  constructor(
    private readonly store: Store,
    private readonly maxAgeMs: number,
    throttle?: LoginThrottle,
    opts: { totpVault?: TotpVault } = {},
  ) {
    this.throttle = throttle ?? new LoginThrottle();
    if (opts.totpVault) this.useTotpVault(opts.totpVault);
  }

  /** Turns on TOTP (needs the key that encrypts secrets at rest). */
  useTotpVault(vault: TotpVault): void {
    this.secondFactor = new SecondFactor(this.store.users, vault);
  }

  /** Password sign-in also asks this directory (names without a local account). */
  useDirectory(directory: PasswordDirectory | undefined): void {
    this.directory = directory;
  }

  /** One-step sign-in for callers without a second step (tests, a trusted-header proxy later). */
  async login(name: string, password: string, sourceIp: string): Promise<SignedIn | { failure: LoginFailure | 'second-factor-required'; user?: UserRecord }> {
    const result = await this.signIn(name, password, sourceIp);
    return 'pending' in result ? { failure: 'second-factor-required', user: result.user } : result;
  }

  /** Password step: a session, a second step, or a refusal. */
  async signIn(name: string, password: string, sourceIp: string): Promise<SignInResult> {
    if (this.throttle.isLocked(name, sourceIp)) return { failure: 'locked' };
    const user = this.store.users.findByName(name);
    if (user?.authSource === 'ldap' || (!user && this.directory)) {
      if (this.directory) return this.directory.signIn(name, password, sourceIp);
      return { failure: 'directory-unavailable', user };
    }
    // Local accounts, and accounts of providers without passwords (they sign in there): scrypt.
    const ok = user?.authSource === 'local' && (await verifyPassword(password, user.passwordHash));
    if (!user || !ok) {
      if (!user || user.authSource !== 'local') await verifyPassword(password, DUMMY_HASH);
      // Never a takeover: a directory user whose name a local account holds is told so.
      if (user?.authSource === 'local' && this.directory && (await this.directory.accepts(name, password))) {
        return { failure: 'name-conflict', details: { localAccount: user.name } };
      }
      this.throttle.recordFailure(name, sourceIp);
      return { failure: 'invalid-credentials' };
    }
    const refusal = this.refusal(user, sourceIp);
    if (refusal) return { failure: refusal, user };
    return this.continueSignIn(user, sourceIp);
  }

  /**
   * After the credentials were checked (password, or an identity provider) and
   * `refusal` found nothing: the second factor when the account needs one, else a
   * session. `idpMfa`: the provider vouched for MFA and the settings trust it.
   * `firstStep`: how the first step was passed when not by password (kept with a pending
   * second step so the sign-in's audit record says it, e.g. `checkedBy: kerberos`).
   */
  continueSignIn(user: UserRecord, sourceIp: string, opts: { idpMfa?: boolean; firstStep?: Record<string, JsonValue> } = {}): SignedIn | SecondStep {
    if (opts.idpMfa && (user.totpEnabled || TOTP_REQUIRED_ROLES.includes(user.role))) return { ...this.startSession(user, sourceIp), secondFactor: 'idp-mfa' };
    const firstStep = opts.firstStep ? { firstStep: opts.firstStep } : {};
    if (user.totpEnabled) {
      if (!this.secondFactor) throw new Error('TOTP key not loaded');
      return { pending: 'totp', pendingToken: this.pending.add({ userId: user.id, sourceIp, kind: 'totp', ...firstStep }), user };
    }
    if (this.secondFactor && TOTP_REQUIRED_ROLES.includes(user.role)) {
      return { pending: 'enrol', pendingToken: this.pending.add({ userId: user.id, sourceIp, kind: 'enrol', ...firstStep }), user };
    }
    return this.startSession(user, sourceIp);
  }

  /** Why this account may not sign in from this address now, or null. */
  refusal(user: UserRecord, sourceIp: string): Exclude<LoginFailure, 'invalid-credentials' | 'locked'> | null {
    if (user.disabled) return 'disabled';
    if (user.expiresOn !== null && tokyoDate() > user.expiresOn) return 'account-expired';
    if (!sourceAllowed(user, sourceIp, roleSourceRanges(this.store.settings))) return 'source-not-allowed';
    return null;
  }

  /** Second step: a TOTP code or a recovery code; throttled like passwords. */
  verifyCode(pendingToken: string, code: string, sourceIp: string): SignedIn | { failure: CodeFailure; user?: UserRecord } {
    const entry = this.pending.get(pendingToken, sourceIp);
    const user = entry?.kind === 'totp' ? this.store.users.findById(entry.userId) : undefined;
    if (!entry || !user || !this.secondFactor) return { failure: 'sign-in-expired' };
    if (this.throttle.isLocked(user.name, sourceIp, 'after-password')) return { failure: 'locked', user };
    if (!this.secondFactor.check(user, code)) {
      this.throttle.recordFailure(user.name, sourceIp);
      return { failure: 'invalid-code', user };
    }
    this.pending.delete(pendingToken);
    return { ...this.startSession(user, sourceIp), ...(entry.firstStep ? { firstStep: entry.firstStep } : {}) };
  }

  /** Enrolment during sign-in, step 1: a new secret for the pending account. */
  async beginPendingEnrolment(pendingToken: string, sourceIp: string): Promise<{ secret: string; uri: string; qr: string } | undefined> {
    const entry = this.pending.get(pendingToken, sourceIp);
    const user = entry?.kind === 'enrol' ? this.store.users.findById(entry.userId) : undefined;
    if (!user || !this.secondFactor) return undefined;
    return this.secondFactor.begin(user);
  }

  /** Enrolment during sign-in, step 2: the first code confirms it and signs in. */
  finishPendingEnrolment(pendingToken: string, code: string, sourceIp: string): { signedIn: SignedIn; recoveryCodes: string[] } | { failure: CodeFailure; user?: UserRecord } {
    const entry = this.pending.get(pendingToken, sourceIp);
    const user = entry?.kind === 'enrol' ? this.store.users.findById(entry.userId) : undefined;
    if (!entry || !user || !this.secondFactor) return { failure: 'sign-in-expired' };
    if (this.throttle.isLocked(user.name, sourceIp, 'after-password')) return { failure: 'locked', user };
    const recoveryCodes = this.secondFactor.finish(user, code);
    if (!recoveryCodes) {
      this.throttle.recordFailure(user.name, sourceIp);
      return { failure: 'invalid-code', user };
    }
    this.pending.delete(pendingToken);
    return { signedIn: { ...this.startSession(this.store.users.findById(user.id)!, sourceIp), ...(entry.firstStep ? { firstStep: entry.firstStep } : {}) }, recoveryCodes };
  }

  private startSession(user: UserRecord, sourceIp: string): SignedIn {
    this.throttle.recordSuccess(user.name, sourceIp);
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

  /**
   * Resolves a cookie token to a live session, or undefined. With `sourceIp`, the
   * request must come from the address the session signed in from, and that
   * address must still be allowed for the account.
   */
  resolve(token: string | undefined, sourceIp?: string): CurrentSession | undefined {
    if (!token || token.length > 200) return undefined;
    const session = this.store.authSessions.find(hashToken(token));
    if (!session) return undefined;
    if (session.expiresAt <= new Date().toISOString()) {
      this.store.authSessions.delete(session.idHash);
      return undefined;
    }
    const user = this.store.users.findById(session.userId);
    if (!user || user.disabled) return undefined;
    if (user.expiresOn !== null && tokyoDate() > user.expiresOn) return undefined;
    if (sourceIp !== undefined) {
      if (sourceIp !== session.sourceIp) return undefined;
      if (!sourceAllowed(user, sourceIp, roleSourceRanges(this.store.settings))) return undefined;
    }
    return { session, user };
  }

  /**
   * Changes a password after checking the current one (throttled like sign-in) and
   * the rule; every other sign-in session of the account ends, as after a suspected misuse.
   */
  async changePassword(
    user: UserRecord,
    currentPassword: string,
    next: string,
    from: { sourceIp: string; keepSession: string },
  ): Promise<'changed' | 'wrong-password' | 'password-rule' | 'password-reused' | 'locked' | 'managed-externally'> {
    // A directory account's password is changed at the directory, never here.
    if (user.authSource !== 'local') return 'managed-externally';
    if (this.throttle.isLocked(user.name, from.sourceIp, 'after-password')) return 'locked';
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      this.throttle.recordFailure(user.name, from.sourceIp);
      return 'wrong-password';
    }
    if (checkPasswordRule(next, passwordMinLength(user))) return 'password-rule';
    if (next === currentPassword) return 'password-reused';
    this.store.users.setPassword(user.id, await hashPassword(next), false);
    const kept = this.store.authSessions.find(from.keepSession);
    this.store.authSessions.deleteForUser(user.id);
    if (kept) this.store.authSessions.create(kept);
    return 'changed';
  }

  logout(idHash: string): void {
    this.store.authSessions.delete(idHash);
  }

  /** Ends every sign-in session of an account at once; returns how many. */
  revokeUser(userId: number): number {
    return this.store.authSessions.deleteForUser(userId);
  }
}
