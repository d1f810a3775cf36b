/**
 * The audit HMAC key lives outside the database, so that someone who can edit the
 * database cannot re-seal the chain. Default: <dataDir>/keys/audit.key (0600, 32
 * random bytes, created at first use, directory 0700). An operator may instead give
 * a path (KEKKAI_AUDIT_KEY_FILE, e.g. a mounted secret); such a file is never created
 * by kekkai, because a fresh key would silently start a chain nobody can verify.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const AUDIT_KEY_BYTES = 32;

export class AuditKeyError extends Error {
  readonly code = 'KEKKAI_ERR_AUDIT_KEY';
}

export interface AuditKeyOptions {
  dataDir: string;
  /** Explicit key file (setting audit.keyFile / KEKKAI_AUDIT_KEY_FILE); must exist. */
  keyFile?: string | undefined;
  /** Create the default key file when it is missing (the gateway does; `audit verify` does not). */
  create: boolean;
}

export interface AuditKey {
  key: Buffer;
  path: string;
  created: boolean;
  /** Things an operator should fix, e.g. a key readable by other users. */
  warnings: string[];
}

export function defaultAuditKeyPath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit.key');
}

/** Returns the key, or undefined when it does not exist and `create` is false. */
export function loadAuditKey(options: AuditKeyOptions): AuditKey | undefined {
  const explicit = Boolean(options.keyFile);
  const file = path.resolve(options.keyFile || defaultAuditKeyPath(options.dataDir));
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new AuditKeyError(`Cannot read audit key ${file}: ${(err as Error).message}`);
    if (explicit) throw new AuditKeyError(`Audit key file ${file} does not exist`);
    if (!options.create) return undefined;
    return createKey(file);
  }
  return { key: parseKey(bytes, file), path: file, created: false, warnings: permissionWarnings(file) };
}

function createKey(file: string): AuditKey {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const key = randomBytes(AUDIT_KEY_BYTES);
  try {
    // 'wx' fails if another process created the key first; then use theirs.
    writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: parseKey(readFileSync(file), file), path: file, created: false, warnings: [] };
    throw new AuditKeyError(`Cannot create audit key ${file}: ${(err as Error).message}`);
  }
  return { key, path: file, created: true, warnings: [] };
}

/** Raw bytes (at least 32), or 64 hex digits as text for keys provisioned by hand. */
function parseKey(bytes: Buffer, file: string): Buffer {
  const text = bytes.toString('latin1').trim();
  if (/^[0-9a-fA-F]{64,}$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  if (bytes.length < AUDIT_KEY_BYTES) {
    throw new AuditKeyError(`Audit key ${file} is too short: expected ${AUDIT_KEY_BYTES} random bytes or 64 hex digits`);
  }
  return bytes;
}

function permissionWarnings(file: string): string[] {
  if (process.platform === 'win32') return [];
  const mode = statSync(file).mode & 0o777;
  return mode & 0o077 ? [`Audit key ${file} is readable by other users (mode ${mode.toString(8)}); chmod 600 it`] : [];
}
