/**
 * Keeps the browser sessions of signed-in users, keyed by their sign-in session.
 * Creates them from a warm pool of contexts, hands a reconnecting viewer its old
 * session, and reaps sessions idle longer than the idle timeout.
 */
import type { BrowserContext } from 'puppeteer';
import type { SessionEndReason } from '../../protocol/index.js';
import type { Actor } from '../actor.js';
import type { ContextEgress } from '../egress/context-egress.js';
import { BrowserSession, type SessionOptions } from './browser-session.js';
import type { Logger } from '../logging.js';
import type { ChromiumHost } from './chromium-host.js';
import type { GuardDeps } from './navigation-guard.js';

/** What the manager needs of Chromium (ChromiumHost; a fake in unit tests). */
export type ContextSource = Pick<ChromiumHost, 'newContext' | 'onTargetInfo'>;

/** The part of a BrowserSession the manager relies on. */
export interface ManagedSession {
  readonly isEnded: boolean;
  readonly lastActivity: number;
  readonly browserContext: BrowserContext;
  init(): Promise<void>;
  end(reason: SessionEndReason): Promise<void>;
  findTabByTarget(targetId: string): { updateInfo(info: { title: string; url: string }): void } | undefined;
}

export type SessionFactory<S extends ManagedSession> = (id: string, user: Actor, context: BrowserContext, guard: GuardDeps | undefined) => S;

/** URL policy enforcement: one egress proxy per context and the navigation guard. */
export interface SessionPolicy {
  startEgress(): Promise<ContextEgress>;
  guardFor(identity: Actor): GuardDeps;
}

interface PooledContext {
  context: BrowserContext;
  egress: ContextEgress | null;
}

/** The download path's hooks into the session lifecycle (DownloadRouter implements them). */
export interface SessionDownloads {
  attach(sessionId: string, context: BrowserContext, owner: Actor): Promise<void>;
  detach(sessionId: string, context: BrowserContext): Promise<void>;
}

export interface SessionManagerOptions extends Omit<SessionOptions, 'guard'> {
  /** Absent: downloads stay denied (the context default). */
  downloads?: SessionDownloads;
  /** Cleans up what a session left outside its browser context (its uploads). */
  onEnded?: (sessionId: string) => Promise<void>;
  /** Absent only in unit tests: then contexts have no proxy of their own and no URL policy. */
  policy?: SessionPolicy;
  /** Idle timeout; read at each reap so the admin console's setting applies at once. */
  idleTimeoutMs: number | (() => number);
  warmPool: number;
  maxSessions: number;
  reapIntervalMs?: number;
}

import { SessionCreations } from './session-creation.js';

export { SessionLimitError } from './session-creation.js';

export class SessionManager<S extends ManagedSession = BrowserSession> {
  private readonly sessions = new Map<string, S>();
  private readonly creations = new SessionCreations<S>();
  private readonly pool: PooledContext[] = [];
  private readonly egresses = new Map<string, ContextEgress>();
  private filling = false;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  private readonly factory: SessionFactory<S>;

  constructor(
    private readonly host: ContextSource,
    private readonly options: SessionManagerOptions,
    private readonly log: Logger,
    factory?: SessionFactory<S>,
  ) {
    this.factory =
      factory ??
      ((id, user, context, guard) =>
        new BrowserSession(id, user, context, { ...options, ...(guard ? { guard } : {}), onSelfEnded: (sid) => void this.end(sid, 'ended-by-user') }, log) as unknown as S);
    this.reaper = setInterval(() => void this.reapIdle(), options.reapIntervalMs ?? 15_000);
    this.reaper.unref();
    host.onTargetInfo((info) => {
      for (const session of this.sessions.values()) session.findTabByTarget(info.targetId)?.updateInfo(info);
    });
  }

  /** Starts warming contexts; call once the gateway listens (its port must be known to the egress proxies). */
  start(): void {
    void this.fillPool();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): S | undefined {
    const session = this.sessions.get(id);
    return session && !session.isEnded ? session : undefined;
  }

  list(): S[] {
    return [...this.sessions.values()];
  }

  /** The user's existing session (resumed) or a new one. */
  getOrCreate(id: string, user: Actor): Promise<{ session: S; resumed: boolean }> {
    return this.creations.getOrCreate(id, {
      existing: (sid) => this.get(sid),
      count: () => this.sessions.size,
      max: this.options.maxSessions,
      create: (sid) => this.create(sid, user),
    });
  }

  private async create(id: string, user: Actor): Promise<S> {
    const { context, egress } = this.pool.shift() ?? (await this.newWarmContext());
    void this.fillPool();
    egress?.assign(user);
    if (egress) this.egresses.set(id, egress);
    const session = this.factory(id, user, context, this.options.policy?.guardFor(user));
    try {
      await this.options.downloads?.attach(id, context, user);
      await session.init();
    } catch (err) {
      this.egresses.delete(id);
      await Promise.all([context.close().catch(() => undefined), egress?.close()]);
      throw err;
    }
    this.sessions.set(id, session);
    this.log.info({ sessionId: id, userId: user.id }, 'browser session created');
    return session;
  }

  async end(id: string, reason: SessionEndReason): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    await session.end(reason);
    await this.options.downloads?.detach(id, session.browserContext).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'download cleanup failed'));
    await this.egresses.get(id)?.close();
    this.egresses.delete(id);
    await this.options.onEnded?.(id).catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'session cleanup failed'));
    return true;
  }

  async reapIdle(now = Date.now()): Promise<number> {
    let reaped = 0;
    for (const [id, session] of this.sessions) {
      if (session.isEnded) {
        // Ended from inside (End session): release its proxy too.
        await this.end(id, 'ended-by-user');
        continue;
      }
      if (now - session.lastActivity > this.idleTimeoutMs()) {
        reaped++;
        await this.end(id, 'idle');
      }
    }
    return reaped;
  }

  private idleTimeoutMs(): number {
    const value = this.options.idleTimeoutMs;
    return typeof value === 'function' ? value() : value;
  }

  private async newWarmContext(): Promise<PooledContext> {
    const egress = (await this.options.policy?.startEgress()) ?? null;
    try {
      const context = await this.host.newContext(egress?.proxyServer);
      await context.newPage();
      return { context, egress };
    } catch (err) {
      await egress?.close();
      throw err;
    }
  }

  private async fillPool(): Promise<void> {
    if (this.filling || this.closed) return;
    this.filling = true;
    try {
      while (!this.closed && this.pool.length < this.options.warmPool) this.pool.push(await this.newWarmContext());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not warm a browser context');
    } finally {
      this.filling = false;
    }
  }

  async close(reason: SessionEndReason = 'shutdown'): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    await Promise.all([...this.sessions.keys()].map((id) => this.end(id, reason)));
    await Promise.all(this.pool.splice(0).map((p) => Promise.all([p.context.close().catch(() => undefined), p.egress?.close()])));
  }
}
