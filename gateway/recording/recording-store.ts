/**
 * Session recordings at rest (docs/recording.md): one file per recording under
 * `<dataDir>/recordings`, written as it goes in chunks, each encrypted with
 * AES-256-GCM (fresh IV, the recording id and chunk number as additional data, so
 * chunks can be neither swapped nor reordered), with the key in
 * `<dataDir>/keys/recordings.key` — never in the database. The index (who, when,
 * how long, which sites) is in SQLite for the security console's search.
 */
import type Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadOrCreateDataKey } from '../downloads/quarantine-store.js';
import type { Role } from '../store/repositories.js';
import type { RecordingSummary } from '../../protocol/recording-format.js';

export type { RecordingSummary };

const MAGIC = Buffer.from('KR1\0');
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** A recording larger than this is not handed out whole (the player would not cope either). */
export const MAX_RECORDING_READ_BYTES = 1024 * 1024 * 1024;

export interface RecordingOwner {
  userId: number | null;
  userName: string;
  role: Role | null;
  sourceIp: string | null;
}

export interface RecordingFilter {
  user?: string | undefined;
  site?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: number | undefined;
}

/** Figures the writer reports as it goes. */
export interface RecordingProgress {
  durationMs: number;
  frames: number;
  events: number;
  sites: string[];
  ended: boolean;
}

interface Row {
  id: string;
  user_id: number | null;
  user_name: string;
  role: Role | null;
  source_ip: string | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number;
  bytes: number;
  frames: number;
  events: number;
  sites_json: string;
  blob_path: string;
}

export class RecordingIntegrityError extends Error {
  constructor(id: string, why: string) {
    super(`recording ${id}: ${why}`);
  }
}

/** Appends encrypted chunks to one recording's file, in order. */
export class RecordingFile {
  private chunk = 0;
  private bytes = MAGIC.length;
  /** Encrypted bytes handed to append but not yet on disk. */
  private queued = 0;
  private tail: Promise<void>;

  constructor(
    readonly id: string,
    private readonly file: string,
    private readonly key: Buffer,
    private readonly onWritten: (bytes: number) => void,
  ) {
    this.tail = mkdir(path.dirname(file), { recursive: true, mode: 0o700 }).then(() => writeFile(file, MAGIC, { mode: 0o600 }));
  }

  /** Encrypts and appends one chunk (queued behind earlier ones). */
  append(plain: Uint8Array): Promise<void> {
    const index = this.chunk++;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(`${this.id}:${index}`));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const out = Buffer.concat([length, iv, cipher.getAuthTag(), body]);
    this.queued += out.length;
    this.tail = this.tail.then(async () => {
      try {
        await appendFile(this.file, out);
        this.bytes += out.length;
        this.onWritten(this.bytes);
      } finally {
        this.queued -= out.length;
      }
    });
    return this.tail;
  }

  /** Bytes waiting to be written (a slow disk): the recorder drops frames beyond a bound. */
  backlogBytes(): number {
    return this.queued;
  }

  /** Resolves when everything appended so far is on disk. */
  flushed(): Promise<void> {
    return this.tail;
  }
}

export class RecordingStore {
  private readonly dir: string;
  private readonly key: Buffer;

  constructor(
    private readonly db: Database.Database,
    dataDir: string,
    private readonly now: () => Date = () => new Date(),
    key?: Buffer,
  ) {
    this.dir = path.join(dataDir, 'recordings');
    this.key = key ?? loadOrCreateDataKey(dataDir, 'recordings.key');
  }

  /** Starts a recording: its index row and its (empty) file. */
  create(owner: RecordingOwner): { id: string; file: RecordingFile; progress(p: RecordingProgress): void } {
    const id = randomUUID();
    const blobPath = path.join(id.slice(0, 2), `${id}.rec`);
    const startedAt = this.now().toISOString();
    this.db
      .prepare('INSERT INTO recordings (id, user_id, user_name, role, source_ip, started_at, blob_path) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(id, owner.userId, owner.userName, owner.role, owner.sourceIp, startedAt, blobPath);
    const setBytes = this.db.prepare('UPDATE recordings SET bytes = ? WHERE id = ?');
    const setProgress = this.db.prepare('UPDATE recordings SET duration_ms = ?, frames = ?, events = ?, sites_json = ?, ended_at = ? WHERE id = ?');
    const file = new RecordingFile(id, path.join(this.dir, blobPath), this.key, (bytes) => setBytes.run(bytes, id));
    return {
      id,
      file,
      progress: (p) => setProgress.run(p.durationMs, p.frames, p.events, JSON.stringify(p.sites.slice(0, 200)), p.ended ? this.now().toISOString() : null, id),
    };
  }

  /** Recordings, newest first. */
  list(filter: RecordingFilter = {}): RecordingSummary[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.user) {
      where.push("user_name LIKE ? ESCAPE '\\'");
      args.push(`%${escapeLike(filter.user)}%`);
    }
    if (filter.site) {
      where.push("sites_json LIKE ? ESCAPE '\\'");
      args.push(`%${escapeLike(filter.site.toLowerCase())}%`);
    }
    if (filter.since) {
      where.push('started_at >= ?');
      args.push(filter.since);
    }
    if (filter.until) {
      where.push('started_at < ?');
      args.push(filter.until);
    }
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
    const sql = `SELECT * FROM recordings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, rowid DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toSummary);
  }

  get(id: string): RecordingSummary | undefined {
    const row = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Row | undefined;
    return row ? toSummary(row) : undefined;
  }

  /** The decrypted records of a recording (protocol/recording-format.ts); throws RecordingIntegrityError on tampering. */
  async read(id: string): Promise<Buffer | undefined> {
    const row = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    const file = this.fileOf(row);
    const blob = await readFile(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.from(MAGIC);
      throw err;
    });
    if (blob.length > MAX_RECORDING_READ_BYTES) throw new RecordingIntegrityError(id, 'too large to play');
    if (!blob.subarray(0, MAGIC.length).equals(MAGIC)) throw new RecordingIntegrityError(id, 'not a recording file');
    const parts: Buffer[] = [];
    let p = MAGIC.length;
    for (let index = 0; p < blob.length; index++) {
      // A chunk cut short by a crash ends the recording there.
      if (p + 4 + IV_BYTES + TAG_BYTES > blob.length) break;
      const length = blob.readUInt32BE(p);
      const start = p + 4 + IV_BYTES + TAG_BYTES;
      if (start + length > blob.length) break;
      const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(p + 4, p + 4 + IV_BYTES));
      decipher.setAAD(Buffer.from(`${id}:${index}`));
      decipher.setAuthTag(blob.subarray(p + 4 + IV_BYTES, start));
      try {
        parts.push(Buffer.concat([decipher.update(blob.subarray(start, start + length)), decipher.final()]));
      } catch {
        throw new RecordingIntegrityError(id, `chunk ${index} fails its authentication tag`);
      }
      p = start + length;
    }
    return Buffer.concat(parts);
  }

  async delete(id: string): Promise<boolean> {
    const row = this.db.prepare('SELECT * FROM recordings WHERE id = ?').get(id) as Row | undefined;
    if (!row) return false;
    this.db.prepare('DELETE FROM recordings WHERE id = ?').run(id);
    await rm(this.fileOf(row), { force: true });
    return true;
  }

  /** Deletes the recordings that started before `before`; returns how many. */
  async purgeBefore(before: Date): Promise<number> {
    const rows = this.db.prepare('SELECT id FROM recordings WHERE started_at < ?').all(before.toISOString()) as Array<{ id: string }>;
    for (const { id } of rows) await this.delete(id);
    return rows.length;
  }

  private fileOf(row: Row): string {
    const file = path.resolve(this.dir, row.blob_path);
    if (!file.startsWith(this.dir + path.sep)) throw new RecordingIntegrityError(row.id, 'file path outside the recordings directory');
    return file;
  }
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function toSummary(r: Row): RecordingSummary {
  let sites: string[] = [];
  try {
    const parsed = JSON.parse(r.sites_json) as unknown;
    if (Array.isArray(parsed)) sites = parsed.filter((s): s is string => typeof s === 'string');
  } catch {
    sites = [];
  }
  return {
    id: r.id,
    userId: r.user_id,
    userName: r.user_name,
    role: r.role,
    sourceIp: r.source_ip,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    bytes: r.bytes,
    frames: r.frames,
    events: r.events,
    sites,
  };
}
