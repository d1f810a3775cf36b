/**
 * One-time links for sanitized files: 256-bit random tokens bound to one browser
 * session, valid once and for a limited time. Kept in memory: a restart drops
 * them, and the user downloads again (the original is in the quarantine).
 */
import { randomBytes } from 'node:crypto';

export interface ReleasedFile {
  name: string;
  mimeType: string;
  bytes: Uint8Array;
}

interface Entry {
  sessionId: string;
  downloadId: string;
  file: ReleasedFile;
  expiresAt: number;
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

export class DownloadTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs: number, private readonly now: () => number) {}

  mint(sessionId: string, downloadId: string, file: ReleasedFile): string {
    const token = randomBytes(32).toString('base64url');
    this.entries.set(token, { sessionId, downloadId, file, expiresAt: this.now() + this.ttlMs });
    return token;
  }

  /** The file, exactly once, only for the session it was minted for. */
  take(token: string, sessionId: string): ReleasedFile | undefined {
    this.sweep();
    if (!TOKEN_RE.test(token)) return undefined;
    const entry = this.entries.get(token);
    // A wrong session does not burn the token: it stays for its owner.
    if (!entry || entry.sessionId !== sessionId) return undefined;
    this.entries.delete(token);
    return entry.file;
  }

  /** Whether the token is still usable (for list(): no dead links to a reconnecting viewer). */
  isLive(token: string): boolean {
    const e = this.entries.get(token);
    return e !== undefined && e.expiresAt > this.now();
  }

  dropSession(sessionId: string): void {
    for (const [token, e] of this.entries) if (e.sessionId === sessionId) this.entries.delete(token);
  }

  sweep(): void {
    const t = this.now();
    for (const [token, e] of this.entries) if (e.expiresAt <= t) this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
