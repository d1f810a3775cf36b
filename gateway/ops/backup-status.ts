/**
 * `<dataDir>/backup-status.json`: the outcome of the latest scheduled backup and the
 * time of the latest one that succeeded. `kekkai backup --scheduled` writes it (also
 * when it fails); the gateway reads it for /metrics (`kekkai_backup_*`) and the
 * compliance page. The audit log keeps the tamper-evident record of each run
 * (`backup` events); this file only makes the latest state cheap to read.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const BACKUP_STATUS_FILE = 'backup-status.json';

const Status = z.object({
  lastAttemptAt: z.string(),
  ok: z.boolean(),
  lastSuccessAt: z.string().nullable(),
  /** The archive of the latest success (name only), its size, whether it is encrypted and where it was copied. */
  file: z.string().nullable(),
  bytes: z.number().int().nonnegative().nullable(),
  encrypted: z.boolean().nullable(),
  copiedTo: z.string().nullable(),
  /** Scheduled backups kept after rotation. */
  kept: z.number().int().nonnegative().nullable(),
  /** Why the latest attempt failed (null when it succeeded). */
  error: z.string().nullable(),
});
export type BackupStatus = z.infer<typeof Status>;

export function readBackupStatus(dataDir: string): BackupStatus | null {
  try {
    return Status.parse(JSON.parse(readFileSync(path.join(dataDir, BACKUP_STATUS_FILE), 'utf8')));
  } catch {
    return null;
  }
}

export type BackupAttempt =
  | { ok: true; at: Date; file: string; bytes: number; encrypted: boolean; copiedTo: string | null; kept: number }
  | { ok: false; at: Date; error: string };

/** Records an attempt; a failure keeps the previous success's facts. Written whole, then renamed. */
export function writeBackupStatus(dataDir: string, attempt: BackupAttempt): BackupStatus {
  const previous = readBackupStatus(dataDir);
  const status: BackupStatus = attempt.ok
    ? { lastAttemptAt: attempt.at.toISOString(), ok: true, lastSuccessAt: attempt.at.toISOString(), file: attempt.file, bytes: attempt.bytes, encrypted: attempt.encrypted, copiedTo: attempt.copiedTo, kept: attempt.kept, error: null }
    : {
        lastAttemptAt: attempt.at.toISOString(),
        ok: false,
        lastSuccessAt: previous?.lastSuccessAt ?? null,
        file: previous?.file ?? null,
        bytes: previous?.bytes ?? null,
        encrypted: previous?.encrypted ?? null,
        copiedTo: previous?.copiedTo ?? null,
        kept: previous?.kept ?? null,
        error: attempt.error.slice(0, 500),
      };
  const file = path.join(dataDir, BACKUP_STATUS_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return status;
}
