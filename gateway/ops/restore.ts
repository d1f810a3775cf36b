/**
 * Restore of a backup archive (backup.ts) into a data directory. Order matters:
 * a first pass over the archive checks every member's name, size and SHA-256
 * against the manifest before anything is written; a second pass extracts the
 * members into a staging directory (hashed again while writing), and only then
 * are they moved into place.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { SCHEMA_VERSION } from '../database.js';
import { ArchiveError, readArchive, type MemberSink } from './backup-archive.js';
import { BackupError } from './backup.js';
import { ANCHOR_MEMBER, DATABASE_MEMBER, MANIFEST_NAME, ManifestSchema, isBackupPath, type BackupManifest } from './backup-manifest.js';

export interface RestoreOptions {
  archive: string;
  dataDir: string;
  /** Replace the database, keys and TLS files of a non-empty data directory. */
  force: boolean;
}

export interface RestoreSummary {
  dataDir: string;
  manifest: BackupManifest;
  /** True when an existing data directory's contents were replaced (--force). */
  replaced: boolean;
  warnings: string[];
}

export function restoreBackup(options: RestoreOptions): RestoreSummary {
  const dataDir = path.resolve(options.dataDir);
  const manifest = verifyArchive(options.archive);
  const replaced = checkTarget(dataDir, options.force);
  const created = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const staging = mkdtempSync(path.join(dataDir, '.restore-'));
  try {
    extract(options.archive, manifest, staging);
    if (replaced) clearTarget(dataDir, manifest.withQuarantine);
    for (const entry of readdirSync(staging)) renameSync(path.join(staging, entry), path.join(dataDir, entry));
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if (created) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  rmSync(staging, { recursive: true, force: true });
  tightenModes(dataDir);
  return { dataDir, manifest, replaced, warnings: checkDatabase(path.join(dataDir, DATABASE_MEMBER), manifest) };
}

const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** Reads the whole archive once: names, sizes, hashes against the manifest. Writes nothing. */
export function verifyArchive(archive: string): BackupManifest {
  const manifestChunks: Buffer[] = [];
  const collectManifest = (name: string, size: number): MemberSink | undefined => {
    if (name !== MANIFEST_NAME) return undefined;
    if (size > MAX_MANIFEST_BYTES) throw new ArchiveError(`${MANIFEST_NAME} is implausibly large`);
    return { write: (chunk) => manifestChunks.push(Buffer.from(chunk)), end: () => undefined };
  };
  const members = new Map<string, { size: number; sha256: string }>();
  for (const member of readArchive(archive, collectManifest)) {
    if (members.has(member.path)) throw new ArchiveError(`archive member "${member.path}" appears twice`);
    if (member.path !== MANIFEST_NAME && !isBackupPath(member.path)) throw new ArchiveError(`refused archive member "${member.path}": not a kekkai data file`);
    members.set(member.path, member);
  }
  if (!members.has(MANIFEST_NAME)) throw new ArchiveError(`not a kekkai backup: ${MANIFEST_NAME} missing`);
  let manifest: BackupManifest;
  try {
    manifest = ManifestSchema.parse(JSON.parse(Buffer.concat(manifestChunks).toString('utf8')));
  } catch (err) {
    throw new ArchiveError(`not a kekkai backup (manifest unreadable: ${(err as Error).message.split('\n')[0]})`);
  }
  const listed = new Set<string>();
  for (const entry of manifest.files) {
    if (listed.has(entry.path)) throw new ArchiveError(`manifest lists "${entry.path}" twice`);
    listed.add(entry.path);
    const member = members.get(entry.path);
    if (!member) throw new ArchiveError(`archive is incomplete: "${entry.path}" missing`);
    if (member.size !== entry.size) throw new ArchiveError(`"${entry.path}" has ${member.size} bytes, the manifest says ${entry.size}`);
    if (member.sha256 !== entry.sha256) throw new ArchiveError(`"${entry.path}" does not match its SHA-256 in the manifest: the archive is corrupt or was altered`);
  }
  for (const name of members.keys()) {
    if (name !== MANIFEST_NAME && !listed.has(name)) throw new ArchiveError(`archive member "${name}" is not in the manifest`);
  }
  if (!listed.has(DATABASE_MEMBER)) throw new ArchiveError(`archive has no ${DATABASE_MEMBER}`);
  return manifest;
}

/** Returns true when existing contents will be replaced; throws when not allowed. */
function checkTarget(dataDir: string, force: boolean): boolean {
  if (!existsSync(dataDir)) return false;
  if (!statSync(dataDir).isDirectory()) throw new BackupError(`${dataDir} is not a directory`);
  // A freshly mounted ext4 volume holds lost+found: still empty for kekkai.
  if (readdirSync(dataDir).every((name) => name === 'lost+found')) return false;
  if (!force) throw new BackupError(`data directory ${dataDir} is not empty; restore into an empty directory, or stop the gateway and add --force to replace its database, keys and TLS files`);
  const db = path.join(dataDir, DATABASE_MEMBER);
  if (existsSync(db) && databaseInUse(db)) throw new BackupError(`${db} is in use (a gateway or another kekkai command has it open); stop it first`);
  return true;
}

/**
 * True when another connection (any process) has the database open. In WAL mode
 * every open connection holds a shared lock on the wal-index; an EXCLUSIVE
 * locking-mode transaction cannot start while one exists.
 */
export function databaseInUse(dbPath: string): boolean {
  const probe = new Database(dbPath, { fileMustExist: true });
  try {
    probe.pragma('busy_timeout = 0');
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('ROLLBACK');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') || (err as { code?: string }).code?.startsWith('SQLITE_LOCKED')) return true;
    throw err;
  } finally {
    probe.close();
  }
}

/** Writes the manifest's files into staging, 0600, hashing again what is written. */
function extract(archive: string, manifest: BackupManifest, staging: string): void {
  const expected = new Map(manifest.files.map((f) => [f.path, f.sha256]));
  let open: number | undefined;
  const writeTo = (name: string): MemberSink | undefined => {
    if (!expected.has(name)) return undefined;
    const target = path.join(staging, ...name.split('/'));
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const fd = openSync(target, 'wx', 0o600);
    open = fd;
    return {
      write: (chunk) => {
        for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
      },
      end: () => {
        open = undefined;
        closeSync(fd);
      },
    };
  };
  try {
    const written = new Map(readArchive(archive, writeTo).map((m) => [m.path, m.sha256]));
    // The archive could change between the check and the copy.
    for (const [name, sha256] of expected) {
      if (written.get(name) !== sha256) throw new ArchiveError(`"${name}" changed while it was being restored`);
    }
  } finally {
    if (open !== undefined) closeSync(open);
  }
}

/**
 * --force: removes what the archive replaces. A stale WAL next to the new database would
 * corrupt it; the old head anchor would name records the restored log never had.
 */
function clearTarget(dataDir: string, withQuarantine: boolean): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path.join(dataDir, `${DATABASE_MEMBER}${suffix}`), { force: true });
  rmSync(path.join(dataDir, ANCHOR_MEMBER), { force: true });
  for (const dir of withQuarantine ? ['keys', 'tls', 'quarantine'] : ['keys', 'tls']) rmSync(path.join(dataDir, dir), { recursive: true, force: true });
}

/** Directories 0700, files 0600: the data directory holds keys and password hashes. */
function tightenModes(dataDir: string): void {
  chmodSync(dataDir, 0o700);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        chmodSync(p, 0o700);
        walk(p);
      } else if (st.isFile()) {
        chmodSync(p, 0o600);
      }
    }
  };
  for (const top of [DATABASE_MEMBER, ANCHOR_MEMBER, 'keys', 'tls', 'quarantine']) {
    const p = path.join(dataDir, top);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      chmodSync(p, 0o700);
      walk(p);
    } else chmodSync(p, 0o600);
  }
}

function checkDatabase(dbPath: string, manifest: BackupManifest): string[] {
  const db = new Database(dbPath, { fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`restored database failed SQLite's integrity check: ${String(result)}`);
  } finally {
    db.close();
  }
  const known = SCHEMA_VERSION;
  return manifest.schemaVersion > known
    ? [`the backup comes from a newer kekkai (database schema ${manifest.schemaVersion}, this version knows ${known}); upgrade kekkai before starting the gateway`]
    : [];
}
