/**
 * The manifest of a kekkai backup archive (docs/operations.md, "Backup and
 * restore"): the last member of the tar file, `kekkai-backup.json`, listing every
 * other member with its size and SHA-256. Restore checks all of them before it
 * writes anything.
 */
import { z } from 'zod';
import { ANCHOR_FILE } from '../audit/audit-anchor.js';

export const MANIFEST_NAME = 'kekkai-backup.json';
export const BACKUP_FORMAT = 'kekkai-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const DATABASE_MEMBER = 'kekkai.db';
/** The audit log's head anchor: it must travel with the database it vouches for. */
export const ANCHOR_MEMBER = ANCHOR_FILE;

const FileEntry = z.object({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const ManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_FORMAT_VERSION),
  createdAt: z.string(),
  /** Highest database migration applied when the backup was taken. */
  schemaVersion: z.number().int().nonnegative(),
  withQuarantine: z.boolean(),
  files: z.array(FileEntry),
});

export type BackupManifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = z.infer<typeof FileEntry>;

/** The only places a backup member may go: the database, its audit head anchor, keys/, tls/ and quarantine/. */
export function isBackupPath(name: string): boolean {
  if (name === DATABASE_MEMBER || name === ANCHOR_MEMBER) return true;
  const parts = name.split('/');
  if (parts.length === 2 && (parts[0] === 'keys' || parts[0] === 'tls')) return true;
  return parts.length >= 2 && parts[0] === 'quarantine';
}
