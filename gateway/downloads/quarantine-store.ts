/**
 * Quarantine of download originals for the security team. Each original is
 * encrypted at rest with AES-256-GCM (fresh 96-bit IV per file, the record id as
 * additional data so blobs cannot be swapped between records) and indexed in
 * SQLite (QUARANTINE_MIGRATION_SQL). The key lives in `<dataDir>/keys/quarantine.key`
 * (0600, directory 0700), never in the database, so a copy of the DB alone
 * reveals no file.
 */
import type Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Role } from '../store/repositories.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAGIC = Buffer.from('KQ1\0');

/** What the index records about one original. */
export interface QuarantineMeta {
  name: string;
  trueType: string | null;
  sourceUrl: string | null;
  userId: number | null;
  userName: string | null;
  /** The downloader's role and sign-in address, for the audit record (not stored with the original). */
  role?: Role | null;
  sourceIp?: string | null;
  verdict: 'sanitized' | 'blocked';
  reason: string | null;
  signature: string | null;
  steps: unknown[];
}

/** A stored record: the metadata plus what the store computed. */
export interface QuarantineRecord extends QuarantineMeta {
  id: string;
  sha256: string;
  size: number;
  createdAt: string;
}

export interface QuarantineFilter {
  userId?: number;
  verdict?: 'sanitized' | 'blocked';
  reason?: string;
  sha256?: string;
  /** ISO time, inclusive. */
  since?: string;
  /** ISO time, exclusive. */
  until?: string;
  limit?: number;
}

/** The blob does not decrypt or does not match its record: tampered or corrupt. */
export class QuarantineIntegrityError extends Error {
  constructor(readonly id: string, detail: string) {
    super(`quarantine record ${id}: ${detail}`);
  }
}

export interface QuarantineStoreOptions {
  db: Database.Database;
  dataDir: string;
  /** A 32-byte key from elsewhere (e.g. a secret manager); default: the key file. */
  key?: Buffer;
  now?: () => Date;
}

/** One row of the `quarantine` table (the security console's index reads it too). */
export interface QuarantineRow {
  id: string;
  sha256: string;
  name: string;
  size: number;
  true_type: string | null;
  source_url: string | null;
  user_id: number | null;
  user_name: string | null;
  created_at: string;
  verdict: 'sanitized' | 'blocked';
  reason: string | null;
  signature: string | null;
  steps_json: string;
}

interface Row extends QuarantineRow {
  blob_path: string;
}

/** Reads the key file, creating it (0600 in a 0700 directory) on first use. */
export function loadOrCreateQuarantineKey(dataDir: string): Buffer {
  return loadOrCreateDataKey(dataDir, 'quarantine.key');
}

/**
 * A 32-byte encryption key in `<dataDir>/keys/<name>` (0600 in a 0700 directory),
 * created on first use; refused when others can read it. Used for the quarantine and
 * session recordings, each with its own file.
 */
export function loadOrCreateDataKey(dataDir: string, name: string): Buffer {
  const dir = path.join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = path.join(dir, name);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(KEY_BYTES));
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    // A key others can read is a leaked key: refuse rather than go on quietly.
    if ((st.mode & 0o077) !== 0) throw new Error(`${file} must have mode 0600 (has ${(st.mode & 0o777).toString(8)})`);
    const key = readFileSync(fd);
    if (key.length !== KEY_BYTES) throw new Error(`${file} must hold exactly ${KEY_BYTES} bytes`);
    return key;
  } finally {
    closeSync(fd);
  }
}

export class QuarantineStore {
  private readonly db: Database.Database;
  private readonly dir: string;
  private readonly key: Buffer;
  private readonly now: () => Date;

  constructor(o: QuarantineStoreOptions) {
    this.db = o.db;
    this.dir = path.join(o.dataDir, 'quarantine');
    this.key = o.key ?? loadOrCreateQuarantineKey(o.dataDir);
    if (this.key.length !== KEY_BYTES) throw new Error('quarantine key must be 32 bytes');
    this.now = o.now ?? (() => new Date());
  }

  /** Encrypts and stores an original; returns its record. Throws when it cannot. */
  async put(meta: QuarantineMeta, bytes: Uint8Array): Promise<QuarantineRecord> {
    const id = randomUUID();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(id));
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const blob = Buffer.concat([MAGIC, iv, cipher.getAuthTag(), body]);
    const blobPath = path.join(id.slice(0, 2), `${id}.bin`);
    const file = path.join(this.dir, blobPath);
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(`${file}.tmp`, blob, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    const record: QuarantineRecord = { ...meta, id, sha256, size: bytes.byteLength, createdAt: this.now().toISOString() };
    try {
      this.db
        .prepare(
          `INSERT INTO quarantine (id, sha256, name, size, true_type, source_url, user_id, user_name, created_at, verdict, reason, signature, steps_json, blob_path)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, sha256, meta.name, record.size, meta.trueType, meta.sourceUrl, meta.userId, meta.userName, record.createdAt, meta.verdict, meta.reason, meta.signature, JSON.stringify(meta.steps), blobPath);
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
    return record;
  }

  /** The record and its decrypted original; throws QuarantineIntegrityError on tampering. */
  async get(id: string): Promise<{ record: QuarantineRecord; bytes: Buffer } | undefined> {
    const row = this.db.prepare('SELECT * FROM quarantine WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const file = path.resolve(this.dir, row.blob_path);
    if (!file.startsWith(this.dir + path.sep)) throw new QuarantineIntegrityError(id, 'blob path outside the quarantine');
    const blob = await readFile(file);
    const head = MAGIC.length;
    if (blob.length < head + IV_BYTES + TAG_BYTES || !blob.subarray(0, head).equals(MAGIC)) throw new QuarantineIntegrityError(id, 'not a quarantine blob');
    const iv = blob.subarray(head, head + IV_BYTES);
    const tag = blob.subarray(head + IV_BYTES, head + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(row.id));
    decipher.setAuthTag(tag);
    let bytes: Buffer;
    try {
      bytes = Buffer.concat([decipher.update(blob.subarray(head + IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new QuarantineIntegrityError(id, 'authentication tag mismatch');
    }
    if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) throw new QuarantineIntegrityError(id, 'SHA-256 does not match the index');
    return { record: toQuarantineRecord(row), bytes };
  }

  /** Records, newest first. */
  list(filter: QuarantineFilter = {}): QuarantineRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (sql: string, v: string | number | undefined): void => {
      if (v === undefined) return;
      where.push(sql);
      args.push(v);
    };
    add('user_id = ?', filter.userId);
    add('verdict = ?', filter.verdict);
    add('reason = ?', filter.reason);
    add('sha256 = ?', filter.sha256);
    add('created_at >= ?', filter.since);
    add('created_at < ?', filter.until);
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 10_000));
    const sql = `SELECT * FROM quarantine ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toQuarantineRecord);
  }

  /** Removes a record and its blob (release/delete by the security team, retention). */
  async delete(id: string): Promise<boolean> {
    const row = this.db.prepare('SELECT blob_path FROM quarantine WHERE id = ?').get(id) as Pick<Row, 'blob_path'> | undefined;
    if (!row) return false;
    this.db.prepare('DELETE FROM quarantine WHERE id = ?').run(id);
    const file = path.resolve(this.dir, row.blob_path);
    if (file.startsWith(this.dir + path.sep)) await rm(file, { force: true });
    return true;
  }
}

/** The metadata of a quarantine row; a row with unreadable steps still yields a record. */
export function toQuarantineRecord(r: QuarantineRow): QuarantineRecord {
  let steps: unknown[] = [];
  try {
    const parsed: unknown = JSON.parse(r.steps_json);
    if (Array.isArray(parsed)) steps = parsed;
  } catch {
    // keep [] — the index row is still useful without its steps
  }
  return {
    id: r.id,
    sha256: r.sha256,
    name: r.name,
    size: r.size,
    trueType: r.true_type,
    sourceUrl: r.source_url,
    userId: r.user_id,
    userName: r.user_name,
    createdAt: r.created_at,
    verdict: r.verdict,
    reason: r.reason,
    signature: r.signature,
    steps,
  };
}
