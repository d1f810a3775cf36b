/**
 * Encrypts TOTP secrets at rest (AES-256-GCM). The key lives outside the database,
 * in <dataDir>/keys/totp.key (0600, 32 random bytes, created at first use), so a
 * copy of the database alone does not give away anyone's second factor.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1:';

export class TotpVault {
  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) throw new Error('TOTP key must be 32 bytes');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the text was not made with this key or was altered. */
  decrypt(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('unknown TOTP secret format');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

export function totpKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'totp.key');
}

/** Loads the key file, creating it (0600, directory 0700) when missing. */
export function openTotpVault(dataDir: string): TotpVault {
  const file = totpKeyPath(dataDir);
  try {
    return new TotpVault(readFileSync(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  chmodSync(path.dirname(file), 0o700);
  const key = randomBytes(KEY_BYTES);
  try {
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return new TotpVault(readFileSync(file));
  }
  return new TotpVault(key);
}
