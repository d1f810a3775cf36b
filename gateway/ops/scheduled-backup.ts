/**
 * `kekkai backup --scheduled` (docs/operations.md, "Scheduled backups"), run daily by
 * deploy/systemd/kekkai-backup.timer: an online backup (backup.ts) into the backup
 * directory, checked, encrypted for an age recipient when one is set (the plaintext
 * exists only in a 0700 staging directory and is removed), rotated (backup-rotation.ts),
 * and copied to a second location — a mounted directory (NAS), which gets the same
 * rotation, or an rsync destination, which mirrors the backup directory's archives.
 * Leftovers of an interrupted run (staging directories, `.partial` files) go first.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BackupError, createBackup } from './backup.js';
import { encryptBackup } from './backup-encryption.js';
import { planRotation, scheduledBackupName } from './backup-rotation.js';
import { verifyArchive } from './restore.js';

const run = promisify(execFile);
const STAGING_PREFIX = '.kekkai-staging-';

export interface ScheduledBackupOptions {
  dataDir: string;
  /** Where the archives go (KEKKAI_BACKUP_DIR). */
  dir: string;
  keepDaily: number;
  keepWeekly: number;
  withQuarantine: boolean;
  /** age recipient or recipients file (KEKKAI_BACKUP_ENCRYPT_TO); unset: not encrypted. */
  encryptTo?: string | undefined;
  /** Absolute directory (a mounted NAS) or rsync destination (KEKKAI_BACKUP_COPY_TO). */
  copyTo?: string | undefined;
  externalAuditKey?: string | undefined;
  now?: () => Date;
}

export interface ScheduledBackupResult {
  /** Full path of the new archive. */
  file: string;
  bytes: number;
  encrypted: boolean;
  copiedTo: string | null;
  kept: string[];
  removed: string[];
  warnings: string[];
}

export async function runScheduledBackup(o: ScheduledBackupOptions): Promise<ScheduledBackupResult> {
  const dir = path.resolve(o.dir);
  const dataDir = path.resolve(o.dataDir);
  if (dir === dataDir || dir.startsWith(`${dataDir}${path.sep}`)) throw new BackupError(`KEKKAI_BACKUP_DIR (${dir}) must lie outside the data directory`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  removeLeftovers(dir);
  const at = o.now?.() ?? new Date();
  const encrypted = Boolean(o.encryptTo);
  const name = scheduledBackupName(at, encrypted);
  const final = path.join(dir, name);
  const staging = mkdtempSync(path.join(dir, STAGING_PREFIX));
  let warnings: string[];
  try {
    const plain = path.join(staging, scheduledBackupName(at, false));
    const summary = await createBackup({ dataDir, out: plain, withQuarantine: o.withQuarantine, externalAuditKey: o.externalAuditKey, now: () => at });
    warnings = summary.warnings;
    // Read back before it is encrypted or kept: sizes and SHA-256 against the manifest.
    verifyArchive(plain);
    if (o.encryptTo) {
      await encryptBackup(plain, `${final}.partial`, o.encryptTo);
      // age creates its output with the caller's umask; backups are the server's secrets either way.
      chmodSync(`${final}.partial`, 0o600);
      renameSync(`${final}.partial`, final);
    } else {
      renameSync(plain, final);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(`${final}.partial`, { force: true });
  }
  if (!encrypted) warnings.push('KEKKAI_BACKUP_ENCRYPT_TO is not set: the archive is NOT encrypted');
  const { keep, remove } = rotate(dir, o.keepDaily, o.keepWeekly);
  let copiedTo: string | null = null;
  if (o.copyTo) {
    copiedTo = o.copyTo;
    if (path.isAbsolute(o.copyTo)) {
      await copyToDirectory(final, o.copyTo);
      rotate(o.copyTo, o.keepDaily, o.keepWeekly);
    } else {
      await mirrorWithRsync(dir, o.copyTo);
    }
  }
  return { file: final, bytes: statSync(final).size, encrypted, copiedTo, kept: keep, removed: remove, warnings };
}

/** Staging directories and `.partial` files of a run that was killed. */
function removeLeftovers(dir: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(STAGING_PREFIX) || entry.startsWith('.kekkai-backup-') || (entry.startsWith('kekkai-') && entry.endsWith('.partial'))) {
      rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  }
}

function rotate(dir: string, keepDaily: number, keepWeekly: number): { keep: string[]; remove: string[] } {
  const plan = planRotation(readdirSync(dir), keepDaily, keepWeekly);
  for (const name of plan.remove) rmSync(path.join(dir, name), { force: true });
  return plan;
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Copies the archive into a mounted directory, complete or not at all (`.partial`, then
 * renamed), and reads it back. The directory must exist: a NAS that is not mounted
 * must fail the backup, not fill the local mount point.
 */
async function copyToDirectory(file: string, target: string): Promise<void> {
  if (!existsSync(target) || !statSync(target).isDirectory()) throw new BackupError(`KEKKAI_BACKUP_COPY_TO ${target} is not a directory (is the share mounted?)`);
  const dest = path.join(target, path.basename(file));
  try {
    await copyFile(file, `${dest}.partial`);
    if ((await sha256(`${dest}.partial`)) !== (await sha256(file))) throw new BackupError(`the copy in ${target} differs from the archive`);
    renameSync(`${dest}.partial`, dest);
  } catch (err) {
    rmSync(`${dest}.partial`, { force: true });
    if (err instanceof BackupError) throw err;
    throw new BackupError(`copy to ${target} failed: ${(err as Error).message}`);
  }
}

/** `rsync` mirrors the rotated archives of `dir` to the destination (removed ones are removed there too). */
async function mirrorWithRsync(dir: string, destination: string): Promise<void> {
  try {
    await run('rsync', ['--archive', '--delete', '--include=kekkai-*.backup', '--include=kekkai-*.backup.age', '--exclude=*', '--', `${dir}/`, destination], { timeout: 6 * 3600_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new BackupError('rsync is not installed (Debian: apt-get install rsync); KEKKAI_BACKUP_COPY_TO names an rsync destination');
    throw new BackupError(`rsync to ${destination} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(-1)[0]}`);
  }
}
