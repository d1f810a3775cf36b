/**
 * The browser layer made of worker processes (docs/workers.md): `KEKKAI_WORKERS` local
 * `kekkai worker` processes, each with its own Chromium, joined to this control plane
 * over Node's IPC channel (nothing listens, so nothing else can join). New sessions go
 * to the least-loaded worker; a worker that dies takes only its own sessions with it —
 * their users are told and can start a new session at once — and is started again.
 */
import { fork } from 'node:child_process';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServerMessage, SessionEndReason } from '../../protocol/index.js';
import { FromWorker, type ToWorker, type WorkerSettings, type WorkerUser } from '../../protocol/worker-messages.js';
import type { BrowserLayer, BrowserLayerDeps, GatewaySessions, WorkerStatus } from '../browser/local-browser.js';
import { SessionCreations, SessionLimitError } from '../browser/session-creation.js';
import type { Actor } from '../actor.js';
import { PACKAGE_ROOT } from '../paths.js';
import { createWorkerLimiter, workerMemoryMaxBytes, type WorkerLimiter } from './process-limits.js';
import { RemoteSession, type SessionHost } from './remote-session.js';
import { ProcessLink, type WorkerLink } from './worker-link.js';

const READY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const PUSH_INTERVAL_MS = 1000;
/** What a worker's browsers decide and may report for the audit log (session-policy.ts). */
const WORKER_AUDIT_EVENTS = new Set(['navigation', 'navigation-blocked', 'egress-refused']);
const WORKER_AUDIT_OUTCOMES = new Set(['allowed', 'blocked']);
const MAX_AUDIT_DETAILS = 16 * 1024;
/** Audit records one worker may report per second (navigations and refusals of all its sessions). */
const AUDIT_PER_SECOND = 50;
/** Downloads one worker may start per minute (each may fill the quarantine up to the download limit). */
const DOWNLOADS_PER_MINUTE = 120;
/**
 * Viewer messages a worker's sessions produce. The control plane's own messages
 * (welcome, download progress, errors) never come from a worker: a compromised
 * worker must not be able to forge them.
 */
const WORKER_VIEWER_MESSAGES = new Set<ServerMessage['type']>([
  'tabs', 'nav-state', 'cursor', 'caret', 'dialog', 'dialog-closed', 'clipboard', 'notice', 'file-chooser', 'tab-health', 'session-ended',
  // Pickers for the pages' form controls (gateway/browser/control-pickers.ts).
  'picker', 'picker-closed',
]);
/** Download guids announced by a worker and not finished yet; more are refused (a page can start only so many). */
const MAX_OPEN_DOWNLOADS = 256;
/** Chromium's download guids; anything else never becomes a path here. */
const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WorkerPoolOptions {
  /** How many worker processes. */
  count: number;
  /** Where each worker keeps its Chromium profile and downloads (`<dir>/worker-N`). */
  runDir: string;
  /** The URL policy in force and the admins' contact line, pushed to workers on change. */
  policy: () => { version: number; policy: unknown; contact: string | null };
  /** Command that starts a worker (default: this package's `kekkai worker --local`). */
  entry?: { script: string; args: string[] };
  /** Fork local workers as another user (KEKKAI_WORKER_USER, worker-user.ts): uid, gid, cwd and a trimmed env. */
  spawnAs?: { uid: number; gid: number; cwd: string; env: NodeJS.ProcessEnv };
}

/** No worker takes new sessions (all draining): the viewer is told, nothing is queued. */
export class NoWorkerError extends Error {
  readonly code = 'KEKKAI_ERR_NO_WORKER';
}

type Pending = { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout };
type RequestBody = Parameters<SessionHost['request']>[0];

class WorkerHandle implements SessionHost {
  readonly sessions = new Map<string, RemoteSession>();
  private readonly pending = new Map<number, Pending>();
  private nextRid = 1;
  ready = false;
  /** `sid|guid` of downloads announced and not finished (only those may send a file), with the bytes received so far. */
  readonly openDownloads = new Map<string, number>();
  /** Sessions it takes at most (a remote worker says; local ones take the gateway's limit). */
  capacity = Number.POSITIVE_INFINITY;
  host: string | null = null;
  /** File and progress messages are handled in order (a file before its completion). */
  downloadChain: Promise<void> = Promise.resolve();
  policyVersion = -1;
  limitsKey = '';
  /** Rate windows for what a worker reports (audit records per second, downloads per minute). */
  auditWindow = { start: 0, count: 0, dropped: 0 };
  downloadWindow = { start: 0, count: 0 };

  constructor(
    readonly id: number,
    readonly link: WorkerLink,
  ) {}

  send(msg: ToWorker): void {
    this.link.send(msg);
  }

  sendBulk(msg: ToWorker): Promise<void> {
    return this.link.sendBulk(msg);
  }

  request(body: RequestBody): Promise<unknown> {
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      if (!this.link.isOpen()) return reject(new Error(`worker ${this.id} is not running`));
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new Error(`worker ${this.id} did not answer ${body.t}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(rid, { resolve, reject, timer });
      this.link.send({ ...body, rid } as ToWorker);
    });
  }

  settle(rid: number, ok: boolean, code: string | undefined, result: unknown): void {
    const pending = this.pending.get(rid);
    if (!pending) return;
    this.pending.delete(rid);
    clearTimeout(pending.timer);
    if (ok) pending.resolve(result);
    else pending.reject(code === 'session-limit' ? new SessionLimitError('worker session limit') : new Error(`worker ${this.id}: ${code ?? 'failed'}`));
  }

  failAll(): void {
    for (const [rid, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`worker ${this.id} stopped`));
      this.pending.delete(rid);
    }
  }
}

export class WorkerPool implements BrowserLayer {
  private readonly handles: Array<WorkerHandle | null>;
  /** Remote workers connected now, by id (ids after the local ones, never reused). */
  private readonly remote = new Map<number, WorkerHandle>();
  private nextRemoteId: number;
  private readonly creations = new SessionCreations<RemoteSession>();
  private readonly waiting = new Set<() => void>();
  /** Worker ids (1-based) that take no new sessions. */
  private readonly draining = new Set<number>();
  private ownPorts: readonly number[] = [];
  private pushTimer: NodeJS.Timeout | null = null;
  private closing = false;
  /** Memory cap and CPU weight per local worker (cgroups where writable; process-limits.ts). */
  private limiter: WorkerLimiter | null = null;
  readonly sessions: GatewaySessions;

  constructor(
    private readonly deps: BrowserLayerDeps,
    private readonly options: WorkerPoolOptions,
  ) {
    this.handles = Array.from({ length: options.count }, () => null);
    this.nextRemoteId = options.count + 1;
    const all = (): RemoteSession[] => this.all();
    this.sessions = {
      get size() {
        return all().length;
      },
      get: (id) => this.find(id),
      list: () => this.all(),
      getOrCreate: (id, user) => this.getOrCreate(id, user),
      end: (id, reason) => this.end(id, reason),
    };
    deps.metrics.setActiveSessionsSource(() => this.all().length);
    deps.metrics.setWorkerSource(() => this.workers());
  }

  /** Each worker's state and the ids of its sessions (diagnostics, tests). */
  status(): Array<Omit<WorkerStatus, 'sessions'> & { sessions: string[] }> {
    const local = this.handles.map((w, i) => ({
      id: i + 1,
      kind: 'local' as const,
      capacity: null,
      name: null,
      address: null,
      pid: w?.link.pid ?? null,
      ready: Boolean(w?.ready),
      draining: this.draining.has(i + 1),
      sessions: w ? [...w.sessions.keys()] : [],
    }));
    const remote = [...this.remote.values()].map((w) => ({
      id: w.id,
      kind: 'remote' as const,
      capacity: w.capacity,
      name: w.link.name,
      address: w.link.address,
      pid: null,
      ready: w.ready,
      draining: this.draining.has(w.id),
      sessions: [...w.sessions.keys()],
    }));
    return [...local, ...remote];
  }

  workers(): WorkerStatus[] {
    return this.status().map((w) => ({ ...w, sessions: w.sessions.length }));
  }

  /** A draining worker keeps its sessions but gets no new ones (to update or retire its machine). */
  drain(workerId: number, draining: boolean): boolean {
    const known = Number.isInteger(workerId) && ((workerId >= 1 && workerId <= this.handles.length) || this.remote.has(workerId));
    if (!known) return false;
    if (draining) this.draining.add(workerId);
    else this.draining.delete(workerId);
    return true;
  }

  connected(): boolean {
    return this.everyHandle().some((w) => w.ready);
  }

  /** Every worker known now: local slots started, and remote workers connected. */
  private everyHandle(): WorkerHandle[] {
    return [...this.handles.filter((w): w is WorkerHandle => w !== null), ...this.remote.values()];
  }

  /**
   * A remote worker authenticated by the worker listener (worker-listener.ts). Its
   * sessions live as long as its connection; when it drops, they end like a crash.
   */
  attachRemote(link: WorkerLink): number {
    if (this.closing) {
      void link.stop(1000);
      return 0;
    }
    // The same worker reconnecting replaces its old connection (whose sessions are gone with it).
    for (const old of this.remote.values()) if (old.link.name === link.name) void old.link.stop(1000);
    const worker = new WorkerHandle(this.nextRemoteId++, link);
    this.remote.set(worker.id, worker);
    this.wire(worker, {
      ready: () => this.deps.log.info({ worker: worker.id, name: link.name, address: link.address }, 'remote browser worker ready'),
      exited: () => void this.onRemoteGone(worker),
    });
    worker.send({ t: 'init', settings: this.settings(path.join(this.options.runDir, 'remote')) });
    return worker.id;
  }

  connectedRemoteNames(): string[] {
    return [...this.remote.values()].flatMap((w) => (w.link.name ? [w.link.name] : []));
  }

  /** Cuts a remote worker's connection (revoked); false when it is not connected. */
  disconnectRemote(name: string): boolean {
    const worker = [...this.remote.values()].find((w) => w.link.name === name);
    if (!worker) return false;
    void worker.link.stop(1000);
    return true;
  }

  private async onRemoteGone(worker: WorkerHandle): Promise<void> {
    worker.ready = false;
    worker.failAll();
    this.remote.delete(worker.id);
    this.draining.delete(worker.id);
    if (this.closing) return;
    const lost = [...worker.sessions.values()];
    this.deps.log.warn({ worker: worker.id, name: worker.link.name, sessions: lost.length }, 'remote browser worker disconnected; ending its sessions');
    for (const session of lost) {
      session.lost();
      await this.forget(worker, session.id);
    }
    // Audited when users lost sessions (a worker reconnecting in a loop must not flood the log).
    if (lost.length > 0) this.deps.onBrowserLost({ worker: worker.id, workerName: worker.link.name, sessions: lost.length });
  }

  /** Starts every worker and waits until they are ready (a worker that cannot start fails the start). */
  async start(ownPorts: readonly number[]): Promise<void> {
    this.ownPorts = [...ownPorts];
    if (this.options.count > 0) {
      const { session } = this.deps.config;
      this.limiter = await createWorkerLimiter({ memoryMaxBytes: workerMemoryMaxBytes(session.workerMemoryMb, this.options.count), cpuWeight: session.workerCpuWeight, log: this.deps.log });
    }
    await Promise.all(this.handles.map((_, i) => this.spawn(i)));
    this.pushTimer = setInterval(() => this.pushChanges(), PUSH_INTERVAL_MS);
    this.pushTimer.unref();
  }

  async cancelDownload(sessionId: string, guid: string): Promise<void> {
    this.holder(sessionId)?.send({ t: 'cancel-download', sid: sessionId, guid });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.pushTimer) clearInterval(this.pushTimer);
    await Promise.all(this.everyHandle().map((worker) => worker.link.stop(5000)));
    await this.limiter?.close();
  }

  private all(): RemoteSession[] {
    return this.everyHandle().flatMap((w) => [...w.sessions.values()]);
  }

  private find(id: string): RemoteSession | undefined {
    for (const worker of this.everyHandle()) {
      const session = worker.sessions.get(id);
      if (session && !session.ended) return session;
    }
    return undefined;
  }

  private holder(id: string): WorkerHandle | undefined {
    return this.everyHandle().find((w) => w.sessions.has(id));
  }

  private getOrCreate(id: string, user: Actor): Promise<{ session: RemoteSession; resumed: boolean }> {
    return this.creations.getOrCreate(id, {
      existing: (sid) => this.find(sid),
      count: () => this.all().length,
      max: this.deps.config.session.maxSessions,
      create: (sid) => this.create(sid, user),
    });
  }

  private async create(id: string, user: Actor): Promise<RemoteSession> {
    const worker = await this.leastLoaded();
    const workerUser: WorkerUser = { id: user.id, name: user.name, role: user.role, sourceIp: user.sourceIp };
    const session = new RemoteSession(id, workerUser, worker);
    worker.sessions.set(id, session);
    try {
      await worker.request({ t: 'create', sid: id, user: workerUser });
    } catch (err) {
      worker.sessions.delete(id);
      throw err;
    }
    // The download pipeline attributes this session's files to its user.
    this.deps.downloads.downloadDir(id, { userId: user.id, userName: user.name, role: user.role, sourceIp: user.sourceIp });
    this.deps.log.info({ sessionId: id, userId: user.id, worker: worker.id }, 'browser session placed');
    return session;
  }

  /** The ready worker with the fewest sessions; waits for one while all are restarting. */
  private async leastLoaded(): Promise<WorkerHandle> {
    for (;;) {
      const known = this.everyHandle();
      const up = known.filter((w) => w.ready);
      const ready = up.filter((w) => !this.draining.has(w.id) && w.sessions.size < w.capacity);
      // Least loaded relative to what each worker takes (a remote machine may take more).
      const load = (w: WorkerHandle): number => (Number.isFinite(w.capacity) ? w.sessions.size / w.capacity : w.sessions.size / this.deps.config.session.maxSessions);
      if (ready.length > 0) return ready.reduce((a, b) => (load(b) < load(a) ? b : a));
      if (up.length > 0 || (known.length > 0 && known.every((w) => this.draining.has(w.id)))) throw new NoWorkerError('every browser worker is draining or full');
      if (this.closing) throw new Error('gateway is stopping');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(done);
          reject(new Error('no browser worker is ready'));
        }, READY_TIMEOUT_MS);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.waiting.add(done);
      });
    }
  }

  private async end(id: string, reason: SessionEndReason): Promise<boolean> {
    const worker = this.holder(id);
    const session = worker?.sessions.get(id);
    if (!worker || !session) return false;
    await session.end(reason).catch((err: unknown) => this.deps.log.warn({ err: (err as Error).message }, 'ending a session on its worker failed'));
    await this.forget(worker, id);
    return true;
  }

  /** Releases what the control plane holds for a session that ended. */
  private async forget(worker: WorkerHandle, id: string): Promise<void> {
    const session = worker.sessions.get(id);
    if (!session) return;
    worker.sessions.delete(id);
    session.ended = true;
    // Downloads still announced for it will never finish here.
    for (const key of worker.openDownloads.keys()) if (key.startsWith(`${id}|`)) worker.openDownloads.delete(key);
    await this.deps.downloads.endSession(id).catch(() => undefined);
    await rm(this.deps.sessionUploadDir(id), { recursive: true, force: true }).catch(() => undefined);
  }

  private settings(workDir: string): WorkerSettings {
    const { config } = this.deps;
    const limits = this.deps.limits();
    return {
      chromiumPath: config.chromiumPath,
      jpegQuality: config.stream.jpegQuality,
      maxDeviceScaleFactor: config.stream.maxDeviceScaleFactor,
      warmPool: config.session.warmPool,
      maxSessions: config.session.maxSessions,
      maxTabs: limits.maxTabs,
      idleTimeoutSeconds: limits.idleTimeoutSeconds,
      rendererMemoryMb: config.session.rendererMemoryMb,
      clipboardToClient: config.clipboard.toClient,
      clipboardFromClient: config.clipboard.fromClient,
      uploadEnabled: config.upload.enabled,
      print: config.download.print,
      allowPrivate: [...config.egress.allowPrivate],
      allowedPorts: [...config.egress.allowedPorts],
      ownPorts: [...this.ownPorts],
      maxDownloadBytes: config.download.maxBytes,
      maxUploadBytes: config.upload.maxBytes,
      workDir,
      ...(config.session.startPage ? { startPage: config.session.startPage } : {}),
    };
  }

  private spawn(index: number, attempt = 1): Promise<void> {
    const entry = this.options.entry ?? { script: path.join(PACKAGE_ROOT, 'bin', 'kekkai.js'), args: ['worker', '--local', this.deps.config.logLevel] };
    const child = fork(entry.script, entry.args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...this.options.spawnAs });
    const worker = new WorkerHandle(index + 1, new ProcessLink(child));
    this.handles[index] = worker;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`browser worker ${worker.id} did not start in time`)), READY_TIMEOUT_MS);
      this.wire(worker, {
        ready: (pid) => {
          clearTimeout(timer);
          this.deps.log.info({ worker: worker.id, pid, attempt }, 'browser worker ready');
          resolve();
        },
        exited: (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`browser worker ${worker.id} exited (${signal ?? code}) before it was ready`));
          void this.onExit(index, worker, code, signal as NodeJS.Signals | null, attempt);
        },
      });
      // A failed fork (EAGAIN, ENOMEM) is reported here; 'exit' follows or the start times out.
      child.on('error', (err) => this.deps.log.warn({ worker: worker.id, err: err.message }, 'browser worker process error'));
    });
    const init = (): void => worker.send({ t: 'init', settings: this.settings(path.join(this.options.runDir, `worker-${index + 1}`)) });
    // The worker starts Chromium only after init, so Chromium is born inside the worker's groups.
    if (child.pid !== undefined && this.limiter) void this.limiter.place(child.pid, worker.id).then(init);
    else init();
    return ready;
  }

  /** Messages from a worker, validated; `ready` makes it take sessions. */
  private wire(worker: WorkerHandle, on: { ready(pid: number): void; exited(code: number | null, signal: string | null): void }): void {
    worker.link.onMessage((raw) => {
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) {
        this.deps.log.warn({ worker: worker.id }, 'invalid message from a browser worker dropped');
        return;
      }
      if (parsed.data.t === 'ready') {
        if (worker.ready) return;
        worker.ready = true;
        if (worker.link.kind === 'remote') {
          worker.host = parsed.data.host ?? null;
          // A worker may ask for fewer sessions, never for more than the operator allows
          // (a compromised worker must not draw everyone's sessions onto itself).
          const ceiling = this.deps.config.remoteWorkers.maxSessionsPerWorker;
          worker.capacity = Math.min(parsed.data.capacity ?? ceiling, ceiling);
        }
        this.pushTo(worker, true);
        for (const wake of [...this.waiting]) wake();
        this.waiting.clear();
        on.ready(parsed.data.pid);
        return;
      }
      try {
        this.onWorkerMessage(worker, parsed.data);
      } catch (err) {
        // Nothing a worker sends may take the control plane down.
        this.deps.log.warn({ worker: worker.id, t: parsed.data.t, err: (err as Error).message }, 'message from a browser worker failed');
      }
    });
    worker.link.onClose(({ code, signal }) => on.exited(code, signal));
  }

  private async onExit(index: number, worker: WorkerHandle, code: number | null, signal: NodeJS.Signals | null, attempt: number): Promise<void> {
    const wasReady = worker.ready;
    worker.ready = false;
    worker.failAll();
    await this.limiter?.release(worker.id);
    if (this.closing) return;
    const lost = [...worker.sessions.values()];
    this.deps.log.warn({ worker: worker.id, code, signal, sessions: lost.length }, 'browser worker exited; ending its sessions and starting it again');
    for (const session of lost) {
      session.lost();
      await this.forget(worker, session.id);
    }
    this.deps.onBrowserLost({ worker: worker.id, sessions: lost.length });
    const next = wasReady ? 1 : attempt + 1;
    const waitMs = wasReady ? 0 : Math.min(30_000, 500 * 2 ** (attempt - 1));
    if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs));
    if (this.closing) return;
    this.spawn(index, next).then(
      () => this.deps.metrics.browserRestarted(),
      (err: unknown) => this.deps.log.warn({ worker: worker.id, err: (err as Error).message }, 'browser worker did not start; trying again'),
    );
  }

  private onWorkerMessage(worker: WorkerHandle, msg: FromWorker): void {
    const session = 'sid' in msg && msg.sid ? worker.sessions.get(msg.sid) : undefined;
    switch (msg.t) {
      case 'done':
        return worker.settle(msg.rid, msg.ok, msg.code, msg.result);
      case 'msg': {
        const viewerMsg = msg.msg as ServerMessage;
        if (!WORKER_VIEWER_MESSAGES.has(viewerMsg.type)) return void this.deps.log.warn({ worker: worker.id, type: viewerMsg.type }, 'viewer message a browser worker may not send dropped');
        // The clipboard switch is enforced here too, not only on the worker.
        if (viewerMsg.type === 'clipboard' && !this.deps.config.clipboard.toClient) return;
        return session?.deliver(viewerMsg);
      }
      case 'frame':
        if (!session) return;
        session.deliverFrame(msg.data);
        this.deps.metrics.frameSent(msg.data.byteLength);
        return;
      case 'viewer-close':
        return session?.closeViewer();
      case 'ended':
        if (session) void this.forget(worker, msg.sid);
        return;
      case 'chooser':
        return session?.rememberChooser(msg.chooserId, msg.url);
      case 'audit':
        return this.audit(worker, msg);
      case 'stream':
        for (const seconds of msg.inputToFrame) this.deps.metrics.inputToFrame(seconds);
        return;
      case 'drain':
        this.drain(worker.id, msg.draining);
        this.deps.log.info({ worker: worker.id, name: worker.link.name, draining: msg.draining }, 'browser worker drain set from its machine');
        return;
      case 'dl-begin':
      case 'dl-chunk':
      case 'dl-progress':
        if (session) this.onDownload(worker, msg);
        return;
    }
  }

  /**
   * A worker reports only what its sessions' browsers decided (navigations, refusals);
   * the user comes from the control plane's own record of the sessions on that worker,
   * and the details must be plain JSON of bounded size.
   */
  private audit(worker: WorkerHandle, msg: Extract<FromWorker, { t: 'audit' }>): void {
    const now = Date.now();
    const window = worker.auditWindow;
    if (now - window.start >= 1000) {
      if (window.dropped > 0) this.deps.log.warn({ worker: worker.id, name: worker.link.name, dropped: window.dropped }, 'audit records from a browser worker over its rate dropped');
      worker.auditWindow = { start: now, count: 0, dropped: 0 };
    }
    if (++worker.auditWindow.count > AUDIT_PER_SECOND) {
      worker.auditWindow.dropped += 1;
      return;
    }
    if (!WORKER_AUDIT_EVENTS.has(msg.event) || !WORKER_AUDIT_OUTCOMES.has(msg.outcome)) {
      this.deps.log.warn({ worker: worker.id, event: msg.event.slice(0, 64) }, 'audit event a browser worker may not report dropped');
      return;
    }
    let details: Record<string, never>;
    try {
      const json = JSON.stringify(msg.details);
      if (json.length > MAX_AUDIT_DETAILS) throw new Error('too large');
      details = JSON.parse(json) as Record<string, never>;
    } catch {
      this.deps.log.warn({ worker: worker.id }, 'audit details from a browser worker are not plain JSON of bounded size; dropped');
      return;
    }
    // Only about a user whose session is on this worker (a worker cannot speak for others).
    const user = [...worker.sessions.values()].find((s) => s.user.id === msg.userId)?.user;
    if (!user) return void this.deps.log.warn({ worker: worker.id }, 'audit event from a browser worker for no session of its own dropped');
    this.deps.audit.record({
      userId: user.id,
      userName: user.name,
      role: user.role,
      sourceIp: user.sourceIp,
      event: msg.event,
      outcome: msg.outcome,
      details: { ...details, worker: worker.id, ...(worker.link.name ? { workerName: worker.link.name } : {}) },
    });
  }

  private onDownload(worker: WorkerHandle, msg: Extract<FromWorker, { t: 'dl-begin' | 'dl-chunk' | 'dl-progress' }>): void {
    const { downloads } = this.deps;
    if (!GUID_RE.test(msg.guid)) {
      this.deps.log.warn({ worker: worker.id }, 'download with an invalid id from a browser worker dropped');
      return;
    }
    // Only downloads the worker announced, each file at most the download limit, written once.
    const key = `${msg.sid}|${msg.guid}`;
    if (msg.t === 'dl-begin') {
      if (worker.openDownloads.size >= MAX_OPEN_DOWNLOADS) return void this.deps.log.warn({ worker: worker.id }, 'too many open downloads from a browser worker; one dropped');
      const now = Date.now();
      if (now - worker.downloadWindow.start >= 60_000) worker.downloadWindow = { start: now, count: 0 };
      if (++worker.downloadWindow.count > DOWNLOADS_PER_MINUTE) return void this.deps.log.warn({ worker: worker.id }, 'downloads from a browser worker over its rate; one dropped');
      if (worker.openDownloads.has(key)) return;
      worker.openDownloads.set(key, 0);
    } else if (!worker.openDownloads.has(key)) {
      return void this.deps.log.warn({ worker: worker.id, t: msg.t }, 'download message for no announced download dropped');
    }
    let first = false;
    if (msg.t === 'dl-chunk') {
      const received = worker.openDownloads.get(key)!;
      const total = received + msg.data.byteLength;
      if (total > this.deps.config.download.maxBytes) {
        this.deps.log.warn({ worker: worker.id, bytes: total }, 'download file over the limit from a browser worker dropped');
        worker.openDownloads.delete(key);
        const dir = this.deps.downloads.downloadDir(msg.sid);
        worker.downloadChain = worker.downloadChain.then(() => rm(path.join(dir, msg.guid), { force: true })).catch(() => undefined);
        this.deps.downloads.onProgress(msg.sid, { guid: msg.guid, receivedBytes: total, totalBytes: total, state: 'canceled' });
        return;
      }
      first = received === 0;
      worker.openDownloads.set(key, total);
    }
    if (msg.t === 'dl-progress' && msg.state !== 'inProgress') worker.openDownloads.delete(key);
    worker.downloadChain = worker.downloadChain
      .then(async () => {
        // The session may have ended meanwhile: nothing of it is re-created.
        if (!worker.sessions.has(msg.sid)) return;
        switch (msg.t) {
          case 'dl-begin':
            return downloads.onWillBegin(msg.sid, { guid: msg.guid, url: msg.url, suggestedFilename: msg.name });
          case 'dl-chunk': {
            const dir = downloads.downloadDir(msg.sid);
            await mkdir(dir, { recursive: true, mode: 0o700 });
            // The first chunk starts the file afresh; the rest append in order.
            if (first) return writeFile(path.join(dir, msg.guid), msg.data, { mode: 0o600 });
            return appendFile(path.join(dir, msg.guid), msg.data);
          }
          case 'dl-progress':
            return downloads.onProgress(msg.sid, { guid: msg.guid, receivedBytes: msg.receivedBytes, totalBytes: msg.totalBytes, state: msg.state });
        }
      })
      .catch((err: unknown) => this.deps.log.warn({ worker: worker.id, err: (err as Error).message }, 'download from a browser worker failed'));
  }

  /** Policy and operator limits reach every worker when they change. */
  private pushChanges(): void {
    for (const worker of this.everyHandle()) if (worker.ready) this.pushTo(worker, false);
  }

  private pushTo(worker: WorkerHandle, force: boolean): void {
    const current = this.options.policy();
    if (force || current.version !== worker.policyVersion) {
      worker.send({ t: 'policy', policy: current.policy, contact: current.contact });
      worker.policyVersion = current.version;
    }
    const limits = this.deps.limits();
    const key = `${limits.maxTabs}|${limits.idleTimeoutSeconds}`;
    if (force || key !== worker.limitsKey) {
      worker.send({ t: 'limits', maxTabs: limits.maxTabs, idleTimeoutSeconds: limits.idleTimeoutSeconds });
      worker.limitsKey = key;
    }
  }
}
