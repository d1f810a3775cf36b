/** Builds the real app on a temp SQLite store with a fake browser-session layer. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../../gateway/audit/audit-log.js';
import type { AuthService } from '../../../gateway/auth/auth-service.js';
import type { LoginThrottle } from '../../../gateway/auth/login-throttle.js';
import type { PolicyService } from '../../../gateway/policy-store/policy-service.js';
import type { BrowserLayer, BrowserLayerFactory } from '../../../gateway/browser/local-browser.js';
import { createGateway, type GatewayServices } from '../../../gateway/gateway.js';
import { openDatabase, type SqliteDb } from '../../../gateway/database.js';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import type { Viewer } from '../../../gateway/browser/browser-session.js';
import type { InputQueueRegistry } from '../../../gateway/http/viewer-input-queue.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import type { Store } from '../../../gateway/store/repositories.js';
import type { ClientMessage, Viewport } from '../../../protocol/index.js';

export const PASSWORD = 'staff-Password-2026!';

export class FakeViewerSession {
  handled: ClientMessage[] = [];
  viewer: Viewer | null = null;
  viewport: Viewport | null = null;
  /** When true, handle() never settles for input, like a tab whose page is hung. */
  hung = false;
  async attach(viewer: Viewer, viewport: Viewport): Promise<void> {
    this.viewer = viewer;
    this.viewport = viewport;
  }
  detach(viewer: Viewer): void {
    if (this.viewer === viewer) this.viewer = null;
  }
  async handle(msg: ClientMessage): Promise<void> {
    if (msg.type === 'navigate' && msg.url === 'boom') throw new Error('remote failure');
    this.handled.push(msg);
    if (this.hung && msg.type !== 'ack') await new Promise<never>(() => undefined);
  }
  readonly uploads = {
    target: (): null => null,
    complete: async (): Promise<null> => null,
  };
}

export class FakeSessions {
  readonly sessions = new Map<string, FakeViewerSession>();
  ended: string[] = [];
  async getOrCreate(id: string): Promise<{ session: FakeViewerSession; resumed: boolean }> {
    const existing = this.sessions.get(id);
    if (existing) return { session: existing, resumed: true };
    const session = new FakeViewerSession();
    this.sessions.set(id, session);
    return { session, resumed: false };
  }
  get(id: string): FakeViewerSession | undefined {
    return this.sessions.get(id);
  }
  async end(id: string): Promise<boolean> {
    this.ended.push(id);
    return this.sessions.delete(id);
  }
}

/** A live browser session as the admin console lists it. */
export interface FakeLiveSession {
  summary(): { id: string; user: { id: number; name: string; role: string }; sourceIp: string; url: string; title: string; tabs: number; since: string; lastActivity: string; connected: boolean };
  send(): void;
}

export function fakeLiveSession(id: string, user: { id: number; name: string; role: string }, url = 'https://example.test/'): FakeLiveSession {
  const since = new Date().toISOString();
  return { summary: () => ({ id, user, sourceIp: '127.0.0.1', url, title: 'Example', tabs: 1, since, lastActivity: since, connected: true }), send: () => undefined };
}

export interface AppHarness {
  app: FastifyInstance;
  auth: AuthService;
  dataDir: string;
  db: SqliteDb;
  /** Browser sessions the admin console sees. */
  live: FakeLiveSession[];
  consoleEnded: string[];
  policy: PolicyService;
  audit: AuditLog;
  store: Store;
  sessions: FakeSessions;
  /** The open viewers' input queues (bounded; emptied on disconnect). */
  inputQueues: InputQueueRegistry;
  /** Every service of the gateway (tests of the real browser layer look at the worker pool). */
  services: GatewayServices;
  /** Listens on config.host/port and starts the browser layer (only with `realBrowserLayer`). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Kept for the tests' intent: the consoles are always registered, as in production. */
  consoles?: boolean;
  throttle?: LoginThrottle;
  /** Re-check interval of open viewers' sign-ins. */
  viewerRecheckMs?: number;
  /** Serve HTTPS with a self-signed certificate made in the data directory. */
  https?: boolean;
  /** The gateway's own browser layer (worker pool) instead of fake sessions, e.g. for remote-worker tests. */
  realBrowserLayer?: boolean;
}

/** The browser layer as the gateway sees it, with fake viewer sessions and console-listed live sessions. */
function fakeBrowserLayer(sessions: FakeSessions, live: FakeLiveSession[], consoleEnded: string[]): BrowserLayerFactory {
  const workers = [1, 2].map((id) => ({ id, pid: null, ready: true, draining: false, sessions: 0 }));
  const layer = {
    sessions: {
      get size() {
        return sessions.sessions.size;
      },
      get: (id: string) => sessions.get(id) ?? live.find((s) => s.summary().id === id),
      list: () => live,
      getOrCreate: (id: string) => sessions.getOrCreate(id),
      end: async (id: string) => {
        const i = live.findIndex((s) => s.summary().id === id);
        if (i >= 0) {
          live.splice(i, 1);
          consoleEnded.push(id);
          return true;
        }
        return sessions.end(id);
      },
    },
    connected: () => true,
    // Two browser workers as the admin console sees them; draining flips the flag.
    workers: () => workers.map((w) => ({ ...w })),
    drain: (id: number, draining: boolean) => {
      const worker = workers.find((w) => w.id === id);
      if (worker) worker.draining = draining;
      return Boolean(worker);
    },
    start: () => undefined,
    cancelDownload: async () => undefined,
    close: async () => undefined,
  };
  return async () => layer as unknown as BrowserLayer;
}

/** The gateway as createGateway builds it (real SQLite, audit, policies, consoles), with fake browser sessions. */
export async function buildTestApp(overrides: Record<string, unknown> = {}, opts: TestAppOptions = {}): Promise<AppHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-int-'));
  // HTTPS (a self-signed certificate made in the data directory) only when a test asks for it.
  const config = loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', insecureHttp: !opts.https, ...(opts.https ? { host: '127.0.0.1' } : {}), ...overrides } });
  const sessions = new FakeSessions();
  const live: FakeLiveSession[] = [];
  const consoleEnded: string[] = [];
  const gateway = await createGateway(config, {
    ...(opts.realBrowserLayer ? {} : { browser: fakeBrowserLayer(sessions, live, consoleEnded) }),
    publicDir: path.resolve('client/styles'),
    readiness: { clamd: async () => true },
    // No clamd here: a release through this harness fails closed (scanner unavailable).
    releaseScanner: { scan: async () => ({ status: 'unavailable', detail: 'no scanner in this harness' }) },
    ...(opts.throttle ? { loginThrottle: opts.throttle } : {}),
    ...(opts.viewerRecheckMs ? { viewerRecheckMs: opts.viewerRecheckMs } : {}),
  });
  const { store, auth, audit, policy } = gateway.services;
  store.users.create({ name: 'nurse', role: 'staff', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false });
  await gateway.app.ready();
  // A second connection for tests that set up rows the API cannot (WAL allows both).
  const db = openDatabase(dataDir);
  return {
    app: gateway.app,
    auth,
    dataDir,
    db,
    live,
    consoleEnded,
    policy,
    audit,
    store,
    sessions,
    inputQueues: gateway.services.inputQueues,
    services: gateway.services,
    listen: () => gateway.listen(),
    close: async () => {
      db.close();
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the API and returns the cookie header and CSRF token. */
export async function signIn(app: FastifyInstance, host = 'kekkai.test'): Promise<{ cookie: string; csrf: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/login',
    headers: { host, origin: `https://${host}` },
    payload: { username: 'nurse', password: PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const me = await app.inject({ url: '/api/me', headers: { host, cookie } });
  return { cookie, csrf: (me.json() as { csrfToken: string }).csrfToken };
}
