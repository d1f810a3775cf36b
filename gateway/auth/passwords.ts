/**
 * Password hashing (scrypt, N=2^15 r=8 p=1, 32-byte key, 16-byte salt) and the
 * password rule. scrypt is in Node's crypto, so no native dependency is needed;
 * the stored form names its parameters so they can be raised later.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: R, p: P, maxmem: 128 * N * R * 2 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const key = await scrypt(password.normalize('NFC'), salt, expected.length, { N: n, r, p, maxmem: 128 * n * r * 2 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * The guideline's Q&A rule: at least 13 characters mixing letters, digits and
 * symbols (8 once a second factor is on, which arrives with TOTP).
 * Returns null when acceptable, else a reason code.
 */
export function checkPasswordRule(password: string, minLength = 13): 'too-short' | 'too-simple' | 'too-long' | null {
  if (password.length > 200) return 'too-long';
  if ([...password].length < minLength) return 'too-short';
  const kinds = [/\p{L}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}\s]/u].filter((re) => re.test(password)).length;
  return kinds === 3 ? null : 'too-simple';
}

/** A random password that satisfies the rule (for the first admin account). */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(18);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  // Fixed positions guarantee the three kinds; the rest stays random.
  return `${out.slice(0, 6)}-${out.slice(6, 12)}-${out.slice(12)}7`;
}
