/**
 * End to end with remote browser workers (issue 10): a control plane with no local
 * worker and its mutual-TLS worker listener; two `kekkai worker --control …` processes
 * join it with a join token made by the CLI, as two machines would. Checks: workers
 * without a valid token or certificate are refused and audited; sessions are placed on
 * both; a download larger than one transfer chunk arrives sanitized; killing one
 * worker's Chromium, then the worker, ends only its user's session (the other keeps
 * streaming) and the affected user gets a new session; `kekkai worker drain` on the
 * worker's machine moves new sessions away; a revoked worker is cut off and refused.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createJoinToken } from '../../gateway/workers/join-token.js';
import { createWorkerCa, createWorkerKeyAndCsr, issueWorkerCert, loadWorkerCa } from '../../gateway/workers/worker-ca.js';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import { chromiumWithProfile } from './support/process-table.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import {
  addStaff,
  browseTo,
  canvasPixel,
  CHROMIUM,
  clickRemote,
  framesDrawn,
  launchUserBrowser,
  login,
  newUserContext,
  STAFF_PASSWORD,
  startHarness,
  waitForFrame,
  waitUntil,
  type Harness,
} from './support/gateway-harness.js';
import { diesWithTest } from '../process-lifetime-check.js';

const BIN = path.resolve('bin/kekkai.js');
/** 2.5 MiB of CSV: three transfer chunks between worker and control plane. */
const BIG_CSV = Buffer.from('番号,薬剤名\r\n' + Array.from({ length: 120_000 }, (_, i) => `${i},アムロジピン錠${i % 10}mg\r\n`).join(''), 'utf8');

/** A file input that reports the chosen file's name, size and SHA-256 (computed in the page). */
const UPLOAD_HASH_PAGE = `<title>Upload hash fixture</title>
<style>#f{position:absolute;left:40px;top:40px;width:300px;height:60px}</style>
<input type="file" id="f">
<script>function report(d){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(d)});}
document.getElementById('f').addEventListener('change',async(e)=>{const f=e.target.files[0];const h=await crypto.subtle.digest('SHA-256',await f.arrayBuffer());report({kind:'uploaded-hash',name:f.name,size:f.size,sha256:[...new Uint8Array(h)].map((b)=>b.toString(16).padStart(2,'0')).join('')});});</script>`;
/** 3.5 MiB that differ everywhere: four upload chunks, any reordering changes the hash. */
const BIG_UPLOAD = Buffer.from(Array.from({ length: 3.5 * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24));

let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;
let tmp: string;
let control: string;
const workers: Array<{ dir: string; child: ChildProcess; exit: Promise<number | null> }> = [];

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, KEKKAI_DATA_DIR: harness.dataDir, KEKKAI_LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function startWorker(dir: string, tokenFile: string): { dir: string; child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(...diesWithTest(process.execPath, [BIN, 'worker', '--control', control, '--token-file', tokenFile, '--state-dir', dir]), {
    env: { ...process.env, KEKKAI_LOG_LEVEL: 'warn', KEKKAI_CHROMIUM_PATH: CHROMIUM },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { dir, child, exit };
}

function pool(): WorkerPool {
  return harness.gateway.services.browser as WorkerPool;
}

function remoteReady(): number {
  return pool().status().filter((w) => w.kind === 'remote' && w.ready).length;
}

function audit(event: string) {
  return [...harness.gateway.services.audit.records({})].filter((r) => r.event === event);
}

/** The Chromium (browser process, not a helper) a remote worker runs under its state directory. */
function chromiumOf(stateDir: string): number[] {
  return chromiumWithProfile(path.join(stateDir, 'run', 'profile'));
}

async function browsingUser(name: string, password?: string): Promise<Page> {
  const page = await (await newUserContext(browser, 'ja-JP', { acceptDownloads: true })).newPage();
  await login(page, harness.url, name, password);
  await browseTo(page, `${site.url}/button`, 'Button fixture');
  return page;
}

function workerOf(sessionCount: (w: ReturnType<WorkerPool['status']>[number]) => boolean) {
  return pool().status().find(sessionCount);
}

/** POST /join with a body; the HTTP status. */
function postJoin(body: unknown, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/join', control.replace('wss:', 'https:')), { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Opens /connect with the given TLS options; the HTTP status of the refusal, or 101 when accepted. */
function connectWith(options: { key?: string; cert?: string; ca: string }): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${control}/connect`, options);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', () => resolve(-1));
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kekkai-remote-'));
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', { '/files/drugs.csv': { body: BIG_CSV, contentType: 'text/csv', filename: '薬剤一覧.csv' } }, { '/upload-hash': UPLOAD_HASH_PAGE }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket, 'session.workers': 0, 'upload.enabled': true, 'remoteWorkers.listen': '127.0.0.1:0', 'remoteWorkers.hostnames': ['127.0.0.1', 'localhost'] }, [site.url]);
  await addStaff(harness);
  control = `wss://127.0.0.1:${harness.gateway.services.remoteWorkers!.port()}`;
  const token = cli(['worker', 'token', 'create', '--out', path.join(tmp, 'token.json'), '--ttl-hours', '2']);
  expect(token.status, token.stderr).toBe(0);
  workers.push(startWorker(path.join(tmp, 'worker-a'), path.join(tmp, 'token.json')), startWorker(path.join(tmp, 'worker-b'), path.join(tmp, 'token.json')));
  await waitUntil(async () => remoteReady() === 2, 60_000, 'two remote workers ready');
}, 180_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => Promise.race([w.exit, new Promise((r) => setTimeout(r, 10_000))])));
  await browser?.close();
  await harness?.close();
  await site?.close();
  await clamd?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('remote browser workers', () => {
  it('joined with the CLI token: both are listed, the join is audited', () => {
    const joined = audit('worker-joined');
    expect(joined).toHaveLength(2);
    expect(joined[0]!.details).toMatchObject({ worker: expect.stringMatching(/^worker-[0-9a-f]{12}$/) });
    const listed = cli(['worker', 'list', '--json']);
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<{ name: string; revokedAt: string | null }>).map((w) => w.revokedAt)).toEqual([null, null]);
    const status = cli(['worker', 'status', '--state-dir', workers[0]!.dir]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^connected to 127\.0\.0\.1:\d+; 0 session/);
  });

  it('refuses and audits a worker without a valid token or certificate', async () => {
    const caDir = path.join(harness.dataDir, 'worker-ca');
    const ca = await loadWorkerCa(caDir, { create: false });
    const { csrPem, keyPem } = await createWorkerKeyAndCsr();
    const refusedBefore = audit('worker-refused').length;

    // A forged token, an expired one, and garbage.
    const forged = JSON.parse(readFileSync(path.join(tmp, 'token.json'), 'utf8')) as { token: string };
    const tampered = forged.token.slice(0, -2) + (forged.token.endsWith('AA') ? 'BB' : 'AA');
    expect(await postJoin({ token: tampered, csr: csrPem }, ca.certPem)).toBe(401);
    const expired = createJoinToken(ca, { ttlHours: 1, now: new Date(Date.now() - 2 * 3600_000) });
    expect(await postJoin({ token: expired.token, csr: csrPem }, ca.certPem)).toBe(401);
    expect(await postJoin({ token: 'nonsense', csr: csrPem }, ca.certPem)).toBe(401);

    // No client certificate, and a certificate from another CA (same shape, wrong issuer).
    expect(await connectWith({ ca: ca.certPem })).toBe(401);
    const otherDir = path.join(tmp, 'other-ca');
    await createWorkerCa(otherDir);
    const other = await loadWorkerCa(otherDir, { create: false });
    const foreign = issueWorkerCert(other, csrPem, 'worker-000000000000');
    expect(await connectWith({ ca: ca.certPem, key: keyPem, cert: foreign.certPem })).toBe(401);

    const reasons = audit('worker-refused').slice(refusedBefore).map((r) => r.details.reason);
    expect(reasons).toEqual(['token-bad-signature', 'token-expired', 'token-malformed', 'no-certificate', 'untrusted-certificate']);
    expect(remoteReady()).toBe(2);
  });

  it('places users on both workers and brings a large download through chunked transfer, sanitized', async () => {
    const admin = await browsingUser('admin');
    const staff = await browsingUser('staff', STAFF_PASSWORD);
    expect(pool().status().map((w) => w.sessions.length)).toEqual([1, 1]);
    expect(audit('navigation').some((r) => r.userName === 'staff' && typeof r.details.worker === 'number')).toBe(true);

    await browseTo(staff, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(staff, 100, 52);
    const link = staff.locator('.download-panel .download-item', { hasText: '薬剤一覧' }).locator('a.download-link');
    await link.waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([staff.waitForEvent('download'), link.click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    // Every row arrived (BOM added by the CSV rebuild), in order.
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('119999,アムロジピン錠9mg');
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(120_001);

    // An upload larger than one chunk reaches the remote page intact (order and bytes checked by hash).
    await browseTo(admin, `${site.url}/upload-hash`, 'Upload hash fixture');
    await clickRemote(admin, 150, 70);
    const dialog = admin.locator('dialog[open]');
    await dialog.locator('input[type=file]').setInputFiles({ name: '検査結果.bin', mimeType: 'application/octet-stream', buffer: BIG_UPLOAD });
    await dialog.getByRole('button', { name: 'アップロード', exact: true }).click();
    const uploaded = await site.waitForReport((r) => r.kind === 'uploaded-hash');
    expect(uploaded).toMatchObject({ name: '検査結果.bin', size: BIG_UPLOAD.length, sha256: createHash('sha256').update(BIG_UPLOAD).digest('hex') });
    await admin.context().close();
    await staff.context().close();
  });

  it('a killed Chromium, then a killed worker, end only their own user\'s session', async () => {
    await waitUntil(async () => remoteReady() === 2, 30_000, 'both workers ready');
    const admin = await browsingUser('admin');
    const staff = await browsingUser('staff', STAFF_PASSWORD);
    const adminWorker = workerOf((w) => w.sessions.some((sid) => pool().sessions.get(sid)?.user.name === 'admin'))!;
    const staffWorker = workerOf((w) => w.sessions.some((sid) => pool().sessions.get(sid)?.user.name === 'staff'))!;
    expect(adminWorker.id).not.toBe(staffWorker.id);
    const victimDir = workers.find((w) => isWorker(w.dir, adminWorker.name!))!.dir;
    const lost = async (page: Page) => (await page.getByRole('alert').filter({ hasText: 'リモートブラウザが異常終了した' }).count()) > 0;

    // 1. The admin's worker loses its Chromium.
    const [chromium] = chromiumOf(victimDir);
    process.kill(chromium!, 'SIGKILL');
    await waitUntil(() => lost(admin), 15_000, 'the crash notice for the admin');
    expect(await lost(staff)).toBe(false);
    const before = await framesDrawn(staff);
    await clickRemote(staff, 150, 80);
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(staff, 600, 400);
      return r > 200 && g < 60 && b < 60;
    }, 20_000, 'the staff user\'s click still reaches the page');
    expect(await framesDrawn(staff)).toBeGreaterThan(before);
    // The worker reconnects with a fresh Chromium; the admin starts again within seconds.
    await waitUntil(async () => remoteReady() === 2, 30_000, 'the worker back with a new Chromium');
    const restart = Date.now();
    await admin.getByRole('button', { name: '新しいセッションを開始' }).click();
    await waitForFrame(admin);
    expect(Date.now() - restart).toBeLessThan(5000);
    expect(audit('browser-crashed').length).toBeGreaterThanOrEqual(1);

    // 2. The same machine's worker process dies altogether.
    const holder = workerOf((w) => w.sessions.some((sid) => pool().sessions.get(sid)?.user.name === 'admin'))!;
    const victim = workers.find((w) => isWorker(w.dir, holder.name!))!;
    victim.child.kill('SIGKILL');
    await waitUntil(() => lost(admin), 15_000, 'the notice after the worker died');
    expect(await lost(staff)).toBe(false);
    const again = Date.now();
    await admin.getByRole('button', { name: '新しいセッションを開始' }).click();
    await waitForFrame(admin);
    expect(Date.now() - again).toBeLessThan(5000);
    // Its machine's supervisor starts it again: it reconnects with the certificate it kept.
    workers[workers.indexOf(victim)] = startWorker(victim.dir, path.join(tmp, 'no-token-needed.json'));
    await waitUntil(async () => remoteReady() === 2, 60_000, 'the worker rejoined without a token');
    await admin.context().close();
    await staff.context().close();
  });

  it('`kekkai worker drain` on the worker\'s machine moves new sessions to the other worker', async () => {
    const [a, b] = workers;
    const aName = pool().status().find((w) => w.kind === 'remote' && isWorker(a!.dir, w.name!))!.name!;
    expect(cli(['worker', 'drain', '--state-dir', a!.dir]).status).toBe(0);
    await waitUntil(async () => pool().status().some((w) => w.name === aName && w.draining), 10_000, 'the control plane sees the drain');
    const before = pool().status().find((w) => w.name !== aName && w.kind === 'remote')!.sessions.length;
    const page = await browsingUser('staff', STAFF_PASSWORD);
    const other = pool().status().find((w) => w.name !== aName && w.kind === 'remote')!;
    expect(other.sessions.length).toBe(before + 1);
    expect(isWorker(b!.dir, other.name!)).toBe(true);
    expect(cli(['worker', 'drain', '--state-dir', a!.dir, '--undo']).status).toBe(0);
    await waitUntil(async () => pool().status().every((w) => !w.draining), 10_000, 'the drain undone');
    await page.context().close();
  });

  it('a revoked worker is cut off and refused when it comes back', async () => {
    const target = workers[1]!;
    const name = pool().status().find((w) => w.kind === 'remote' && isWorker(target.dir, w.name!))!.name!;
    const revoked = cli(['worker', 'revoke', name]);
    expect(revoked.status, revoked.stderr).toBe(0);
    // Cut off by the running control plane; on reconnecting it is refused and stops (exit 77).
    expect(await target.exit).toBe(77);
    expect(pool().status().some((w) => w.name === name)).toBe(false);
    expect(audit('worker-revoked').at(-1)?.details).toMatchObject({ worker: name });
    expect(audit('worker-refused').at(-1)?.details).toMatchObject({ reason: 'unknown-or-revoked-worker' });
  });
});

/** Whether the worker whose state directory is `dir` holds the certificate of the worker `name`. */
function isWorker(dir: string, name: string): boolean {
  const record = harness.gateway.services.remoteWorkers!.list().find((w) => w.name === name);
  if (!record) return false;
  const cert = new X509Certificate(readFileSync(path.join(dir, 'worker.crt')));
  return createHash('sha256').update(cert.raw).digest('hex') === record.fingerprint;
}
