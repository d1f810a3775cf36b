/**
 * Sanitized outputs waiting to be fetched live on disk, not in the gateway's memory:
 * four noise PDFs rebuilt to ~170 MB each once added 1.16 GiB of heap for ten minutes.
 *
 *   <dataDir>/released/<sha256(sessionId)[0..32]>/<random>.out     0700 dirs, 0600 files
 *
 * Bytes waiting are capped per session and per gateway; a file over a cap is refused
 * (the job ends blocked with a reason), never kept in memory instead. A file leaves
 * when its link is used (opened, then unlinked at once: the open descriptor streams
 * it), expires, or its session ends. Links live in memory, so whatever an earlier run
 * left here is removed at start.
 */
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sessionDirName } from './download-files.js';

/** A sanitized output on disk; no bytes in memory. */
export interface StoredOutput {
  sessionId: string;
  path: string;
  size: number;
}

export type OutputRefusal = 'session-output-quota' | 'gateway-output-quota';

export interface OutputStoreOptions {
  /** Directory of the outputs (e.g. <dataDir>/released). */
  root: string;
  /** Bytes waiting to be fetched, per session. */
  maxSessionBytes: number;
  /** Bytes waiting to be fetched, across the gateway. */
  maxTotalBytes: number;
}

export function outputsRoot(dataDir: string): string {
  return path.join(dataDir, 'released');
}

export class OutputStore {
  private total = 0;
  private readonly bySession = new Map<string, number>();
  private readonly live = new Set<string>();

  constructor(private readonly o: OutputStoreOptions) {}

  /** Removes everything (at start, and at shutdown: links do not outlive the process). */
  async clear(): Promise<void> {
    await rm(this.o.root, { recursive: true, force: true });
    this.total = 0;
    this.bySession.clear();
    this.live.clear();
  }

  /** Writes the output to disk, or refuses when a cap would be passed. */
  async put(sessionId: string, bytes: Uint8Array): Promise<{ ok: true; file: StoredOutput } | { ok: false; reason: OutputRefusal; detail: string }> {
    const size = bytes.byteLength;
    const mine = this.bytesOf(sessionId);
    if (mine + size > this.o.maxSessionBytes) {
      return { ok: false, reason: 'session-output-quota', detail: `session has ${mine} bytes waiting; ${size} more would pass ${this.o.maxSessionBytes}` };
    }
    if (this.total + size > this.o.maxTotalBytes) {
      return { ok: false, reason: 'gateway-output-quota', detail: `gateway has ${this.total} bytes waiting; ${size} more would pass ${this.o.maxTotalBytes}` };
    }
    // Counted before the write, so that concurrent jobs cannot overshoot together.
    this.count(sessionId, size);
    const dir = path.join(this.o.root, sessionDirName(sessionId));
    const file = path.join(dir, `${randomBytes(16).toString('hex')}.out`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(file, bytes, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      this.count(sessionId, -size);
      await rm(file, { force: true }).catch(() => undefined);
      throw err;
    }
    this.live.add(file);
    return { ok: true, file: { sessionId, path: file, size } };
  }

  /**
   * Opens the output for one read and deletes it: the returned stream reads from the
   * open descriptor, so the bytes are gone from disk once it closes. Undefined when
   * the file is gone.
   */
  async take(file: StoredOutput): Promise<{ stream: ReadStream; size: number } | undefined> {
    if (!this.forget(file)) return undefined;
    let fh;
    try {
      fh = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    } finally {
      await unlink(file.path).catch(() => undefined);
    }
    try {
      const { size } = await fh.stat();
      return { stream: createReadStream('', { fd: fh, autoClose: true }), size };
    } catch {
      await fh.close().catch(() => undefined);
      return undefined;
    }
  }

  /** Deletes an output that will not be fetched (expired link, ended session). */
  async remove(file: StoredOutput): Promise<void> {
    if (this.forget(file)) await rm(file.path, { force: true });
  }

  /** Deletes the session's directory once its outputs are gone. */
  async removeSessionDir(sessionId: string): Promise<void> {
    if (this.bytesOf(sessionId) > 0) return;
    await rm(path.join(this.o.root, sessionDirName(sessionId)), { recursive: true, force: true });
  }

  bytesOf(sessionId: string): number {
    return this.bySession.get(sessionId) ?? 0;
  }

  get totalBytes(): number {
    return this.total;
  }

  private forget(file: StoredOutput): boolean {
    if (!this.live.delete(file.path)) return false;
    this.count(file.sessionId, -file.size);
    return true;
  }

  private count(sessionId: string, delta: number): void {
    this.total += delta;
    const n = this.bytesOf(sessionId) + delta;
    if (n > 0) this.bySession.set(sessionId, n);
    else this.bySession.delete(sessionId);
  }
}
