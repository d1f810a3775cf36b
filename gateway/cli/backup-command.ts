/**
 * `kekkai backup --out FILE [--with-quarantine]` and `kekkai restore FILE [--force]`.
 * The work is in ops/backup.ts and ops/restore.ts; this module parses arguments and
 * prints what was done. Exit codes: 0 done, 1 refused or failed, 2 usage.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config-schema.js';
import { ArchiveError } from '../ops/backup-archive.js';
import { BackupError, createBackup } from '../ops/backup.js';
import { AGE_MAGIC, decryptBackup } from '../ops/backup-encryption.js';
import { restoreBackup } from '../ops/restore.js';
import { runScheduledBackupCommand } from './scheduled-backup-command.js';

/** The settings these commands read (`backup` only for --scheduled). */
export type BackupCommandConfig = Pick<Config, 'dataDir'> & { audit?: { keyFile?: string | undefined } | undefined } & Partial<Pick<Config, 'backup' | 'logLevel'>>;

const BACKUP_USAGE = 'Usage: kekkai backup --out FILE [--with-quarantine] | kekkai backup --scheduled\n';
const RESTORE_USAGE = 'Usage: kekkai restore FILE [--identity AGE-KEY-FILE] [--force]\n';

export async function runBackup(args: string[], config: Readonly<BackupCommandConfig>): Promise<number> {
  const parsed = parse(args, { out: { type: 'string' }, 'with-quarantine': { type: 'boolean' }, scheduled: { type: 'boolean' } }, BACKUP_USAGE);
  if (!parsed) return 2;
  if (parsed.values.scheduled) {
    // Settings, not flags: the timer and the operator's own runs behave alike (KEKKAI_BACKUP_*).
    if (parsed.values.out !== undefined || parsed.values['with-quarantine'] || parsed.positionals.length > 0 || !config.backup) {
      process.stderr.write(`${BACKUP_USAGE}--scheduled takes its settings from KEKKAI_BACKUP_* (docs/operations.md)\n`);
      return 2;
    }
    return runScheduledBackupCommand({ ...config, backup: config.backup });
  }
  const out = parsed.values.out;
  if (typeof out !== 'string' || !out || parsed.positionals.length > 0) {
    process.stderr.write(BACKUP_USAGE);
    return 2;
  }
  return report(async () => {
    const summary = await createBackup({
      dataDir: config.dataDir,
      out,
      withQuarantine: parsed.values['with-quarantine'] === true,
      externalAuditKey: config.audit?.keyFile,
    });
    const bytes = summary.files.reduce((n, f) => n + f.size, 0);
    for (const f of summary.files) process.stdout.write(`  ${f.path}  ${f.size} bytes  sha256 ${f.sha256}\n`);
    process.stdout.write(`backup written to ${summary.out} (mode 0600): ${summary.files.length} files, ${bytes} bytes, database schema ${summary.schemaVersion}\n`);
    process.stdout.write('It contains keys and password hashes: store it encrypted and offline.\n');
    for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
  });
}

export async function runRestore(args: string[], config: Readonly<BackupCommandConfig>): Promise<number> {
  const parsed = parse(args, { force: { type: 'boolean' }, identity: { type: 'string' } }, RESTORE_USAGE);
  if (!parsed) return 2;
  const [archive, ...extra] = parsed.positionals;
  if (!archive || extra.length > 0) {
    process.stderr.write(RESTORE_USAGE);
    return 2;
  }
  const identity = parsed.values.identity;
  return report(async () => {
    const summary = await withDecrypted(archive, typeof identity === 'string' ? identity : undefined, (plain) => restoreBackup({ archive: plain, dataDir: config.dataDir, force: parsed.values.force === true }));
    const m = summary.manifest;
    process.stdout.write(`archive verified: ${m.files.length} files, SHA-256 OK, made ${m.createdAt}, database schema ${m.schemaVersion}\n`);
    for (const f of m.files) process.stdout.write(`  restored ${f.path}  ${f.size} bytes\n`);
    if (!m.withQuarantine) process.stdout.write('  (the backup has no quarantine files: quarantined originals listed in the database cannot be opened)\n');
    process.stdout.write(`${summary.replaced ? 'replaced the contents of' : 'restored into'} ${summary.dataDir} (directories 0700, files 0600)\n`);
    process.stdout.write('Next: check KEKKAI_AUDIT_KEY_FILE/TLS settings, start the gateway, run "kekkai audit verify" and sign in.\n');
    for (const w of summary.warnings) process.stderr.write(`warning: ${w}\n`);
  });
}

/**
 * An age-encrypted archive (scheduled backups with KEKKAI_BACKUP_ENCRYPT_TO) is decrypted
 * with the identity kept apart into a private temporary directory, restored from there
 * and removed; a plain archive is used as it is.
 */
async function withDecrypted<T>(archive: string, identity: string | undefined, restore: (plain: string) => T): Promise<T> {
  if (!isAgeFile(archive)) return restore(archive);
  if (!identity) throw new BackupError(`${archive} is encrypted (age): give the private key with --identity FILE`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kekkai-restore-'));
  try {
    const plain = path.join(tmp, 'archive.backup');
    await decryptBackup(archive, plain, identity);
    return restore(plain);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function isAgeFile(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(AGE_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('latin1') === AGE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

function parse(args: string[], options: Options, usage: string): ReturnType<typeof parseArgs> | undefined {
  try {
    return parseArgs({ args, options, allowPositionals: true });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}`);
    return undefined;
  }
}

async function report(work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof ArchiveError || (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES') {
      process.stderr.write(`kekkai: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
