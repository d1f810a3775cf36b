/**
 * The gateway's download path: Chromium writes each download into the session's
 * directory; a finished download becomes a sanitizer job; every original goes to
 * the quarantine; only the sanitized output is released, once, through a one-time
 * token. Fail closed: any exception ends the job `blocked`, never released.
 * No Fastify here — session.ws / downloads.http translate to and from this service.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { DownloadMessage } from '../../protocol/index.js';
import type { Verdict } from '../../sanitizer/index.js';
import { describeChanges, referenceOf } from './download-changes.js';
import { downloadReasonMessage, type DownloadReason } from './download-reasons.js';
import { DownloadTokens } from './download-tokens.js';
import {
  ENDED_PREFIX, GUID_RE, OWNER_FILE, displayName, downloadsRoot, jobSidecarPath, readRegularFile, sessionDirName, writeJson, type DownloadOwner,
} from './download-files.js';
import { recoverDownloads, type RecoveryResult } from './download-recovery.js';
import { SanitizeScheduler } from './sanitize-scheduler.js';
import { DEFAULT_OUTPUT_BOUND, sanitizeBounded } from './output-bound.js';
import { OutputStore, outputsRoot, type StoredOutput } from './output-store.js';
import type { QuarantineMeta } from './quarantine-store.js';
import type { JobStage } from './stage-reporting.js';
import type { DownloadManagerOptions, Progress, ReleasedFile, WillBegin } from './download-types.js';

export type { DownloadOwner } from './download-files.js';

export type { DownloadManagerOptions, Progress, ReleasedFile, WillBegin } from './download-types.js';

interface Job {
  id: string;
  url: string;
  name: string;
  msg: DownloadMessage;
  lastEmit: number;
  /** Set once the job has left 'downloading' (completed, canceled or blocked). */
  done: boolean;
  token?: string;
}

interface SessionState {
  id: string;
  dir: string;
  owner: DownloadOwner;
  jobs: Map<string, Job>;
  ended: boolean;
  running: Set<Promise<void>>;
}

const MAX_JOBS_KEPT = 100;

export class DownloadManager {
  private readonly sessions = new Map<string, SessionState>();
  private readonly tokens: DownloadTokens;
  private readonly now: () => number;
  private readonly scheduler: SanitizeScheduler;
  private readonly outputs: OutputStore;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: DownloadManagerOptions) {
    this.now = o.now ?? Date.now;
    this.scheduler = new SanitizeScheduler({
      concurrency: o.concurrency ?? os.availableParallelism(),
      ...(o.perSessionConcurrency !== undefined ? { perSession: o.perSessionConcurrency } : {}),
    });
    this.tokens = new DownloadTokens(o.tokenTtlMs ?? 10 * 60_000, this.now);
    this.outputs = new OutputStore({
      root: outputsRoot(o.dataDir),
      maxSessionBytes: o.maxPendingBytesPerSession ?? 1024 ** 3,
      maxTotalBytes: o.maxPendingBytes ?? 8 * 1024 ** 3,
    });
    this.sweeper = setInterval(() => void this.sweepLinks(), o.sweepIntervalMs ?? 60_000);
    this.sweeper.unref();
  }

  /** Chromium's downloadPath for the session; created 0700. Call when the context is made. */
  /** The session's download directory; `owner`, when given, is who its files belong to (kept otherwise). */
  downloadDir(sessionId: string, owner?: DownloadOwner): string {
    return this.session(sessionId, owner).dir;
  }

  onWillBegin(sessionId: string, ev: WillBegin): void {
    const s = this.session(sessionId);
    if (s.ended) return;
    if (!GUID_RE.test(ev.guid)) {
      this.o.log.warn({ sessionId, guid: String(ev.guid).slice(0, 80) }, 'download with an unexpected guid refused');
      void this.cancel(s, String(ev.guid));
      return;
    }
    if (s.jobs.has(ev.guid)) return;
    const name = displayName(String(ev.suggestedFilename ?? ''));
    const url = String(ev.url ?? '').slice(0, 4000);
    const job: Job = { id: ev.guid, url, name, lastEmit: 0, done: false, msg: { type: 'download', id: ev.guid, name, state: 'downloading', receivedBytes: 0, totalBytes: null } };
    s.jobs.set(ev.guid, job);
    this.trim(s);
    writeJson(jobSidecarPath(s.dir, ev.guid), { url, name, startedAt: new Date(this.now()).toISOString() }).catch((err: unknown) =>
      this.o.log.warn({ sessionId, err }, 'download sidecar not written'),
    );
    this.o.log.info({ sessionId, downloadId: ev.guid, name, url }, 'download started');
    this.emit(s, job, true);
  }

  onProgress(sessionId: string, ev: Progress): void {
    const s = this.sessions.get(sessionId);
    const job = s?.jobs.get(ev.guid);
    if (!s || !job || job.done) return;
    const received = Math.max(0, Math.trunc(Number(ev.receivedBytes) || 0));
    const total = Number(ev.totalBytes) > 0 ? Math.trunc(Number(ev.totalBytes)) : null;
    job.msg = { ...job.msg, receivedBytes: received, totalBytes: total };
    if (ev.state !== 'canceled' && (received > this.o.maxBytes || (total ?? 0) > this.o.maxBytes)) {
      job.done = true;
      void this.cancel(s, job.id);
      this.track(s, this.finishWithoutFile(s, job, 'too-large', `over the download limit: received ${received}, announced ${total ?? 'unknown'}, limit ${this.o.maxBytes}`));
    } else if (ev.state === 'canceled') {
      job.done = true;
      this.track(s, this.finishWithoutFile(s, job, 'download-canceled', 'Chromium reported the download canceled'));
    } else if (ev.state === 'completed') {
      job.done = true;
      this.track(s, this.runJob(s, job));
    } else {
      this.emit(s, job, false);
    }
  }

  /** Current state of the session's downloads, e.g. for a reconnecting viewer. */
  list(sessionId: string): DownloadMessage[] {
    void this.sweepLinks();
    const s = this.sessions.get(sessionId);
    return s ? [...s.jobs.values()].map((j) => this.view(j)) : [];
  }

  /**
   * The sanitized file for a one-time token, once, and only for its session: a stream
   * of the file on disk, which is deleted as it is opened.
   */
  async take(token: string, sessionId: string): Promise<ReleasedFile | undefined> {
    const pending = this.tokens.take(token, sessionId);
    if (!pending) return undefined;
    const opened = await this.outputs.take(pending.output);
    return opened && { name: pending.name, mimeType: pending.mimeType, size: opened.size, stream: opened.stream };
  }

  /** Bytes of sanitized files waiting on disk: of one session, or of the gateway. */
  pendingBytes(sessionId?: string): number {
    return sessionId === undefined ? this.outputs.totalBytes : this.outputs.bytesOf(sessionId);
  }

  /** Removes expired links and their files (on a timer, and before answering). */
  async sweepLinks(): Promise<void> {
    for (const f of this.tokens.sweep()) {
      await this.outputs.remove(f.output).catch((err: unknown) => this.o.log.warn({ err }, 'expired download output not removed'));
    }
  }

  /** Stops the sweep timer and removes every waiting output (shutdown: links die with the process). */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.outputs.clear();
  }

  /**
   * Wipes the session: pending links, jobs and its directory. Running jobs still
   * quarantine their originals but release nothing. Call after the browser context
   * is closed (so Chromium has stopped writing).
   */
  async endSession(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    await Promise.allSettled(this.tokens.dropSession(sessionId).map((f) => this.outputs.remove(f.output)));
    if (!s) return;
    this.sessions.delete(sessionId);
    s.ended = true;
    // Move the directory aside so a new session with the same id starts clean
    // while the running jobs of this one finish reading from it.
    const aside = path.join(downloadsRoot(this.o.dataDir), `${ENDED_PREFIX}${path.basename(s.dir)}-${randomBytes(6).toString('hex')}`);
    try {
      await rename(s.dir, aside);
      s.dir = aside;
    } catch (err) {
      this.o.log.warn({ sessionId, err }, 'download directory not moved aside');
    }
    for (const job of s.jobs.values()) {
      if (job.done) continue;
      job.done = true;
      this.track(s, this.finishWithoutFile(s, job, 'download-canceled', 'session ended during the download'));
    }
    await Promise.allSettled([...s.running]);
    await rm(s.dir, { recursive: true, force: true });
    await this.outputs.removeSessionDir(sessionId);
  }

  /**
   * At start, before any session: leftovers of a crash are quarantined as blocked, never
   * released; outputs an earlier run left waiting are removed (their links are gone).
   */
  async recover(): Promise<RecoveryResult> {
    await this.outputs.clear();
    return recoverDownloads({ dataDir: this.o.dataDir, quarantine: this.o.quarantine, maxBytes: this.o.maxBytes, log: this.o.log });
  }

  /** Resolves when every running job has finished (tests, graceful shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      const all = [...this.sessions.values()].flatMap((s) => [...s.running]);
      if (all.length === 0) return;
      await Promise.allSettled(all);
    }
  }

  private session(sessionId: string, owner?: DownloadOwner): SessionState {
    let s = this.sessions.get(sessionId);
    if (!s) {
      const dir = path.join(downloadsRoot(this.o.dataDir), sessionDirName(sessionId));
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      s = { id: sessionId, dir, owner: owner ?? { userId: null, userName: null }, jobs: new Map(), ended: false, running: new Set() };
      this.sessions.set(sessionId, s);
    } else if (owner) {
      s.owner = owner;
    }
    if (owner) writeFileSync(path.join(s.dir, OWNER_FILE), JSON.stringify(owner), { mode: 0o600 });
    return s;
  }

  private async runJob(s: SessionState, job: Job): Promise<void> {
    let bytes: Buffer | undefined;
    let recorded = false;
    const releaseSlot = await this.scheduler.acquire(s.id, (position) => this.setQueued(s, job, position));
    try {
      if (s.ended) {
        const r = await readRegularFile(path.join(s.dir, job.id), this.o.maxBytes).catch(() => undefined);
        recorded = true;
        await this.quarantineBlocked(s, job, 'download-canceled', 'session ended before sanitizing', r?.bytes);
        this.finish(s, job, 'download-canceled');
        return;
      }
      this.setState(s, job, 'scanning');
      const read = await readRegularFile(path.join(s.dir, job.id), this.o.maxBytes);
      if (!read.bytes) {
        recorded = true;
        await this.block(s, job, 'too-large', `file on disk is ${read.size} bytes, limit ${this.o.maxBytes}`);
        return;
      }
      bytes = read.bytes;
      const onStage = (stage: JobStage): void => {
        if (stage === 'sanitizing' && job.msg.state === 'scanning' && !s.ended) this.setState(s, job, 'sanitizing');
      };
      const policy = this.o.filePolicy(s.owner.role ?? null);
      const { verdict, overLimit } = await sanitizeBounded(this.o.sanitize, { name: job.name, bytes }, policy, onStage, this.o.outputBound ?? DEFAULT_OUTPUT_BOUND);
      if (verdict.verdict === 'sanitized') checkOutput(verdict);
      const refusal = overLimit ? { reason: 'output-too-large' as const, detail: overLimit } : await this.store(s, verdict);
      if ('reason' in refusal) {
        recorded = true;
        await this.quarantineBlocked(s, job, refusal.reason, refusal.detail, bytes, verdict);
        this.finish(s, job, refusal.reason);
        return;
      }
      try {
        const record = await this.o.quarantine.put(this.meta(s, job, verdict), bytes);
        job.msg = { ...job.msg, ref: referenceOf(record.id) };
      } catch (err) {
        if (refusal.stored) await this.outputs.remove(refusal.stored);
        throw err;
      }
      recorded = true;
      this.release(s, job, verdict, refusal.stored);
    } catch (err) {
      this.o.log.error({ sessionId: s.id, downloadId: job.id, err }, 'download job failed; blocked');
      this.finish(s, job, 'internal-error');
      if (!recorded) {
        await this.quarantineBlocked(s, job, 'internal-error', `exception: ${String((err as Error)?.message ?? err)}`, bytes).catch((e: unknown) =>
          this.o.log.error({ sessionId: s.id, downloadId: job.id, err: e }, 'original could not be quarantined'),
        );
      }
    } finally {
      releaseSlot();
      await rm(path.join(s.dir, job.id), { force: true }).catch(() => undefined);
      await rm(jobSidecarPath(s.dir, job.id), { force: true }).catch(() => undefined);
    }
  }

  /** Writes a sanitized output to disk; a cap refuses it. Nothing to store for a blocked verdict or an ended session. */
  private async store(s: SessionState, verdict: Verdict): Promise<{ stored?: StoredOutput } | { reason: 'session-output-quota' | 'gateway-output-quota'; detail: string }> {
    if (verdict.verdict !== 'sanitized' || s.ended) return {};
    const put = await this.outputs.put(s.id, verdict.output.bytes);
    return put.ok ? { stored: put.file } : put;
  }

  private release(s: SessionState, job: Job, verdict: Verdict, stored: StoredOutput | undefined): void {
    if (s.ended) {
      if (stored) void this.outputs.remove(stored);
      return;
    }
    if (verdict.verdict === 'blocked') {
      this.finish(s, job, verdict.reason, verdict.message);
      this.o.log.info({ sessionId: s.id, downloadId: job.id, reason: verdict.reason, signature: verdict.signature }, 'download blocked');
      return;
    }
    if (!stored) throw new Error('sanitized output not stored');
    const out = verdict.output;
    const outputName = displayName(out.name);
    job.token = this.tokens.mint(s.id, job.id, { name: outputName, mimeType: String(out.mimeType), output: stored });
    job.msg = { ...job.msg, state: 'ready', outputName, done: describeChanges(verdict.changes) };
    this.o.log.info({ sessionId: s.id, downloadId: job.id, outputName, inputType: verdict.inputType }, 'download sanitized');
    this.emit(s, job, true);
  }

  /** A job that ended without a complete file (canceled, over the limit, session ended). */
  private async finishWithoutFile(s: SessionState, job: Job, reason: DownloadReason, detail: string): Promise<void> {
    try {
      await this.block(s, job, reason, detail);
    } catch (err) {
      this.o.log.error({ sessionId: s.id, downloadId: job.id, err }, 'blocked download not recorded');
      this.finish(s, job, reason);
    } finally {
      // Chromium writes <guid>.crdownload while downloading and renames it to <guid> when complete.
      for (const f of [job.id, `${job.id}.crdownload`]) await rm(path.join(s.dir, f), { force: true }).catch(() => undefined);
      await rm(jobSidecarPath(s.dir, job.id), { force: true }).catch(() => undefined);
    }
  }

  private async block(s: SessionState, job: Job, reason: DownloadReason, detail: string): Promise<void> {
    this.finish(s, job, reason);
    await this.quarantineBlocked(s, job, reason, detail, undefined);
  }

  /**
   * Records a blocked original; without bytes the record says so (partial or oversized).
   * `after` is the sanitizer's verdict when the download path refused its output.
   */
  private async quarantineBlocked(s: SessionState, job: Job, reason: DownloadReason, detail: string, bytes: Uint8Array | undefined, after?: Verdict): Promise<void> {
    const steps = [...(after?.steps ?? []), { stage: 'download', detail: bytes ? detail : `${detail}; original not stored`, ms: 0 }];
    const trueType = after?.inputType ?? null;
    const record = await this.o.quarantine.put({ ...this.owner(s, job), trueType, verdict: 'blocked', reason, signature: null, steps }, bytes ?? new Uint8Array());
    job.msg = { ...job.msg, ref: referenceOf(record.id) };
    // Already shown as blocked (canceled, too large): show it again with its reference number.
    if (job.msg.state === 'blocked' && !s.ended) this.emit(s, job, true);
  }

  private meta(s: SessionState, job: Job, v: Verdict): QuarantineMeta {
    const base = { ...this.owner(s, job), trueType: v.inputType ?? null, steps: v.steps };
    return v.verdict === 'sanitized'
      ? { ...base, verdict: 'sanitized', reason: null, signature: null }
      : { ...base, verdict: 'blocked', reason: v.reason, signature: v.signature ?? null };
  }

  private owner(s: SessionState, job: Job): Pick<QuarantineMeta, 'name' | 'sourceUrl' | 'userId' | 'userName' | 'role' | 'sourceIp'> {
    return { name: job.name, sourceUrl: job.url || null, userId: s.owner.userId, userName: s.owner.userName, role: s.owner.role ?? null, sourceIp: s.owner.sourceIp ?? null };
  }

  private finish(s: SessionState, job: Job, reason: DownloadReason, message?: { ja: string; en: string }): void {
    if (job.msg.state === 'ready' || job.msg.state === 'blocked') return;
    const { queuePosition: _dropped, ...msg } = job.msg;
    job.msg = { ...msg, state: 'blocked', reason, message: message ?? downloadReasonMessage(reason) };
    if (!s.ended) this.emit(s, job, true);
  }

  private setState(s: SessionState, job: Job, state: 'scanning' | 'sanitizing'): void {
    const { queuePosition: _dropped, ...msg } = job.msg;
    job.msg = { ...msg, state };
    this.emit(s, job, true);
  }

  /** Waiting for a sanitizer slot at `position` (1 = next); told to the viewer when it changes. */
  private setQueued(s: SessionState, job: Job, position: number): void {
    if (job.msg.state === 'queued' && job.msg.queuePosition === position) return;
    if (job.msg.state === 'ready' || job.msg.state === 'blocked') return;
    job.msg = { ...job.msg, state: 'queued', queuePosition: position };
    if (!s.ended) this.emit(s, job, true);
  }

  private view(job: Job): DownloadMessage {
    if (job.msg.state === 'ready' && job.token && this.tokens.isLive(job.token)) return { ...job.msg, href: `/api/downloads/${job.token}` };
    return { ...job.msg };
  }

  private emit(s: SessionState, job: Job, force: boolean): void {
    const t = this.now();
    if (!force && t - job.lastEmit < (this.o.progressIntervalMs ?? 250)) return;
    job.lastEmit = t;
    try {
      this.o.onUpdate(s.id, this.view(job));
    } catch (err) {
      this.o.log.warn({ sessionId: s.id, err }, 'download update not delivered');
    }
  }

  private async cancel(s: SessionState, guid: string): Promise<void> {
    try {
      await this.o.cancelDownload?.(s.id, guid);
    } catch (err) {
      this.o.log.warn({ sessionId: s.id, err }, 'download not canceled');
    }
  }

  private track(s: SessionState, p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.o.log.error({ sessionId: s.id, err }, 'download job crashed')).finally(() => s.running.delete(tracked));
    s.running.add(tracked);
  }

  private trim(s: SessionState): void {
    for (const [id, job] of s.jobs) {
      if (s.jobs.size <= MAX_JOBS_KEPT) return;
      if (job.msg.state === 'ready' || job.msg.state === 'blocked') s.jobs.delete(id);
    }
  }
}

/** The pipeline's output, checked before it is written anywhere. */
function checkOutput(v: Extract<Verdict, { verdict: 'sanitized' }>): void {
  const out = v.output as Partial<typeof v.output> | undefined;
  if (!out || !(out.bytes instanceof Uint8Array) || typeof out.name !== 'string') throw new Error('sanitized verdict without output');
}
