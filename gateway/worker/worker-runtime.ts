/**
 * A browser worker's side of the channel (docs/workers.md): one Chromium and the
 * sessions the control plane places on it. Viewer messages arrive already validated
 * and are validated again here; what the sessions produce — viewer messages, frames,
 * audit events, download progress and files — goes back over the channel. Nothing is
 * sanitized, stored or audited here: the worker keeps no state worth saving.
 */
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { evaluate, type Policy } from '../../policies/index.js';
import type { ServerMessage, SessionEndReason } from '../../protocol/index.js';
import { ToWorker, TRANSFER_CHUNK_BYTES, type FromWorker, type WorkerSettings } from '../../protocol/worker-messages.js';
import type { AuditEventInput } from '../audit/audit-log.js';
import { launchBrowserInstance, type BrowserInstance } from '../browser/browser-instance.js';
import type { BrowserSession, Viewer } from '../browser/browser-session.js';
import type { DownloadSink } from '../browser/download-router.js';
import type { UrlPolicy } from '../egress/context-egress.js';
import { startDenyAllProxy } from '../egress/context-egress.js';
import { SessionLimitError } from '../browser/session-manager.js';
import type { ParentLogger } from '../logging.js';

/** The channel to the control plane (Node's IPC for local workers, mutual-TLS WebSocket for remote ones). */
export interface WorkerChannel {
  send(msg: FromWorker): void;
  onMessage(listener: (msg: unknown) => void): void;
}

/** What a remote worker says about itself when ready; its own machine's settings win over the control plane's. */
export interface WorkerIdentity {
  host?: string;
  capacity?: number;
  overrides?: Partial<Pick<WorkerSettings, 'chromiumPath' | 'workDir'>>;
}


/** Until the first policy arrives, everything is blocked (fail closed). */
const BLOCK_ALL: Policy = { default: 'block', rules: [], categories: {}, capabilities: {} };
const STREAM_REPORT_MS = 5000;

export class WorkerRuntime {
  private instance: BrowserInstance | null = null;
  private settings: WorkerSettings | null = null;
  private policy: Policy = BLOCK_ALL;
  private contact: string | null = null;
  private limits = { maxTabs: 10, idleTimeoutSeconds: 600 };
  private readonly viewers = new Map<string, Viewer>();
  private latencies: number[] = [];
  private streamTimer: NodeJS.Timeout | null = null;
  private denyAll: { proxyServer: string; close(): Promise<void> } | null = null;
  private stopping = false;

  constructor(
    private readonly channel: WorkerChannel,
    private readonly log: ParentLogger,
    /** Called when the worker must end (shutdown, or its Chromium died). */
    private readonly exit: (code: number) => void,
    private readonly identity: WorkerIdentity = {},
  ) {
    channel.onMessage((raw) => void this.onMessage(raw));
  }

  private readonly urlPolicy: UrlPolicy = {
    evaluate: (url, ctx) => evaluate(this.policy, url, { ...ctx, now: ctx.now ?? new Date(), allowPrivate: ctx.allowPrivate ?? this.settings?.allowPrivate ?? [] }),
    contact: () => this.contact,
  };

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = ToWorker.safeParse(raw);
    if (!parsed.success) {
      this.log.warn({ issues: parsed.error.issues.slice(0, 3) }, 'invalid message from the control plane dropped');
      return;
    }
    const msg = parsed.data;
    try {
      switch (msg.t) {
        case 'init':
          return await this.init(msg.settings);
        case 'policy':
          this.policy = msg.policy as Policy;
          this.contact = msg.contact;
          return;
        case 'limits':
          this.limits = { maxTabs: msg.maxTabs, idleTimeoutSeconds: msg.idleTimeoutSeconds };
          return;
        case 'shutdown':
          await this.stop();
          return this.exit(0);
        case 'cancel-download': {
          const context = this.sessions().get(msg.sid)?.browserContext;
          if (context) await this.chromium().cancelDownload(msg.guid, context);
          return;
        }
        case 'upload-chunk':
          // One after another: appends must land in the order the chunks were sent.
          await this.inUploadOrder(() => this.receiveUploadChunk(msg));
          return;
        case 'upload':
          await this.inUploadOrder(() => this.request(msg));
          return;
        case 'detach': {
          const viewer = this.viewers.get(msg.sid);
          if (viewer) this.sessions().get(msg.sid)?.detach(viewer);
          this.viewers.delete(msg.sid);
          return;
        }
        case 'input':
          // Request id 0: the control plane waits for no answer (frame acks).
          if (msg.rid === 0) return await this.session(msg.sid).handle(msg.msg);
          return await this.request(msg);
        default:
          return await this.request(msg);
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message, t: msg.t }, 'control message failed');
    }
  }

  /** Messages the control plane waits for: answered with `done` and the request id. */
  private async request(msg: Extract<ToWorker, { rid: number }>): Promise<void> {
    try {
      const result = await this.perform(msg);
      this.channel.send({ t: 'done', rid: msg.rid, ok: true, ...(result !== undefined ? { result } : {}) });
    } catch (err) {
      const code = err instanceof SessionLimitError ? 'session-limit' : 'internal-error';
      if (code === 'internal-error') this.log.warn({ err: (err as Error).message, t: msg.t }, 'request failed');
      this.channel.send({ t: 'done', rid: msg.rid, ok: false, code });
    }
  }

  private async perform(msg: Extract<ToWorker, { rid: number }>): Promise<unknown> {
    switch (msg.t) {
      case 'create': {
        const { resumed } = await this.sessions().getOrCreate(msg.sid, msg.user);
        return { resumed };
      }
      case 'end':
        return this.sessions().end(msg.sid, msg.reason as SessionEndReason);
      case 'attach':
        return this.session(msg.sid).attach(this.viewerFor(msg.sid), msg.viewport);
      case 'input':
        return this.session(msg.sid).handle(msg.msg);
      case 'upload':
        return this.completeUpload(msg);
    }
  }

  private uploadChain: Promise<unknown> = Promise.resolve();

  private inUploadOrder(step: () => Promise<unknown>): Promise<unknown> {
    const next = this.uploadChain.then(step);
    this.uploadChain = next.catch(() => undefined);
    return next;
  }

  /** `<workDir>/uploads/<hash of session>`: removed when the session ends. */
  private uploadDir(sid: string): string {
    return path.join(this.settings?.workDir ?? '/nonexistent', 'uploads', createHash('sha256').update(sid).digest('hex').slice(0, 32));
  }

  private uploadPath(sid: string, chooserId: number, index: number, name: string): string {
    return path.join(this.uploadDir(sid), String(chooserId), String(index), name);
  }

  private async receiveUploadChunk(msg: Extract<ToWorker, { t: 'upload-chunk' }>): Promise<void> {
    this.session(msg.sid);
    const file = this.uploadPath(msg.sid, msg.chooserId, msg.index, msg.name);
    const size = (await stat(file).catch(() => null))?.size ?? 0;
    if (size + msg.data.byteLength > (this.settings?.maxUploadBytes ?? 0)) throw new Error('upload larger than the limit');
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await appendFile(file, msg.data, { mode: 0o600 });
  }

  /** The chunks arrived before this request (the channel keeps order); sizes must match. */
  private async completeUpload(msg: Extract<ToWorker, { t: 'upload' }>): Promise<unknown> {
    const files: string[] = [];
    for (const [index, file] of msg.files.entries()) {
      const local = this.uploadPath(msg.sid, msg.chooserId, index, file.name);
      const size = (await stat(local).catch(() => null))?.size ?? -1;
      if (size !== file.size || (await sha256Of(local)) !== file.sha256) throw new Error('upload incomplete or altered');
      files.push(local);
    }
    // Chromium reads the files when the page uses them: they stay until the session ends.
    return this.session(msg.sid).uploads.complete(msg.chooserId, files);
  }

  private async init(received: WorkerSettings): Promise<void> {
    if (this.instance) return;
    const settings: WorkerSettings = { ...received, ...this.identity.overrides };
    this.settings = settings;
    this.limits = { maxTabs: settings.maxTabs, idleTimeoutSeconds: settings.idleTimeoutSeconds };
    await rm(settings.workDir, { recursive: true, force: true });
    await mkdir(settings.workDir, { recursive: true, mode: 0o700 });
    this.denyAll = await startDenyAllProxy();
    const home = path.join(settings.workDir, 'home');
    await mkdir(home, { recursive: true, mode: 0o700 });
    this.instance = await launchBrowserInstance({
      chromiumPath: settings.chromiumPath,
      runDir: { profile: path.join(settings.workDir, 'profile'), home },
      proxyServer: this.denyAll.proxyServer,
      ownPorts: () => this.settings?.ownPorts ?? [],
      session: {
        idleTimeoutSeconds: settings.idleTimeoutSeconds,
        warmPool: settings.warmPool,
        maxSessions: settings.maxSessions,
        rendererMemoryMb: settings.rendererMemoryMb,
        ...(settings.startPage ? { startPage: settings.startPage } : {}),
      },
      stream: { jpegQuality: settings.jpegQuality, maxDeviceScaleFactor: settings.maxDeviceScaleFactor },
      clipboard: { toClient: settings.clipboardToClient, fromClient: settings.clipboardFromClient },
      uploadEnabled: settings.uploadEnabled,
      print: settings.print,
      egress: { allowPrivate: settings.allowPrivate, allowedPorts: settings.allowedPorts },
      limits: () => this.limits,
      log: this.log,
      audit: { record: (input) => this.audit(input) },
      urlPolicy: this.urlPolicy,
      metrics: {
        frameSent: () => undefined,
        inputToFrame: (seconds) => void (this.latencies.length < 10_000 && this.latencies.push(seconds)),
        policyRefusal: () => undefined,
      },
      downloads: this.downloadSink(path.join(settings.workDir, 'downloads')),
      onSessionEnded: async (id) => {
        this.viewers.delete(id);
        await rm(this.uploadDir(id), { recursive: true, force: true });
        this.channel.send({ t: 'ended', sid: id, reason: 'ended' });
      },
    });
    this.instance.chromium.onDisconnected(() => {
      if (this.stopping) return;
      this.log.warn({ component: 'chromium' }, 'Chromium exited; the worker stops so the control plane replaces it');
      this.exit(70);
    });
    this.instance.sessions.start();
    this.streamTimer = setInterval(() => this.reportStream(), STREAM_REPORT_MS);
    this.streamTimer.unref();
    this.channel.send({
      t: 'ready',
      pid: process.pid,
      ...(this.identity.host ? { host: this.identity.host } : {}),
      ...(this.identity.capacity ? { capacity: this.identity.capacity } : {}),
    });
  }

  /** The operator drains (or undrains) this worker from its own machine. */
  setDraining(draining: boolean): void {
    this.channel.send({ t: 'drain', draining });
  }

  /** Sessions on this worker now (status file of a remote worker). */
  sessionCount(): number {
    return this.instance?.sessions.size ?? 0;
  }

  /** The control plane seals the record (and decides whose it is). */
  private audit(input: AuditEventInput): void {
    this.channel.send({ t: 'audit', userId: input.userId ?? null, event: input.event, outcome: input.outcome, details: (input.details ?? {}) as Record<string, unknown> });
  }

  /** Chromium's downloads of this worker's sessions, sent in chunks to the control plane when complete. */
  private downloadSink(root: string): DownloadSink {
    const dirOf = (sid: string): string => path.join(root, createHash('sha256').update(sid).digest('hex').slice(0, 32));
    return {
      downloadDir: (sid) => dirOf(sid),
      onWillBegin: (sid, ev) => this.channel.send({ t: 'dl-begin', sid, guid: ev.guid, url: ev.url, name: ev.suggestedFilename }),
      onProgress: (sid, ev) => {
        const file = path.join(dirOf(sid), ev.guid);
        const report = (): void => this.channel.send({ t: 'dl-progress', sid, ...ev });
        if (ev.state === 'inProgress') return report();
        void (async () => {
          let state = ev.state;
          if (state === 'completed') {
            // Never read (or send) more than the control plane accepts.
            const size = (await stat(file).catch(() => null))?.size ?? -1;
            const sent = size >= 0 && size <= (this.settings?.maxDownloadBytes ?? 0) && (await this.sendFile(sid, ev.guid, file));
            if (!sent) state = 'canceled';
          }
          await rm(file, { force: true });
          this.channel.send({ t: 'dl-progress', sid, ...ev, state });
        })();
      },
      endSession: async (sid) => {
        await rm(dirOf(sid), { recursive: true, force: true });
      },
    };
  }

  private async sendFile(sid: string, guid: string, file: string): Promise<boolean> {
    try {
      let sent = 0;
      for await (const chunk of createReadStream(file, { highWaterMark: TRANSFER_CHUNK_BYTES })) {
        const data = chunk as Buffer;
        this.channel.send({ t: 'dl-chunk', sid, guid, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
        sent++;
      }
      // An empty file is still a file: one empty chunk creates it on the control plane.
      if (sent === 0) this.channel.send({ t: 'dl-chunk', sid, guid, data: new Uint8Array(0) });
      return true;
    } catch {
      return false;
    }
  }

  private viewerFor(sid: string): Viewer {
    const existing = this.viewers.get(sid);
    if (existing) return existing;
    const viewer: Viewer = {
      sendMessage: (msg: ServerMessage) => {
        if (msg.type === 'file-chooser') {
          const target = this.sessions().get(sid)?.uploads.target(msg.chooserId);
          if (target) this.channel.send({ t: 'chooser', sid, chooserId: msg.chooserId, url: target.url.slice(0, 8192) });
        }
        this.channel.send({ t: 'msg', sid, msg });
      },
      sendFrame: (bytes) => this.channel.send({ t: 'frame', sid, data: bytes }),
      close: () => {
        this.viewers.delete(sid);
        this.channel.send({ t: 'viewer-close', sid });
      },
    };
    this.viewers.set(sid, viewer);
    return viewer;
  }

  private reportStream(): void {
    if (this.latencies.length === 0) return;
    this.channel.send({ t: 'stream', inputToFrame: this.latencies });
    this.latencies = [];
  }

  /** Ends every session and Chromium, and removes the work directory. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.streamTimer) clearInterval(this.streamTimer);
    const instance = this.instance;
    this.instance = null;
    if (instance) {
      await instance.sessions.close('shutdown');
      await instance.chromium.close();
    }
    await this.denyAll?.close();
    if (this.settings) await rm(this.settings.workDir, { recursive: true, force: true });
  }

  private chromium(): BrowserInstance['chromium'] {
    if (!this.instance) throw new Error('worker not initialised');
    return this.instance.chromium;
  }

  private sessions(): BrowserInstance['sessions'] {
    if (!this.instance) throw new Error('worker not initialised');
    return this.instance.sessions;
  }

  private session(sid: string): BrowserSession {
    const session = this.sessions().get(sid);
    if (!session) throw new Error('no such session');
    return session;
  }
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
