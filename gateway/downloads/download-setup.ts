/**
 * Builds the download path for a running gateway: sanitizer engines (clamd,
 * poppler, LibreOffice when installed), the encrypted quarantine, the download
 * manager, recovery of jobs a crash interrupted (they end blocked), and the
 * quarantine's retention timer (call `stop()` on shutdown, before closing the database).
 */
import { readFileSync } from 'node:fs';
import { createDefaultDeps, DEFAULT_FILE_POLICY, type FilePolicy } from '../../sanitizer/index.js';
import { validateFilePolicyYaml } from '../admin/file-policy-service.js';
import type { Config } from '../config/config-schema.js';
import type { Role } from '../store/repositories.js';
import type { SqliteDb } from '../store/sqlite-database.js';
import type { DownloadMessage } from '../../protocol/index.js';
import type { AuditSink } from '../audit/audit-setup.js';
import { DownloadManager } from './download-manager.js';
import type { Logger } from '../logging.js';
import { QuarantineStore, type QuarantineMeta, type QuarantineRecord } from './quarantine-store.js';
import { purgeExpired, startRetentionTimer } from './quarantine-retention.js';
import { createSanitizeFn, type SanitizeFn } from './stage-reporting.js';

/** Times every sanitizer run per input type (for /metrics). */
function timed(sanitize: SanitizeFn, observe: (type: string, seconds: number) => void): SanitizeFn {
  return async (...args) => {
    const start = performance.now();
    const verdict = await sanitize(...args);
    observe(verdict.inputType ?? 'unknown', (performance.now() - start) / 1000);
    return verdict;
  };
}

/**
 * The file policy from a YAML file (KEKKAI_FILE_POLICY), with its per-role overrides,
 * as a function of the role; the built-in defaults when no file is given.
 */
export function loadFilePolicy(file: string | undefined): (role: Role | null) => FilePolicy {
  if (!file) return () => DEFAULT_FILE_POLICY;
  const checked = validateFilePolicyYaml(readFileSync(file, 'utf8'));
  if (!checked.ok) throw new Error(`file policy ${file} (KEKKAI_FILE_POLICY) is invalid: ${checked.issues.join('; ')}`);
  return (role) => (role && checked.roles[role]) || checked.policy;
}

/**
 * Every download's original passes through the quarantine exactly once, with its
 * verdict and hash: the natural place to write the download's audit record.
 */
function auditedQuarantine(quarantine: QuarantineStore, audit: AuditSink): Pick<QuarantineStore, 'put'> {
  return {
    put: async (meta: QuarantineMeta, bytes: Uint8Array): Promise<QuarantineRecord> => {
      const record = await quarantine.put(meta, bytes);
      audit.record({
        userId: meta.userId,
        userName: meta.userName,
        role: meta.role ?? null,
        sourceIp: meta.sourceIp ?? null,
        event: 'download',
        outcome: meta.verdict === 'sanitized' ? 'allowed' : 'blocked',
        details: {
          name: meta.name,
          sourceUrl: meta.sourceUrl,
          sha256: record.sha256,
          size: record.size,
          trueType: meta.trueType,
          verdict: meta.verdict,
          reason: meta.reason,
          signature: meta.signature,
          quarantineId: record.id,
        },
      });
      return record;
    },
  };
}

export async function openDownloads(
  db: SqliteDb,
  config: Readonly<Config>,
  audit: AuditSink,
  log: Logger,
  onUpdate: (sessionId: string, msg: DownloadMessage) => void,
  cancelDownload: (sessionId: string, guid: string) => Promise<void>,
  observeDuration: (type: string, seconds: number) => void,
  /** The admin console's file policy; KEKKAI_FILE_POLICY, when set, wins. */
  adminFilePolicy: (role: Role | null) => FilePolicy,
  /** Parent of the sanitizer's work directories (the gateway's run directory). */
  workDir?: string,
): Promise<{ downloads: DownloadManager; quarantine: QuarantineStore; stop: () => Promise<void> }> {
  const fromFile = config.download.filePolicyFile ? loadFilePolicy(config.download.filePolicyFile) : null;

  const key = config.download.quarantineKey ? Buffer.from(config.download.quarantineKey, 'base64') : undefined;
  const quarantine = new QuarantineStore({ db, dataDir: config.dataDir, ...(key ? { key } : {}) });
  const sanitize = timed(createSanitizeFn(await createDefaultDeps({ clamdAddress: config.clamd, pdfRenderer: config.download.pdfRenderer, ...(workDir ? { tmpDir: workDir } : {}) })), observeDuration);
  const downloads = new DownloadManager({
    dataDir: config.dataDir,
    sanitize,
    filePolicy: fromFile ?? adminFilePolicy,
    quarantine: auditedQuarantine(quarantine, audit),
    maxBytes: config.download.maxBytes,
    maxPendingBytesPerSession: config.download.maxPendingBytesPerSession,
    maxPendingBytes: config.download.maxPendingBytes,
    log,
    onUpdate,
    cancelDownload,
  });
  const recovered = await downloads.recover();
  if (recovered.quarantined || recovered.failed) log.warn({ quarantined: recovered.quarantined, failed: recovered.failed }, 'interrupted downloads from the last run were blocked and quarantined');
  const retentionDays = config.download.quarantineRetentionDays;
  const retention = startRetentionTimer(
    async (signal) => {
      const r = await purgeExpired(quarantine, { retentionDays, audit, signal });
      if (r.deleted.length) log.info({ deleted: r.deleted.length, cutoff: r.cutoff, retentionDays }, 'expired quarantine records deleted');
      if (r.failed.length) log.warn({ failed: r.failed, cutoff: r.cutoff }, 'expired quarantine records not deleted');
    },
    undefined,
    (err) => log.error({ err }, 'quarantine retention run failed'),
  );
  const stop = async (): Promise<void> => {
    await retention.stop();
    await downloads.close();
  };
  return { downloads, quarantine, stop };
}
