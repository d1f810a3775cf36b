/**
 * The viewer WebSocket: checks Origin and the sign-in session before the upgrade,
 * waits for `hello`, attaches the user's browser session (new or resumed), then
 * rate-limits, validates and queues every inbound message for the session in
 * order (bounded: viewer-input-queue.ts). A bad message gets an error reply;
 * nothing a client sends can crash the gateway or hold memory past the limits.
 */
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../actor.js';
import type { WebSocket } from '@fastify/websocket';
import {
  ClientMessage,
  MAX_CLIENT_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  type ServerMessage,
  type Viewport,
} from '../../protocol/index.js';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import type { Viewer } from '../browser/browser-session.js';
import type { LeakGuardService } from '../security/leak-guard-service.js';
import { TypedTextGuard } from './typed-text-guard.js';
import type { RecordingService } from '../recording/recording-service.js';
import type { SessionRecorder } from '../recording/session-recorder.js';
import { message, type MessageCode } from '../i18n/messages.js';
import { currentSession, isSameOrigin, SESSION_COOKIE } from './auth-guard.js';
import { MessageRateLimit } from './message-rate-limit.js';
import { InputQueueRegistry, ViewerInputQueue, type StallCounter } from './viewer-input-queue.js';

/** What the WebSocket needs of a browser session (BrowserSession implements it). */
/** Bytes queued towards one viewer beyond which frames are dropped. */
const MAX_QUEUED_FRAME_BYTES = 8 * 1024 * 1024;

export interface ViewerSession {
  attach(viewer: Viewer, viewport: Viewport): Promise<void>;
  detach(viewer: Viewer): void;
  handle(msg: ClientMessage): Promise<void>;
}

export interface ViewerSessions {
  end?(id: string, reason: 'terminated'): Promise<boolean>;
  getOrCreate(id: string, user: Actor): Promise<{ session: ViewerSession; resumed: boolean }>;
}

export interface ViewerRouteDeps {
  auth: AuthService;
  sessions: ViewerSessions;
  capabilities: { clipboardToClient: boolean; clipboardFromClient: boolean; upload: boolean };
  /** How often an open viewer's sign-in is re-checked (default 30 s). */
  recheckMs?: number;
  /** Messages a (re)attaching viewer needs first, e.g. the session's downloads. */
  initialMessages?: (sessionId: string) => ServerMessage[];
  /** Where open connections register their input queues (stats); one is made if absent. */
  inputQueues?: InputQueueRegistry;
  /** Checks pasted and committed text for patient data before it reaches the page (docs/leak-guard.md). */
  leakGuard?: LeakGuardService;
  /** Records viewer connections of the users configured (docs/recording.md). */
  recording?: RecordingService;
}

const HELLO_TIMEOUT_MS = 10_000;
const RECHECK_MS = 30_000;
const BYPASS_QUEUE = new Set<ClientMessage['type']>(['ack', 'keyframe', 'dialog-reply', 'end-session', 'file-chooser-cancel']);
/** A notice about dropped input is sent at most this often, so the notices cannot flood either. */
const NOTICE_INTERVAL_MS = 3_000;
/** Close code for a viewer that speaks another protocol version. */
const CLOSE_OUTDATED = 4426;

/** A hello from a client of another protocol version. */
function isOutdatedHello(msg: unknown): boolean {
  if (typeof msg !== 'object' || msg === null) return false;
  const m = msg as { type?: unknown; version?: unknown };
  return m.type === 'hello' && m.version !== PROTOCOL_VERSION;
}
/** Close code for a client that keeps sending far faster than any viewer does. */
export const CLOSE_RATE_LIMIT = 4429;
/** Calls still running after their timeout, per browser session (any of its connections). */
const stalledBySession = new WeakMap<ViewerSession, StallCounter>();

export function registerViewerSocket(app: FastifyInstance, deps: ViewerRouteDeps): void {
  const registry = deps.inputQueues ?? new InputQueueRegistry();
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (!isSameOrigin(req) || req.headers.origin === undefined) return reply.code(403).send({ code: 'KEKKAI_ERR_ORIGIN' });
        const current = currentSession(deps.auth, req);
        if (!current) return reply.code(401).send({ code: 'KEKKAI_ERR_UNAUTHENTICATED' });
        if (current.user.mustChangePassword) return reply.code(403).send({ code: 'KEKKAI_ERR_PASSWORD_CHANGE_REQUIRED' });
      },
    },
    (socket, req) => {
      const current = currentSession(deps.auth, req);
      if (!current) return socket.close(4401, 'unauthenticated');
      const token = req.cookies[SESSION_COOKIE] ?? '';
      new ViewerConnection(socket, current, deps, registry, req.log, req.ip, () => deps.auth.resolve(token, req.ip) !== undefined).start();
    },
  );
}

class ViewerConnection implements Viewer {
  private session: ViewerSession | null = null;
  private queue: ViewerInputQueue | null = null;
  private helloSeen = false;
  private helloTimer: NodeJS.Timeout | null = null;
  private readonly rate: MessageRateLimit;
  private readonly noticeSentAt = new Map<MessageCode, number>();
  /** Numbers typed key by key (typed-text-guard.ts); absent without a leak guard. */
  private typed: TypedTextGuard | null = null;
  /** This connection's recording, when the user's sessions are recorded. */
  private recorder: SessionRecorder | null = null;

  constructor(
    private readonly socket: WebSocket,
    private readonly current: CurrentSession,
    private readonly deps: ViewerRouteDeps,
    private readonly registry: InputQueueRegistry,
    private readonly log: FastifyInstance['log'],
    private readonly sourceIp: string,
    /** Re-checks the sign-in (expiry, account state, allowed source ranges). */
    private readonly stillSignedIn: () => boolean,
  ) {
    this.rate = new MessageRateLimit();
  }

  start(): void {
    this.helloTimer = setTimeout(() => this.socket.close(4408, 'no hello'), HELLO_TIMEOUT_MS);
    // A sign-in that expires or loses its allowed source range ends the open viewer too.
    const recheck = setInterval(() => {
      if (this.stillSignedIn()) return;
      clearInterval(recheck);
      this.sendMessage({ type: 'session-ended', reason: 'terminated', message: message('terminated') });
      void this.deps.sessions.end?.(this.current.session.idHash, 'terminated');
      this.socket.close(4401, 'signed out');
    }, this.deps.recheckMs ?? RECHECK_MS);
    recheck.unref();
    this.socket.on('close', () => clearInterval(recheck));
    this.socket.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    this.socket.on('close', () => {
      if (this.helloTimer) clearTimeout(this.helloTimer);
      // Queued input is dropped, not delivered late; the queue holds nothing after this.
      if (this.queue) {
        this.queue.close();
        this.registry.delete(this.queue);
      }
      this.session?.detach(this);
      void this.recorder?.close().catch((err: unknown) => this.log.warn({ err: String(err) }, 'recording not closed cleanly'));
    });
    this.socket.on('error', (err) => this.log.warn({ err: err.message }, 'viewer socket error'));
  }

  sendMessage(msg: ServerMessage): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(msg));
    this.recorder?.server(msg);
  }

  sendFrame(bytes: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // The viewer acks frames, so a healthy stream keeps one or two queued. More means a
    // slow link or a browser worker ignoring flow control: drop frames rather than
    // hold them in the gateway's memory (the next one replaces them on screen).
    if (this.socket.bufferedAmount > MAX_QUEUED_FRAME_BYTES) return;
    this.socket.send(bytes, { binary: true });
    this.recorder?.frame(bytes);
  }

  close(): void {
    this.socket.close(4000, 'session closed');
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    // Rate first, before any parsing: a flood must cost as little as possible.
    const verdict = this.rate.check(data.length);
    if (verdict === 'close') return this.closeForAbuse();
    if (verdict === 'drop') return this.noticeThrottled('rate-limited');
    if (isBinary || data.length > MAX_CLIENT_MESSAGE_BYTES) return this.reject('bad-message');
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return this.reject('bad-message');
    }
    if (isOutdatedHello(parsed)) return this.refuseOutdated();
    const result = ClientMessage.safeParse(parsed);
    if (!result.success) return this.reject('bad-message');
    const msg = result.data;
    if (msg.type === 'hello') {
      if (this.helloSeen) return;
      this.helloSeen = true;
      void this.onHello(msg.viewport);
      return;
    }
    if (!this.session || !this.queue) return this.reject('not-ready');
    const guarded = this.leakGuarded(msg);
    if (!guarded) return;
    this.recorder?.client(guarded);
    if (this.typedGuard() && !BYPASS_QUEUE.has(guarded.type)) {
      const { forward, notify } = this.typedGuard()!.process(guarded);
      if (notify) this.sendMessage(notify);
      forward.forEach((out, i) => this.queue?.push(out, i === forward.length - 1 ? data.length : 0));
      return;
    }
    if (guarded.type === 'leak-reason') return;
    if (BYPASS_QUEUE.has(msg.type)) {
      // A page blocked in alert() blocks the input that triggered it; the answer
      // to the dialog, acks and End session must not wait behind that input.
      void this.session.handle(msg).catch((err: unknown) => this.failed(err));
      return;
    }
    this.queue.push(guarded, data.length);
  }

  private typedGuard(): TypedTextGuard | null {
    const guard = this.deps.leakGuard;
    if (!guard) return null;
    if (!this.typed) {
      const user = this.current.user;
      this.typed = new TypedTextGuard(guard, () => ({ userId: user.id, userName: user.name, role: user.role, sourceIp: this.sourceIp }));
    }
    return this.typed;
  }

  /**
   * Pasted text and IME/dictation commits pass the leak guard before they reach the
   * page: null when the text was stopped (the viewer is told why; a stopped commit
   * cancels the composition it ends), else the message without the guard's fields.
   */
  private leakGuarded(msg: ClientMessage): ClientMessage | null {
    if (msg.type !== 'paste' && !(msg.type === 'ime' && msg.phase === 'commit')) return msg;
    const { n, reason, ...plain } = msg;
    const guard = this.deps.leakGuard;
    if (!guard || plain.text.length === 0) return plain;
    const channel = msg.type === 'paste' ? 'paste' : 'typing';
    const user = this.current.user;
    const actor = { userId: user.id, userName: user.name, role: user.role, sourceIp: this.sourceIp };
    const decision = guard.check(channel, plain.text, actor, { reason });
    if (decision.verdict === 'pass') return plain;
    const rules = decision.ruleNames.join('、');
    this.sendMessage({
      type: 'leak-guard',
      verdict: decision.verdict === 'block' ? 'blocked' : 'warn',
      channel,
      ...(n !== undefined ? { n } : {}),
      rules: decision.ruleNames,
      message: message(decision.verdict === 'block' ? 'leak-blocked' : 'leak-warning', { rules }),
    });
    if (msg.type === 'ime') this.queue?.push({ type: 'ime', phase: 'cancel', text: '' }, 0);
    return null;
  }

  /** The session's input queue; made once the session is attached. */
  private openQueue(session: ViewerSession): ViewerInputQueue {
    let stall = stalledBySession.get(session);
    if (!stall) stalledBySession.set(session, (stall = { count: 0, generation: 0 }));
    const queue = new ViewerInputQueue({
      run: (msg) => session.handle(msg),
      onError: (err) => this.failed(err),
      onDrop: () => this.noticeThrottled('input-dropped'),
      stall,
    });
    this.registry.add(queue);
    return queue;
  }

  /** Sends a notice at most once per NOTICE_INTERVAL_MS per code. */
  private noticeThrottled(code: MessageCode): void {
    const now = Date.now();
    if (now - (this.noticeSentAt.get(code) ?? -Infinity) < NOTICE_INTERVAL_MS) return;
    this.noticeSentAt.set(code, now);
    this.sendMessage({ type: 'notice', code, message: message(code) });
  }

  private closeForAbuse(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.log.warn({ userId: this.current.user.id }, 'viewer closed: sustained message flood');
    this.sendMessage({ type: 'error', code: 'rate-limit-closed', message: message('rate-limit-closed') });
    this.socket.close(CLOSE_RATE_LIMIT, 'rate limit');
  }

  private async onHello(viewport: Viewport): Promise<void> {
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    if (this.session) return;
    try {
      const { user, session: auth } = this.current;
      const { session, resumed } = await this.deps.sessions.getOrCreate(auth.idHash, { id: user.id, name: user.name, role: user.role, sourceIp: this.sourceIp });
      if (this.socket.readyState !== this.socket.OPEN) return;
      this.session = session;
      this.queue = this.openQueue(session);
      this.recorder = this.deps.recording?.start({ userId: user.id, userName: user.name, role: user.role, sourceIp: this.sourceIp }) ?? null;
      this.sendMessage({
        type: 'welcome',
        version: PROTOCOL_VERSION,
        resumed,
        user: { name: user.name, role: user.role },
        capabilities: this.deps.capabilities,
      });
      await session.attach(this, viewport);
      for (const msg of this.deps.initialMessages?.(auth.idHash) ?? []) this.sendMessage(msg);
      this.log.info({ userId: user.id, resumed }, 'viewer attached');
    } catch (err) {
      const errCode = (err as { code?: string }).code;
      const code = errCode === 'KEKKAI_ERR_SESSION_LIMIT' ? 'session-limit' : errCode === 'KEKKAI_ERR_NO_WORKER' ? 'no-worker' : 'internal-error';
      if (code === 'internal-error') this.log.error({ err }, 'could not attach viewer');
      this.sendMessage({ type: 'error', code, message: message(code) });
      this.socket.close(4503, code);
    }
  }

  /** A viewer page loaded before an upgrade speaks an older protocol (e.g. whole-JPEG frames): tell it to reload. */
  private refuseOutdated(): void {
    this.sendMessage({ type: 'error', code: 'client-outdated', message: message('client-outdated') });
    this.socket.close(CLOSE_OUTDATED, 'client outdated');
  }

  private reject(code: 'bad-message' | 'not-ready'): void {
    this.sendMessage({ type: 'error', code, message: message(code) });
  }

  private failed(err: unknown): void {
    const text = (err as Error).message ?? String(err);
    // Input racing a tab that just closed or navigated away is expected, not an error.
    if (/Target closed|Session closed|No target with given id|Cannot find context/i.test(text)) {
      this.log.debug({ err: text }, 'viewer message for a closed tab dropped');
      return;
    }
    this.log.warn({ err: text }, 'viewer message failed');
    this.sendMessage({ type: 'error', code: 'internal-error', message: message('internal-error') });
  }
}

