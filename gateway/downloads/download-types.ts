/**
 * The DownloadManager's contract: its options, the Chromium events it takes and the
 * file a one-time link hands out. Separate so that callers (server, routes, tests)
 * can name them without the manager's internals.
 */
import type { ReadStream } from 'node:fs';
import type { DownloadMessage } from '../../protocol/index.js';
import type { FilePolicy } from '../../sanitizer/index.js';
import type { Logger } from '../logging.js';
import type { Role } from '../store/repositories.js';
import type { QuarantineStore } from './quarantine-store.js';
import type { SanitizeFn } from './stage-reporting.js';

/** A sanitized file handed out by its one-time link: streamed from disk, already unlinked. */
export interface ReleasedFile {
  name: string;
  mimeType: string;
  size: number;
  stream: ReadStream;
}

export interface DownloadManagerOptions {
  dataDir: string;
  sanitize: SanitizeFn;
  /** The file policy in force for a role; read per job so admin edits apply to the next download. */
  filePolicy: (role: Role | null) => FilePolicy;
  quarantine: Pick<QuarantineStore, 'put'>;
  /** Largest download accepted; beyond it the download is canceled and blocked `too-large`. */
  maxBytes: number;
  log: Logger;
  onUpdate: (sessionId: string, msg: DownloadMessage) => void;
  /** Browser.cancelDownload for the session's context; used when a download passes maxBytes. */
  cancelDownload?: (sessionId: string, guid: string) => void | Promise<void>;
  /** Lifetime of a one-time link (default 10 minutes). */
  tokenTtlMs?: number;
  /**
   * Concurrent sanitizer jobs across all sessions (default: os.availableParallelism()).
   * Completed downloads beyond it wait in per-session queues served round-robin
   * (sanitize-scheduler.ts), shown as 'queued' with their position.
   */
  concurrency?: number;
  /** Jobs one session may run at once (default: concurrency − 1, at least 1). */
  perSessionConcurrency?: number;
  /** Bytes of sanitized files waiting to be fetched, per session (default 1 GiB). */
  maxPendingBytesPerSession?: number;
  /** Bytes of sanitized files waiting to be fetched, across the gateway (default 8 GiB). */
  maxPendingBytes?: number;
  /** Output size bound (output-bound.ts; default 20 × input, at least 64 MiB allowed). */
  outputBound?: { ratio: number; floorBytes: number };
  /** How often expired links and their files are removed (default 60 s). */
  sweepIntervalMs?: number;
  /** Minimum interval between 'downloading' progress updates (default 250 ms). */
  progressIntervalMs?: number;
  now?: () => number;
}

export interface WillBegin { guid: string; url: string; suggestedFilename: string }
export interface Progress { guid: string; receivedBytes: number; totalBytes: number; state: 'inProgress' | 'completed' | 'canceled' }
