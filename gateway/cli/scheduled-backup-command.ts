/**
 * `kekkai backup --scheduled`: what deploy/systemd/kekkai-backup.service runs daily
 * (ops/scheduled-backup.ts does the work). Every run leaves three traces, so a failed
 * backup cannot go unnoticed: a JSON log line (the journal), a `backup` audit record
 * (outcome `success` or `error`, actor `os:<user>`), and `<dataDir>/backup-status.json`,
 * from which the gateway's /metrics (`kekkai_backup_last_success_timestamp_seconds`,
 * `kekkai_backup_last_run_ok`) and the compliance page read. Exit 0 done, 1 failed
 * (systemd marks the unit failed), 2 usage.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { auditOrigin, currentOsAccount } from '../actor.js';
import { openAuditLog, type AuditSetupConfig } from '../audit/audit-setup.js';
import type { Config } from '../config/config-schema.js';
import { openDatabase } from '../database.js';
import { loggerOptions } from '../logging.js';
import { DATABASE_MEMBER } from '../ops/backup-manifest.js';
import { writeBackupStatus } from '../ops/backup-status.js';
import { runScheduledBackup, type ScheduledBackupResult } from '../ops/scheduled-backup.js';

export type ScheduledBackupConfig = AuditSetupConfig & Pick<Config, 'backup'> & { logLevel?: Config['logLevel'] };

export async function runScheduledBackupCommand(config: Readonly<ScheduledBackupConfig>, now: () => Date = () => new Date()): Promise<number> {
  const log = pino(loggerOptions(config.logLevel ?? 'info')).child({ component: 'backup' });
  const at = now();
  const b = config.backup;
  let result: ScheduledBackupResult | null = null;
  let error: string | null = null;
  try {
    if (!b.dir) throw new Error('KEKKAI_BACKUP_DIR is not set: where should scheduled backups go?');
    result = await runScheduledBackup({
      dataDir: config.dataDir,
      dir: b.dir,
      keepDaily: b.keepDaily,
      keepWeekly: b.keepWeekly,
      withQuarantine: b.withQuarantine,
      encryptTo: b.encryptTo,
      copyTo: b.copyTo,
      externalAuditKey: config.audit?.keyFile,
      now: () => at,
    });
  } catch (err) {
    error = (err as Error).message;
  }
  const file = result ? path.basename(result.file) : null;
  try {
    writeBackupStatus(
      config.dataDir,
      result ? { ok: true, at, file: file!, bytes: result.bytes, encrypted: result.encrypted, copiedTo: result.copiedTo, kept: result.kept.length } : { ok: false, at, error: error! },
    );
  } catch (err) {
    log.error({ err: (err as Error).message }, 'could not write backup-status.json');
  }
  const details = result
    ? { file, bytes: result.bytes, encrypted: result.encrypted, copiedTo: result.copiedTo, kept: result.kept.length, removed: result.removed }
    : { error };
  const audited = await audit(config, result ? 'success' : 'error', details).catch((err: unknown) => (err as Error).message);
  if (audited !== true) log.error({ err: audited }, 'could not write the backup audit record');
  if (result) {
    for (const warning of result.warnings) log.warn({ warning }, 'scheduled backup warning');
    log.info({ file: result.file, bytes: result.bytes, encrypted: result.encrypted, copiedTo: result.copiedTo, kept: result.kept.length, removed: result.removed.length }, 'scheduled backup done');
    return 0;
  }
  log.error({ err: error }, 'scheduled backup FAILED');
  return 1;
}

async function audit(config: Readonly<ScheduledBackupConfig>, outcome: 'success' | 'error', details: Record<string, unknown>): Promise<true> {
  // A wrong data directory must not get a new, empty database just for this record.
  if (!existsSync(path.join(config.dataDir, DATABASE_MEMBER))) throw new Error(`no database in ${config.dataDir}`);
  const db = openDatabase(config.dataDir);
  try {
    const log = openAuditLog(db, config, () => undefined);
    try {
      const { who, details: origin } = auditOrigin({ source: 'cli', os: currentOsAccount() });
      log.audit.record({ ...who, event: 'backup', outcome, details: { ...origin, ...details } });
    } finally {
      await log.close();
    }
  } finally {
    db.close();
  }
  return true;
}
