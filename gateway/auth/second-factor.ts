/**
 * The TOTP second factor of accounts: enrolment (secret, QR code, first code,
 * recovery codes) and checking codes. Secrets are stored encrypted (TotpVault)
 * and never logged.
 */
import type { UserRecord, UserRepository } from '../store/repositories.js';
import { checkTotp, hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri, qrDataUrl } from './totp.js';
import type { TotpVault } from './totp-vault.js';

export class SecondFactor {
  constructor(
    private readonly users: UserRepository,
    private readonly vault: TotpVault,
  ) {}

  /** Stores a new (not yet active) secret; returns what the enrolment screen shows. */
  async begin(user: UserRecord): Promise<{ secret: string; uri: string; qr: string }> {
    const secret = newTotpSecret();
    this.users.setTotp(user.id, { secret: this.vault.encrypt(secret), enabled: false, lastStep: 0 });
    const uri = otpauthUri(secret, user.name);
    return { secret, uri, qr: await qrDataUrl(uri) };
  }

  /** Confirms enrolment with a first code; returns the new recovery codes, or null. */
  finish(user: UserRecord, code: string): string[] | null {
    if (!user.totpSecret) return null;
    // A code already used (e.g. to sign in) is not accepted again.
    const step = checkTotp(this.vault.decrypt(user.totpSecret), code, user.totpLastStep);
    if (step === null) return null;
    const codes = newRecoveryCodes();
    this.users.setRecoveryCodes(user.id, codes.map(hashRecoveryCode));
    this.users.setTotp(user.id, { enabled: true, lastStep: step });
    return codes;
  }

  /** A TOTP code (each accepted once) or an unused recovery code (then used up). */
  check(user: UserRecord, code: string): boolean {
    if (!user.totpEnabled || !user.totpSecret) return false;
    if (looksLikeRecoveryCode(code) && !/^\d+$/.test(code.trim())) return this.users.useRecoveryCode(user.id, hashRecoveryCode(code));
    const step = checkTotp(this.vault.decrypt(user.totpSecret), code, user.totpLastStep);
    if (step === null) return false;
    this.users.setTotp(user.id, { lastStep: step });
    return true;
  }

  /** Turns the second factor off (admin reset); the account re-enrols if its role needs it. */
  reset(userId: number): void {
    this.users.setTotp(userId, { secret: null, enabled: false, lastStep: 0 });
    this.users.setRecoveryCodes(userId, []);
  }
}
