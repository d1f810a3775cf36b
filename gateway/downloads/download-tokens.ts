/**
 * One-time links for sanitized files: 256-bit random tokens bound to one browser
 * session, valid once and for a limited time. Kept in memory: a restart drops
 * them, and the user downloads again (the original is in the quarantine). The
 * files themselves are on disk (output-store.ts); an entry holds only their path.
 */
import { randomBytes } from 'node:crypto';
import type { StoredOutput } from './output-store.js';

/** What a link hands out: the name and type to send, and where the bytes are. */
export interface PendingFile {
  name: string;
  mimeType: string;
  output: StoredOutput;
}

interface Entry {
  sessionId: string;
  downloadId: string;
  file: PendingFile;
  expiresAt: number;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export class DownloadTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number, private readonly now: () => number) {}

  mint(sessionId: string, downloadId: string, file: PendingFile): string {
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { sessionId, downloadId, file, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /**
   * The file, exactly once, only for the session it was minted for. An expired
   * link is left for sweep(), which hands its file back for deletion.
   */
  take(token: string, sessionId: string): PendingFile | undefined {
    if (!TOKEN_RE.test(token)) return undefined;
    const entry = this.entries.get(token);
    // A wrong session does not burn the token: it stays for its owner.
    if (!entry || entry.sessionId !== sessionId || entry.expiresAt <= this.now()) return undefined;
    this.entries.delete(token);
    return entry.file;
  }

  /** Whether the token is still usable (for list(): no dead links to a reconnecting viewer). */
  isLive(token: string): boolean {
    const e = this.entries.get(token);
    return e !== undefined && e.expiresAt > this.now();
  }

  /** Drops the session's links; returns their files (for deletion). */
  dropSession(sessionId: string): PendingFile[] {
    const dropped: PendingFile[] = [];
    for (const [token, e] of this.entries) {
      if (e.sessionId !== sessionId) continue;
      this.entries.delete(token);
      dropped.push(e.file);
    }
    return dropped;
  }

  /** Drops expired links; returns their files (for deletion). */
  sweep(): PendingFile[] {
    const t = this.now();
    const expired: PendingFile[] = [];
    for (const [token, e] of this.entries) {
      if (e.expiresAt > t) continue;
      this.entries.delete(token);
      expired.push(e.file);
    }
    return expired;
  }

  get size(): number {
    return this.entries.size;
  }
}
