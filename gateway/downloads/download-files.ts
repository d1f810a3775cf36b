/**
 * On-disk layout of the download path, in one place:
 *
 *   <dataDir>/downloads/<sha256(sessionId)[0..32]>/      0700, Chromium's downloadPath
 *     <guid>                  the file Chromium writes (allowAndName)
 *     .owner.json             user of the session (for recovery after a crash)
 *     .job-<guid>.json        source URL and offered name of each download
 *
 * Paths are built only from the hashed session id and Chromium's guid (checked
 * against GUID_RE); the offered file name never becomes part of a path.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { plainText } from '../../protocol/plain-text.js';
import type { Actor } from '../actor.js';
import type { Role } from '../store/repositories.js';

/** Chromium's download guids are UUIDs; anything else is refused. */
export const GUID_RE = /^[A-Za-z0-9-]{8,64}$/;

export const OWNER_FILE = '.owner.json';
export const JOB_PREFIX = '.job-';
export const ENDED_PREFIX = '.ended-';

/**
 * The session's owner as written to `.owner.json` (an Actor's id, name and role), so
 * recovery after a crash can name who downloaded a leftover file. Unknown fields are null.
 */
export interface DownloadOwner {
  userId: Actor['id'] | null;
  userName: Actor['name'] | null;
  /** The user's role: file policies may differ per role. */
  role?: Role | null;
  /** Where the user signed in from (for the download's audit record). */
  sourceIp?: string | null;
}

export interface JobSidecar {
  url: string;
  name: string;
  startedAt: string;
}

export function downloadsRoot(dataDir: string): string {
  return path.join(dataDir, 'downloads');
}

export function sessionDirName(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 32);
}

export function jobSidecarPath(dir: string, guid: string): string {
  return path.join(dir, `${JOB_PREFIX}${guid}.json`);
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, JSON.stringify(value), { mode: 0o600 });
}

export async function readJson<T>(file: string): Promise<Partial<T> | undefined> {
  try {
    const v: unknown = JSON.parse(await readFile(file, 'utf8'));
    return v && typeof v === 'object' ? (v as Partial<T>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a regular file (never through a symlink), at most maxBytes; undefined
 * when it is larger. Throws when it is missing or not a regular file.
 */
export async function readRegularFile(file: string, maxBytes: number): Promise<{ bytes: Buffer; size: number } | { bytes: undefined; size: number }> {
  const st = await lstat(file);
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > maxBytes) return { bytes: undefined, size: st.size };
  // O_NOFOLLOW: a symlink swapped in after lstat is refused, not followed.
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const bytes = await fh.readFile();
    if (bytes.length > maxBytes) return { bytes: undefined, size: bytes.length };
    return { bytes, size: bytes.length };
  } finally {
    await fh.close();
  }
}

/** Text for the UI and the index: bounded, no control characters. */
export function displayName(raw: string): string {
  // Control and format characters (bidi overrides such as U+202E) never reach the UI.
  return plainText(raw.trim(), 1000).trim() || 'download';
}
