/**
 * A remote worker's files that its operator's commands read and write on the same
 * machine (docs/workers.md): `status.json`, rewritten every second by the running
 * worker (`kekkai worker status`, container health checks), and `drain`, whose
 * presence asks the worker to take no new sessions (`kekkai worker drain`).
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export interface WorkerStateFiles {
  status: string;
  drain: string;
}

/** The files in a remote worker's state directory (credentials, Chromium's run directory, status, drain). */
export function stateFiles(stateDir: string): WorkerStateFiles & { key: string; cert: string; ca: string; run: string } {
  return {
    key: path.join(stateDir, 'worker.key'),
    cert: path.join(stateDir, 'worker.crt'),
    ca: path.join(stateDir, 'ca.crt'),
    run: path.join(stateDir, 'run'),
    status: path.join(stateDir, 'status.json'),
    drain: path.join(stateDir, 'drain'),
  };
}

export const WorkerStatusFile = z.object({
  pid: z.number().int(),
  connected: z.boolean(),
  draining: z.boolean(),
  sessions: z.number().int().nonnegative(),
  control: z.string(),
  updatedAt: z.string(),
});
export type WorkerStatusFile = z.infer<typeof WorkerStatusFile>;

/** A status older than this means the worker is not running (or hangs). */
export const STATUS_FRESH_MS = 10_000;

export async function readWorkerState(files: WorkerStateFiles): Promise<{ drainRequested: boolean; status: WorkerStatusFile | null }> {
  let status: WorkerStatusFile | null = null;
  try {
    status = WorkerStatusFile.parse(JSON.parse(await readFile(files.status, 'utf8')));
  } catch {
    status = null;
  }
  return { drainRequested: existsSync(files.drain), status };
}

export async function writeWorkerState(files: WorkerStateFiles, status: WorkerStatusFile): Promise<void> {
  const tmp = `${files.status}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(status)}\n`, { mode: 0o644 });
  await rename(tmp, files.status);
}

export async function requestDrain(files: WorkerStateFiles, draining: boolean): Promise<void> {
  if (draining) await writeFile(files.drain, `${new Date().toISOString()}\n`, { mode: 0o644 });
  else await rm(files.drain, { force: true });
}

export function isFresh(status: WorkerStatusFile | null, now = Date.now()): status is WorkerStatusFile {
  return status !== null && now - Date.parse(status.updatedAt) < STATUS_FRESH_MS;
}
