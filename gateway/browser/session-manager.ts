/**
 * Keeps the browser sessions of signed-in users, keyed by their sign-in session.
 * Creates them from a warm pool of contexts, hands a reconnecting viewer its old
 * session, and reaps sessions idle longer than the idle timeout.
 */
import type { BrowserContext } from 'puppeteer';
import type { SessionEndReason } from '../../protocol/index.js';
import { BrowserSession, type SessionLog, type SessionOptions } from './browser-session.js';
import type { ChromiumHost } from './chromium-host.js';

/** What the manager needs of Chromium (ChromiumHost; a fake in unit tests). */
export type ContextSource = Pick<ChromiumHost, 'newContext' | 'onTargetInfo'>;

/** The part of a BrowserSession the manager relies on. */
export interface ManagedSession {
  readonly isEnded: boolean;
  readonly lastActivity: number;
  init(): Promise<void>;
  end(reason: SessionEndReason): Promise<void>;
  findTabByTarget(targetId: string): { updateInfo(info: { title: string; url: string }): void } | undefined;
}

export type SessionFactory<S extends ManagedSession> = (
  id: string,
  user: { id: number; name: string; role: string },
  context: BrowserContext,
) => S;

export interface SessionManagerOptions extends SessionOptions {
  idleTimeoutMs: number;
  warmPool: number;
  maxSessions: number;
  reapIntervalMs?: number;
}

export class SessionLimitError extends Error {
  readonly code = 'KEKKAI_ERR_SESSION_LIMIT';
}

export class SessionManager<S extends ManagedSession = BrowserSession> {
  private readonly sessions = new Map<string, S>();
  private readonly creating = new Map<string, Promise<S>>();
  private readonly pool: BrowserContext[] = [];
  private filling = false;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  private readonly factory: SessionFactory<S>;

  constructor(
    private readonly host: ContextSource,
    private readonly options: SessionManagerOptions,
    private readonly log: SessionLog,
    factory?: SessionFactory<S>,
  ) {
    this.factory =
      factory ?? ((id, user, context) => new BrowserSession(id, user, context, options, log) as unknown as S);
    this.reaper = setInterval(() => void this.reapIdle(), options.reapIntervalMs ?? 15_000);
    this.reaper.unref();
    host.onTargetInfo((info) => {
      for (const session of this.sessions.values()) session.findTabByTarget(info.targetId)?.updateInfo(info);
    });
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
  async getOrCreate(id: string, user: { id: number; name: string; role: string }): Promise<{ session: S; resumed: boolean }> {
    const existing = this.get(id);
    if (existing) return { session: existing, resumed: true };
    const pending = this.creating.get(id);
    if (pending) return { session: await pending, resumed: true };
    if (this.sessions.size >= this.options.maxSessions) throw new SessionLimitError('session limit reached');
    const promise = this.create(id, user);
    this.creating.set(id, promise);
    try {
      return { session: await promise, resumed: false };
    } finally {
      this.creating.delete(id);
    }
  }

  private async create(id: string, user: { id: number; name: string; role: string }): Promise<S> {
    const context = this.pool.shift() ?? (await this.newWarmContext());
    void this.fillPool();
    const session = this.factory(id, user, context);
    try {
      await session.init();
    } catch (err) {
      await context.close().catch(() => undefined);
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
    return true;
  }

  async reapIdle(now = Date.now()): Promise<number> {
    let reaped = 0;
    for (const [id, session] of this.sessions) {
      if (session.isEnded) {
        this.sessions.delete(id);
        continue;
      }
      if (now - session.lastActivity > this.options.idleTimeoutMs) {
        reaped++;
        await this.end(id, 'idle');
      }
    }
    return reaped;
  }

  private async newWarmContext(): Promise<BrowserContext> {
    const context = await this.host.newContext();
    await context.newPage();
    return context;
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
    await Promise.all(this.pool.splice(0).map((c) => c.close().catch(() => undefined)));
  }
}
