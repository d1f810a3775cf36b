/** Builds the real app on a temp SQLite store with a fake browser-session layer. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../gateway/app.js';
import { Metrics } from '../../../gateway/ops/metrics.js';
import type { AuditLog } from '../../../gateway/audit/audit-log.js';
import { openAuditLog } from '../../../gateway/audit/audit-setup.js';
import { AuthService } from '../../../gateway/auth/auth-service.js';
import type { LoginThrottle } from '../../../gateway/auth/login-throttle.js';
import { openTotpVault } from '../../../gateway/auth/totp-vault.js';
import { QuarantineStore } from '../../../gateway/downloads/quarantine-store.js';
import type { ConsoleDeps } from '../../../gateway/http/console-deps.js';
import { PolicyService } from '../../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../../gateway/policy-store/sqlite-policy-repository.js';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import type { Viewer } from '../../../gateway/browser/browser-session.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import { loadTlsMaterial } from '../../../gateway/tls/certificates.js';
import { openDatabase, type SqliteDb } from '../../../gateway/store/sqlite-database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';
import type { Store } from '../../../gateway/store/repositories.js';
import type { ClientMessage, Viewport } from '../../../protocol/index.js';

export const PASSWORD = 'staff-Password-2026!';

export class FakeViewerSession {
  handled: ClientMessage[] = [];
  viewer: Viewer | null = null;
  viewport: Viewport | null = null;
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
  }
  uploadTarget(): null {
    return null;
  }
  async completeUpload(): Promise<null> {
    return null;
  }
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
  /** Browser sessions the admin console sees (consoles only). */
  live: FakeLiveSession[];
  consoleEnded: string[];
  policy?: PolicyService;
  audit: AuditLog;
  store: Store;
  sessions: FakeSessions;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Register the admin and security consoles (and turn on TOTP). */
  consoles?: boolean;
  throttle?: LoginThrottle;
  /** Re-check interval of open viewers' sign-ins. */
  viewerRecheckMs?: number;
  /** Serve HTTPS with a self-signed certificate made in the data directory. */
  https?: boolean;
}

export async function buildTestApp(overrides: Record<string, unknown> = {}, opts: TestAppOptions = {}): Promise<AppHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-int-'));
  const config = loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', insecureHttp: true, ...overrides } });
  const db = openDatabase(dataDir);
  const store = createSqliteStore(db);
  const { audit } = openAuditLog(db, config, () => undefined);
  store.users.create({ name: 'nurse', role: 'staff', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false });
  const sessions = new FakeSessions();
  const auth = new AuthService(store, 3600_000, opts.throttle, opts.consoles ? { totpVault: openTotpVault(dataDir) } : {});
  const live: FakeLiveSession[] = [];
  const consoleEnded: string[] = [];
  let consoles: ConsoleDeps | undefined;
  let policy: PolicyService | undefined;
  if (opts.consoles) {
    policy = new PolicyService(new SqlitePolicyRepository(db));
    consoles = {
      config, db, store, auth, audit, policy,
      sessions: {
        list: () => live as never,
        get: (id) => live.find((s) => s.summary().id === id) as never,
        end: async (id) => {
          const i = live.findIndex((s) => s.summary().id === id);
          if (i < 0) return false;
          live.splice(i, 1);
          consoleEnded.push(id);
          return true;
        },
      },
      quarantine: new QuarantineStore({ db, dataDir }),
      downloads: { list: () => [] },
    };
  }
  const app = await buildApp(config, {
    auth,
    ...(consoles ? { consoles } : {}),
    ...(opts.viewerRecheckMs ? { viewerRecheckMs: opts.viewerRecheckMs } : {}),
    audit,
    downloads: { take: () => undefined, list: () => [] },
    readiness: { chromium: () => true, store: () => true, clamd: async () => true },
    metrics: new Metrics({ processMetrics: false }),
    sessions: sessions as never,
    publicDir: path.resolve('client/styles'),
    ...(opts.https ? { https: loadTlsMaterial({ dataDir, host: '127.0.0.1' }) } : {}),
  });
  return {
    app,
    auth,
    dataDir,
    db,
    live,
    consoleEnded,
    ...(policy ? { policy } : {}),
    audit,
    store,
    sessions,
    close: async () => {
      await app.close();
      store.close();
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
