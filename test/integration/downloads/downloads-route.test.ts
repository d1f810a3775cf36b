/** The one-time download route on a real auth store and a real DownloadManager (fake sanitizer). */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../../gateway/auth/auth-service.js';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import { DownloadManager } from '../../../gateway/downloads/download-manager.js';
import type { SanitizeFn } from '../../../gateway/downloads/stage-reporting.js';
import { contentDisposition, registerDownloadRoutes, safeContentType } from '../../../gateway/http/downloads.http.js';
import { errorHandler } from '../../../gateway/http/errors.js';
import { registerSecurityHeaders } from '../../../gateway/http/security-headers.js';
import { registerRouteAccess } from '../../../gateway/http/route-access.js';
import { openDatabase } from '../../../gateway/database.js';
import { createSqliteStore } from '../../../gateway/store/sqlite-repositories.js';
import type { Store } from '../../../gateway/store/repositories.js';
import type { DownloadMessage } from '../../../protocol/index.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/index.js';

const PASSWORD = 'staff-Password-2026!';
const GUID = '7f0d6c0e-3a51-4a57-9c1e-5b8f0f4d2a11';

let dataDir: string;
let store: Store;
let auth: AuthService;
let app: FastifyInstance;
let downloads: DownloadManager;
let updates: DownloadMessage[];
let mime: string;

const toPdf: SanitizeFn = async (input) => ({
  verdict: 'sanitized',
  inputType: 'xlsx',
  output: { name: input.name.replace(/\.xlsx$/, '.pdf'), mimeType: mime, trueType: 'pdf', bytes: new TextEncoder().encode('%PDF-1.7 rebuilt') },
  steps: [],
});

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-dlroute-'));
  store = createSqliteStore(openDatabase(dataDir));
  for (const name of ['nurse', 'clerk']) store.users.create({ name, role: 'staff', passwordHash: await hashPassword(PASSWORD), mustChangePassword: false });
  auth = new AuthService(store, 3600_000);
  updates = [];
  mime = 'application/pdf';
  downloads = new DownloadManager({
    dataDir,
    sanitize: toPdf,
    filePolicy: () => DEFAULT_FILE_POLICY,
    quarantine: { put: async (meta, bytes) => ({ ...meta, id: 'q', sha256: '', size: bytes.byteLength, createdAt: '' }) },
    maxBytes: 1 << 20,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    onUpdate: (_s, msg) => updates.push(msg),
  });
  app = Fastify({ logger: false });
  app.setErrorHandler(errorHandler);
  registerSecurityHeaders(app, false);
  await app.register(fastifyCookie);
  // The route declares who may call it; the app's access hook enforces that (route-access.ts).
  registerRouteAccess(app, auth);
  registerDownloadRoutes(app, { auth, downloads });
});
afterEach(async () => {
  await app.close();
  await downloads.close();
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(name: string): Promise<{ cookie: string; sessionId: string }> {
  const r = await auth.login(name, PASSWORD, '127.0.0.1');
  if ('failure' in r) throw new Error(r.failure);
  return { cookie: `kekkai_sid=${r.token}`, sessionId: r.session.idHash };
}

/** A finished download for the session, as Chromium would report it; returns the one-time href. */
async function readyDownload(sessionId: string, name = '届出様式.xlsx'): Promise<string> {
  const dir = downloads.downloadDir(sessionId);
  downloads.onWillBegin(sessionId, { guid: GUID, url: 'https://mhlw.example/f.xlsx', suggestedFilename: name });
  writeFileSync(path.join(dir, GUID), 'PK original');
  downloads.onProgress(sessionId, { guid: GUID, receivedBytes: 11, totalBytes: 11, state: 'completed' });
  await downloads.idle();
  const href = updates.at(-1)?.href;
  if (!href) throw new Error(`not ready: ${JSON.stringify(updates.at(-1))}`);
  return href;
}

describe('GET /api/downloads/:token', () => {
  it('sends the sanitized file once, as an attachment with safe headers', async () => {
    const { cookie, sessionId } = await signIn('nurse');
    const href = await readyDownload(sessionId);
    const res = await app.inject({ url: href, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('%PDF-1.7 rebuilt');
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="download.pdf"; filename*=UTF-8''${encodeURIComponent('届出様式.pdf')}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');

    const again = await app.inject({ url: href, headers: { cookie } });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ code: 'KEKKAI_ERR_DOWNLOAD_NOT_FOUND', message: { ja: expect.stringContaining('ダウンロード'), en: expect.stringContaining('download') } });
  });

  it('streams the file from disk and deletes it after use (issue 9, item 9)', async () => {
    const { cookie, sessionId } = await signIn('nurse');
    const released = path.join(dataDir, 'released');
    const onDisk = (): string[] => (existsSync(released) ? readdirSync(released, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name)) : []);
    const href = await readyDownload(sessionId);
    const [file] = onDisk();
    expect(file).toBeDefined();
    // What is sent is what is on disk (the gateway holds no copy in memory).
    writeFileSync(file!, '%PDF-1.7 from disk');
    const res = await app.inject({ url: href, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('%PDF-1.7 from disk');
    expect(res.headers['content-length']).toBe(String('%PDF-1.7 from disk'.length));
    expect(onDisk()).toEqual([]);
    expect(downloads.pendingBytes()).toBe(0);
    expect((await app.inject({ url: href, headers: { cookie } })).statusCode).toBe(404);
  });

  it("refuses another user's session, and the owner can still fetch it", async () => {
    const owner = await signIn('nurse');
    const other = await signIn('clerk');
    const href = await readyDownload(owner.sessionId);
    const stolen = await app.inject({ url: href, headers: { cookie: other.cookie } });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.body).not.toContain('PDF');
    expect((await app.inject({ url: href, headers: { cookie: owner.cookie } })).statusCode).toBe(200);
  });

  it('requires a sign-in and answers 404 for unknown tokens', async () => {
    const { cookie, sessionId } = await signIn('nurse');
    const href = await readyDownload(sessionId);
    expect((await app.inject({ url: href })).statusCode).toBe(401);
    const unknown = await app.inject({ url: `/api/downloads/${'A'.repeat(43)}`, headers: { cookie } });
    expect(unknown.statusCode).toBe(404);
    expect((await app.inject({ url: href, headers: { cookie } })).statusCode).toBe(200);
  });

  it('never labels a release as HTML, even if a verdict says so', async () => {
    mime = 'text/html; charset=utf-8';
    const { cookie, sessionId } = await signIn('nurse');
    const href = await readyDownload(sessionId, 'page.xlsx');
    const res = await app.inject({ url: href, headers: { cookie } });
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="page\.pdf"; filename\*=UTF-8''page\.pdf$/);
  });
});

describe('header helpers', () => {
  it('keeps text types with UTF-8 and turns active types into octet-stream', () => {
    expect(safeContentType('text/csv; charset=utf-8')).toBe('text/csv; charset=utf-8');
    expect(safeContentType('image/svg+xml')).toBe('application/octet-stream');
    expect(safeContentType('application/xhtml+xml')).toBe('application/octet-stream');
    expect(safeContentType('garbage')).toBe('application/octet-stream');
  });

  it('quotes names safely in both filename forms', () => {
    expect(contentDisposition('a"b;c.pdf')).toBe(`attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%3Bc.pdf`);
    expect(contentDisposition("it's (1).csv")).toBe(`attachment; filename="it's (1).csv"; filename*=UTF-8''it%27s%20%281%29.csv`);
    expect(contentDisposition('報告 2026.pdf')).toBe(`attachment; filename="__ 2026.pdf"; filename*=UTF-8''${encodeURIComponent('報告 2026.pdf')}`);
  });
});
