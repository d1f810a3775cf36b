/**
 * The gateway as createGateway builds it (real SQLite, real quarantine store and audit
 * log, fake browser sessions), for the security console's routes. Sessions are seeded straight into the store
 * so these tests do not depend on the sign-in flow (TOTP enrolment etc.).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AuditLog } from '../../../gateway/audit/audit-log.js';
import { hashToken } from '../../../gateway/auth/auth-service.js';
import type { BrowserLayer } from '../../../gateway/browser/local-browser.js';
import { createGateway } from '../../../gateway/gateway.js';
import { loadConfig } from '../../../gateway/config/load-config.js';
import type { QuarantineStore, QuarantineMeta, QuarantineRecord } from '../../../gateway/downloads/quarantine-store.js';
import type { Role, Store } from '../../../gateway/store/repositories.js';
import type { ServerMessage } from '../../../protocol/index.js';
import type { Scanner } from '../../../sanitizer/index.js';

export const HOST = 'kekkai.test';

export interface Client {
  userId: number;
  name: string;
  cookie: string;
  csrf: string;
}

export interface LiveSession {
  userId: number;
  sent: ServerMessage[];
}

export interface SecurityHarness {
  app: FastifyInstance;
  audit: AuditLog;
  store: Store;
  quarantine: QuarantineStore;
  live: LiveSession[];
  as(name: string, role: Role): Client;
  quarantineFile(meta: Partial<QuarantineMeta> & { userId: number | null }, bytes?: Buffer): Promise<QuarantineRecord>;
  get(client: Client | null, url: string): Promise<LightMyRequestResponse>;
  post(client: Client | null, url: string, body?: unknown, csrf?: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** What releases scan with when a test gives no scanner: none answers, so releases fail closed. */
const NO_SCANNER: Pick<Scanner, 'scan'> = { scan: async () => ({ status: 'unavailable', detail: 'no scanner in this test' }) };

export async function startSecurityHarness(opts: { secondApproval?: boolean; scanner?: Pick<Scanner, 'scan'> } = {}): Promise<SecurityHarness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-sec-'));
  const config = loadConfig({
    env: {},
    overrides: { dataDir, logLevel: 'silent', insecureHttp: true, 'security.releaseNeedsSecondApproval': opts.secondApproval ?? false },
  });
  const live: LiveSession[] = [];
  const liveSessions = () =>
    live.map((s) => ({
      summary: () => ({ id: `s${s.userId}`, user: { id: s.userId, name: '', role: 'staff' }, sourceIp: '127.0.0.1', url: '', title: '', tabs: 1, since: '', lastActivity: '', connected: true }),
      send: (msg: ServerMessage) => void s.sent.push(msg),
    }));
  const browser = {
    sessions: { size: 0, get: () => undefined, list: liveSessions, getOrCreate: () => Promise.reject(new Error('no browser in these tests')), end: async () => false },
    connected: () => true,
    start: () => undefined,
    cancelDownload: async () => undefined,
    close: async () => undefined,
  };
  // The whole gateway as createGateway builds it; only the browser sessions are fakes.
  const gateway = await createGateway(config, {
    browser: async () => browser as unknown as BrowserLayer,
    publicDir: path.resolve('client/styles'),
    readiness: { clamd: async () => true },
    releaseScanner: opts.scanner ?? NO_SCANNER,
  });
  const { app, services } = gateway;
  const { store, audit, quarantine } = services;
  await app.ready();
  const clients = new Map<string, Client>();

  function as(name: string, role: Role): Client {
    const existing = clients.get(name);
    if (existing) return existing;
    const user = store.users.create({ name, role, passwordHash: 'scrypt$unused', mustChangePassword: false });
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = new Date();
    store.authSessions.create({ idHash: hashToken(token), userId: user.id, csrfToken: csrf, sourceIp: '127.0.0.1', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString() });
    const client = { userId: user.id, name, cookie: `kekkai_sid=${token}`, csrf };
    clients.set(name, client);
    return client;
  }

  const headers = (c: Client | null, csrf?: string): Record<string, string> => ({
    host: HOST,
    origin: `https://${HOST}`,
    ...(c ? { cookie: c.cookie, 'x-kekkai-csrf': csrf ?? c.csrf } : {}),
  });

  return {
    app,
    audit,
    store,
    quarantine,
    live,
    as,
    quarantineFile: (meta, bytes = Buffer.from('original bytes')) =>
      quarantine.put(
        { name: 'file.bin', trueType: null, sourceUrl: 'https://example.jp/file.bin', userName: null, verdict: 'blocked', reason: 'malware', signature: null, steps: [], ...meta },
        bytes,
      ),
    get: (c, url) => app.inject({ method: 'GET', url, headers: headers(c) }),
    post: (c, url, body = {}, csrf) => app.inject({ method: 'POST', url, headers: headers(c, csrf), payload: body as Record<string, unknown> }),
    close: async () => {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
