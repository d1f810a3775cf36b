/**
 * Start-up recovery: whatever a crash left in the download directories (finished,
 * half-written or never-sanitized files) goes to the quarantine as blocked
 * `download-interrupted` and is never released. A directory is removed only when
 * all its files were recorded; otherwise it stays for the next start.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging.js';
import {
  JOB_PREFIX, OWNER_FILE, displayName, downloadsRoot, jobSidecarPath, readJson, readRegularFile, type DownloadOwner, type JobSidecar,
} from './download-files.js';
import type { QuarantineStore } from './quarantine-store.js';

export interface RecoveryResult {
  /** Files recorded in the quarantine as blocked. */
  quarantined: number;
  /** Files that could not be recorded (left on disk). */
  failed: number;
}

export interface RecoveryOptions {
  dataDir: string;
  quarantine: Pick<QuarantineStore, 'put'>;
  maxBytes: number;
  log: Logger;
}

export async function recoverDownloads(o: RecoveryOptions): Promise<RecoveryResult> {
  const result: RecoveryResult = { quarantined: 0, failed: 0 };
  const root = downloadsRoot(o.dataDir);
  let dirs: string[];
  try {
    dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => path.join(root, d.name));
  } catch {
    return result;
  }
  for (const dir of dirs) {
    const before = result.failed;
    await recoverDir(o, dir, result);
    if (result.failed === before) await rm(dir, { recursive: true, force: true });
  }
  if (result.quarantined + result.failed > 0) o.log.warn({ ...result }, 'downloads left from an earlier run were blocked');
  return result;
}

async function recoverDir(o: RecoveryOptions, dir: string, result: RecoveryResult): Promise<void> {
  const owner = (await readJson<DownloadOwner>(path.join(dir, OWNER_FILE))) ?? {};
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name === OWNER_FILE || e.name.startsWith(JOB_PREFIX)) continue;
    const guid = e.name.replace(/\.crdownload$/, '');
    const job = (await readJson<JobSidecar>(jobSidecarPath(dir, guid))) ?? {};
    try {
      let bytes: Uint8Array = new Uint8Array();
      let note = 'left by an earlier run (crash or restart)';
      if (e.isFile()) {
        const r = await readRegularFile(path.join(dir, e.name), o.maxBytes);
        if (r.bytes) bytes = r.bytes;
        else note += `; ${r.size} bytes, over the limit, original not stored`;
      } else {
        note += '; not a regular file, not stored';
      }
      await o.quarantine.put(
        {
          name: displayName(typeof job.name === 'string' ? job.name : e.name),
          trueType: null,
          sourceUrl: typeof job.url === 'string' ? job.url : null,
          userId: typeof owner.userId === 'number' ? owner.userId : null,
          userName: typeof owner.userName === 'string' ? owner.userName : null,
          verdict: 'blocked',
          reason: 'download-interrupted',
          signature: null,
          steps: [{ stage: 'download', detail: note, ms: 0 }],
        },
        bytes,
      );
      result.quarantined++;
    } catch (err) {
      result.failed++;
      o.log.error({ dir: path.basename(dir), file: e.name, err }, 'leftover download could not be quarantined');
    }
  }
}
