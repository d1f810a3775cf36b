/**
 * Online backup of a data directory: a consistent snapshot of the SQLite database
 * through SQLite's backup API (safe while the gateway writes, WAL included), the
 * audit head anchor (copied just before the snapshot, so it never names a record the
 * snapshot lacks), the key files (audit, quarantine), the TLS material and optionally
 * the quarantine blobs, packed into one tar archive with a manifest (backup-manifest.ts). The
 * manifest's sizes and SHA-256 are read back from the finished archive, so they
 * describe exactly what restore will find.
 */
import Database from 'better-sqlite3';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { appendToArchive, readArchive, writeArchive, type ArchiveFile, type ArchiveMember } from './backup-archive.js';
import { ANCHOR_MEMBER, BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DATABASE_MEMBER, MANIFEST_NAME, type BackupManifest } from './backup-manifest.js';

export class BackupError extends Error {
  readonly code = 'KEKKAI_ERR_BACKUP';
}

export interface BackupOptions {
  dataDir: string;
  out: string;
  withQuarantine: boolean;
  /** An audit key configured outside the data directory: not archived, the operator is warned. */
  externalAuditKey?: string | undefined;
  now?: () => Date;
}

export interface BackupSummary {
  out: string;
  files: ArchiveMember[];
  schemaVersion: number;
  warnings: string[];
}

export async function createBackup(options: BackupOptions): Promise<BackupSummary> {
  const dataDir = path.resolve(options.dataDir);
  const dbPath = path.join(dataDir, DATABASE_MEMBER);
  if (!existsSync(dbPath)) throw new BackupError(`no database at ${dbPath}: is KEKKAI_DATA_DIR right?`);
  const out = path.resolve(options.out);
  if (existsSync(out)) throw new BackupError(`${out} exists; choose a new file name`);
  const partial = `${out}.partial`;
  // The snapshot lands next to the archive (mode 0700 directory), not in a shared /tmp.
  const tmp = mkdtempSync(path.join(path.dirname(out), '.kekkai-backup-'));
  try {
    // The anchor first: it is written only after the records it names are committed,
    // so a copy taken before the snapshot can lag the snapshot but never run ahead of it.
    const anchor = copyAnchor(dataDir, tmp);
    const snapshot = path.join(tmp, DATABASE_MEMBER);
    const schemaVersion = await snapshotDatabase(dbPath, snapshot);
    const sources: ArchiveFile[] = [{ name: DATABASE_MEMBER, source: snapshot }, ...(anchor ? [{ name: ANCHOR_MEMBER, source: anchor }] : [])];
    for (const dir of ['keys', 'tls']) {
      for (const name of regularFiles(path.join(dataDir, dir), false)) sources.push({ name: `${dir}/${name}`, source: path.join(dataDir, dir, name) });
    }
    if (options.withQuarantine) {
      // Finished blobs only: `.tmp` files are being written and not yet indexed.
      for (const rel of regularFiles(path.join(dataDir, 'quarantine'), true).filter((f) => f.endsWith('.bin'))) {
        sources.push({ name: `quarantine/${rel}`, source: path.join(dataDir, 'quarantine', rel) });
      }
    }
    await writeArchive(partial, sources);
    const files = readArchive(partial);
    if (files.map((f) => f.path).join('\n') !== sources.map((f) => f.name).join('\n')) throw new BackupError('the archive does not hold the files that were written into it');
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      schemaVersion,
      withQuarantine: options.withQuarantine,
      files,
    };
    const manifestFile = path.join(tmp, MANIFEST_NAME);
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await appendToArchive(partial, [{ name: MANIFEST_NAME, source: manifestFile }]);
    chmodSync(partial, 0o600);
    renameSync(partial, out);
    const warnings: string[] = [];
    if (options.externalAuditKey && path.resolve(options.externalAuditKey) !== path.join(dataDir, 'keys', 'audit.key')) {
      warnings.push(`the audit key ${options.externalAuditKey} (KEKKAI_AUDIT_KEY_FILE) is outside the data directory and NOT in this backup; keep a copy of it separately`);
    }
    return { out, files, schemaVersion, warnings };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Copies the audit head anchor into the temporary directory; undefined when there is none. */
function copyAnchor(dataDir: string, tmp: string): string | undefined {
  const dest = path.join(tmp, ANCHOR_MEMBER);
  try {
    copyFileSync(path.join(dataDir, ANCHOR_MEMBER), dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return dest;
}

/** SQLite's online backup: a consistent copy even while the gateway writes. */
async function snapshotDatabase(dbPath: string, dest: string): Promise<number> {
  const src = new Database(dbPath, { fileMustExist: true });
  try {
    src.pragma('busy_timeout = 5000');
    const row = src.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number };
    await src.backup(dest);
    return row.v;
  } finally {
    src.close();
  }
}

/** Regular files under dir (relative paths, sorted); symlinks are followed, other types skipped. */
function regularFiles(dir: string, recursive: boolean): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const relName = rel ? `${rel}/${name}` : name;
      const st = statSync(path.join(dir, relName));
      if (st.isFile()) found.push(relName);
      else if (st.isDirectory() && recursive) walk(relName);
    }
  };
  walk('');
  return found;
}
