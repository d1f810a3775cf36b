import type { Actor } from '../../../../gateway/actor.js';
import type { BrowserContext } from 'puppeteer';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEndReason } from '../../../../protocol/index.js';
import { SessionLimitError, SessionManager, type ManagedSession } from '../../../../gateway/browser/session-manager.js';

class FakeSession implements ManagedSession {
  isEnded = false;
  lastActivity = Date.now();
  endedWith: SessionEndReason | null = null;
  constructor(readonly id: string, readonly context: BrowserContext) {}
  get browserContext(): BrowserContext {
    return this.context;
  }
  async init(): Promise<void> {}
  async end(reason: SessionEndReason): Promise<void> {
    this.isEnded = true;
    this.endedWith = reason;
  }
  findTabByTarget(): undefined {
    return undefined;
  }
}

function fakeContext(name: string, closed: string[]): BrowserContext {
  return { newPage: async () => ({}), close: async () => void closed.push(name) } as unknown as BrowserContext;
}

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const baseOptions = { idleTimeoutMs: 60_000, warmPool: 1, maxSessions: 2, maxTabs: 10, jpegQuality: 80, maxDeviceScaleFactor: 2, clipboardToClient: true, clipboardFromClient: true, uploadEnabled: false, reapIntervalMs: 3_600_000 };
const managers: Array<SessionManager<FakeSession>> = [];

function makeManager(options = {}) {
  let made = 0;
  const closed: string[] = [];
  const host = { newContext: async () => fakeContext(`ctx${++made}`, closed), onTargetInfo: () => undefined };
  const manager = new SessionManager<FakeSession>(host, { ...baseOptions, ...options }, quiet, (id, _user, ctx) => new FakeSession(id, ctx));
  manager.start();
  managers.push(manager);
  return { manager, closed, made: () => made };
}

const user: Actor = { id: 1, name: 'nurse', role: 'staff', sourceIp: '10.0.0.5' };

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe('session bookkeeping', () => {
  it('resumes the same session for the same sign-in and creates one per sign-in', async () => {
    const { manager } = makeManager();
    const first = await manager.getOrCreate('s1', user);
    const again = await manager.getOrCreate('s1', user);
    const other = await manager.getOrCreate('s2', user);
    expect(first.resumed).toBe(false);
    expect(again.resumed).toBe(true);
    expect(again.session).toBe(first.session);
    expect(other.session).not.toBe(first.session);
  });

  it('creates a session only once when two viewers connect at the same moment', async () => {
    const { manager } = makeManager();
    const [a, b] = await Promise.all([manager.getOrCreate('s1', user), manager.getOrCreate('s1', user)]);
    expect(a.session).toBe(b.session);
    expect(manager.size).toBe(1);
  });

  it('enforces the session limit', async () => {
    const { manager } = makeManager({ maxSessions: 1 });
    await manager.getOrCreate('s1', user);
    await expect(manager.getOrCreate('s2', user)).rejects.toBeInstanceOf(SessionLimitError);
  });

  it('reaps sessions idle longer than the timeout and keeps active ones', async () => {
    const { manager } = makeManager({ idleTimeoutMs: 1000 });
    const idle = (await manager.getOrCreate('idle', user)).session;
    const active = (await manager.getOrCreate('active', user)).session;
    idle.lastActivity = Date.now() - 5000;
    expect(await manager.reapIdle()).toBe(1);
    expect(idle.endedWith).toBe('idle');
    expect(active.isEnded).toBe(false);
    expect(manager.get('idle')).toBeUndefined();
    expect((await manager.getOrCreate('idle', user)).resumed).toBe(false);
  });

  it("applies the admin console's idle timeout at the next reap (the setting is read, not copied)", async () => {
    let idleMs = 60_000;
    const { manager } = makeManager({ idleTimeoutMs: () => idleMs });
    const { session } = await manager.getOrCreate('s1', user);
    session.lastActivity = Date.now() - 5000;
    expect(await manager.reapIdle()).toBe(0);
    idleMs = 1000;
    expect(await manager.reapIdle()).toBe(1);
    expect(session.endedWith).toBe('idle');
  });

  it('ends a session at once on request and hands out a fresh one afterwards', async () => {
    const { manager } = makeManager();
    const { session } = await manager.getOrCreate('s1', user);
    expect(await manager.end('s1', 'ended-by-user')).toBe(true);
    expect(session.endedWith).toBe('ended-by-user');
    const next = await manager.getOrCreate('s1', user);
    expect(next.resumed).toBe(false);
    expect(next.session).not.toBe(session);
  });

  it('takes new sessions from the warm pool and refills it', async () => {
    const { manager, made } = makeManager({ warmPool: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(made()).toBe(1); // warmed before anyone asked
    const { session } = await manager.getOrCreate('s1', user);
    expect((session.context as unknown as { close: unknown }).close).toBeTypeOf('function');
    await new Promise((r) => setTimeout(r, 10));
    expect(made()).toBe(2); // refilled
  });

  it('closes every session and pooled context on shutdown', async () => {
    const { manager, closed } = makeManager({ warmPool: 1 });
    const { session } = await manager.getOrCreate('s1', user);
    await new Promise((r) => setTimeout(r, 10));
    await manager.close();
    expect(session.endedWith).toBe('shutdown');
    expect(closed.length).toBe(1);
  });
});
