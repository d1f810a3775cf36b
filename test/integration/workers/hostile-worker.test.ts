/**
 * A compromised remote worker (issue 10, docs/workers.md "Remote workers"): a script
 * joins the real control plane with a valid token and certificate, then misbehaves.
 * The control plane caps what it claims, forwards only the viewer messages a worker may
 * originate, audits only about its own sessions, and cuts it off when it floods or
 * sends oversized messages — ending only its own sessions.
 */
import type { AddressInfo } from 'node:net';
import { request } from 'node:https';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../protocol/index.js';
import type { ToWorker } from '../../../protocol/worker-messages.js';
import { decodeWire, encodeWire } from '../../../protocol/worker-wire.js';
import { createJoinToken } from '../../../gateway/workers/join-token.js';
import { createWorkerKeyAndCsr, loadWorkerCa } from '../../../gateway/workers/worker-ca.js';
import type { WorkerPool } from '../../../gateway/workers/worker-pool.js';
import { buildTestApp, signIn, type AppHarness } from '../gateway/app-harness.js';

let h: AppHarness;
let hostHeader: string;
let control: string;

beforeEach(async () => {
  h = await buildTestApp(
    { host: '127.0.0.1', port: 0, 'session.workers': 0, 'remoteWorkers.listen': '127.0.0.1:0', 'remoteWorkers.hostnames': ['127.0.0.1'], 'remoteWorkers.maxSessionsPerWorker': 3 },
    { realBrowserLayer: true },
  );
  await h.listen();
  hostHeader = `127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  control = `wss://127.0.0.1:${h.services.remoteWorkers!.port()}`;
});
afterEach(async () => {
  await h.close();
});

const pool = (): WorkerPool => h.services.browser as unknown as WorkerPool;

interface FakeWorker {
  ws: WebSocket;
  received: ToWorker[];
  send(msg: object): void;
  closed: Promise<number>;
}

/** Joins with a fresh token and connects; answers every request with success, says `ready` with the given capacity. */
async function hostileWorker(capacity: number): Promise<FakeWorker> {
  const ca = await loadWorkerCa(path.join(h.dataDir, 'worker-ca'), { create: false });
  const token = createJoinToken(ca, { ttlHours: 1 });
  const { keyPem, csrPem } = await createWorkerKeyAndCsr();
  const joined = await new Promise<{ certificate: string }>((resolve, reject) => {
    const req = request(new URL('/join', control.replace('wss:', 'https:')), { method: 'POST', ca: ca.certPem, headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as { certificate: string }) : reject(new Error(`join ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ token: token.token, csr: csrPem }));
  });
  const ws = new WebSocket(`${control}/connect`, { key: keyPem, cert: joined.certificate, ca: ca.certPem });
  const received: ToWorker[] = [];
  const send = (msg: object): void => ws.send(encodeWire(msg));
  ws.on('message', (data: Buffer) => {
    const msg = decodeWire(data) as ToWorker;
    received.push(msg);
    if (msg.t === 'init') send({ t: 'ready', pid: 4242, capacity });
    if ('rid' in msg && msg.rid > 0) send({ t: 'done', rid: msg.rid, ok: true, ...(msg.t === 'create' ? { result: { resumed: false } } : {}) });
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await until(() => (pool().status().some((w) => w.kind === 'remote' && w.ready) ? true : undefined));
  return { ws, received, send, closed };
}

async function until<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A signed-in viewer whose session the pool places on the (only) worker. */
async function viewer(): Promise<{ ws: WebSocket; messages: Array<Record<string, unknown>>; sid: string }> {
  const known = new Set(pool().status().flatMap((w) => w.sessions));
  const { cookie } = await signIn(h.app, hostHeader);
  const ws = new WebSocket(`ws://${hostHeader}/ws`, { headers: { origin: `https://${hostHeader}`, cookie } });
  const messages: Array<Record<string, unknown>> = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) messages.push(JSON.parse(String(data)) as Record<string, unknown>);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', version: PROTOCOL_VERSION, viewport: { width: 1024, height: 700, dpr: 1 } }));
  await until(() => messages.find((m) => m.type === 'welcome'));
  await until(() => (pool().status().flatMap((w) => w.sessions).length > known.size ? true : undefined));
  const sid = pool().status().flatMap((w) => w.sessions).find((id) => !known.has(id))!;
  return { ws, messages, sid };
}

describe('a compromised remote worker', () => {
  it('gets no more sessions than the operator allows, whatever capacity it claims', async () => {
    await hostileWorker(10_000);
    expect(pool().status().find((w) => w.kind === 'remote')!.capacity).toBe(3);
  });

  it('cannot forge the control plane\'s viewer messages, clipboard aside from the switch, or audit for others', async () => {
    const worker = await hostileWorker(1);
    const { messages, sid } = await viewer();
    const user = h.store.users.findByName('nurse')!;
    const before = messages.length;
    // What a worker's session legitimately sends, then forgeries of the control plane's own messages.
    worker.send({ t: 'msg', sid, msg: { type: 'nav-state', tabId: 1, url: 'https://example.test/', title: 'ok', canGoBack: false, canGoForward: false, loading: false } });
    worker.send({ t: 'msg', sid, msg: { type: 'download', id: 'x', name: 'invoice.exe', state: 'ready', receivedBytes: 1, totalBytes: 1, url: '/evil' } });
    worker.send({ t: 'msg', sid, msg: { type: 'welcome', resumed: false, user: { name: 'admin', role: 'admin' } } });
    worker.send({ t: 'msg', sid, msg: { type: 'error', code: 'x', message: { ja: '偽', en: 'fake' } } });
    await until(() => messages.slice(before).find((m) => m.type === 'nav-state'));
    await new Promise((r) => setTimeout(r, 200));
    expect(messages.slice(before).map((m) => m.type)).toEqual(['nav-state']);

    // Audit: about its own session's user only; another user's id is dropped.
    const other = h.store.users.create({ name: 'bystander', role: 'staff', passwordHash: 'x', mustChangePassword: false });
    worker.send({ t: 'audit', userId: other.id, event: 'navigation', outcome: 'allowed', details: { url: 'https://forged.test/' } });
    worker.send({ t: 'audit', userId: user.id, event: 'navigation', outcome: 'allowed', details: { url: 'https://real.test/' } });
    worker.send({ t: 'audit', userId: user.id, event: 'login', outcome: 'success', details: {} });
    const navigations = () => [...h.audit.records({ events: ['navigation'] })];
    await until(() => (navigations().length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    expect(navigations().map((r) => [r.userName, r.details.url, typeof r.details.workerName])).toEqual([['nurse', 'https://real.test/', 'string']]);
    expect([...h.audit.records({ events: ['login'] })].filter((r) => r.userId === user.id && r.details.worker !== undefined)).toEqual([]);
  });

  it('is cut off for a message flood (JSON over its budget), and only its own users lose their sessions', async () => {
    const worker = await hostileWorker(3);
    const { messages } = await viewer();
    // Large JSON (what costs the control plane CPU) well past its 8 MiB-a-second budget, in a few messages.
    const text = 'x'.repeat(3 * 1024 * 1024);
    for (let i = 0; i < 5; i++) worker.send({ t: 'msg', sid: 'none', msg: { type: 'clipboard', text } });
    expect(await worker.closed).toBeGreaterThan(0);
    await until(() => messages.find((m) => m.type === 'session-ended' && m.reason === 'browser-crashed'));
    const crashed = await until(() => [...h.audit.records({ events: ['browser-crashed'] })].at(-1));
    expect(crashed.details).toMatchObject({ sessions: 1, workerName: expect.stringMatching(/^worker-/) });
    expect(pool().status().some((w) => w.kind === 'remote')).toBe(false);
  });

  it('is cut off for an oversized or malformed message', async () => {
    const big = await hostileWorker(3);
    big.send({ t: 'msg', sid: 'x', msg: { type: 'clipboard', text: 'あ'.repeat(2_000_000) } });
    expect(await big.closed).toBeGreaterThan(0);
    const garbage = await hostileWorker(3);
    garbage.ws.send('not binary');
    expect(await garbage.closed).toBe(4400);
  });
});

describe('placement over remote workers', () => {
  it('10 sign-ins over two workers land 5 and 5; a draining worker gets none', async () => {
    await h.close();
    h = await buildTestApp(
      { host: '127.0.0.1', port: 0, 'session.workers': 0, 'remoteWorkers.listen': '127.0.0.1:0', 'remoteWorkers.hostnames': ['127.0.0.1'], 'remoteWorkers.maxSessionsPerWorker': 20 },
      { realBrowserLayer: true },
    );
    await h.listen();
    hostHeader = `127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    control = `wss://127.0.0.1:${h.services.remoteWorkers!.port()}`;
    const first = await hostileWorker(20);
    const second = await hostileWorker(20);
    await until(() => (pool().status().filter((w) => w.ready).length === 2 ? true : undefined));
    const viewers = [];
    for (let i = 0; i < 10; i++) viewers.push(await viewer());
    expect(pool().status().map((w) => w.sessions.length)).toEqual([5, 5]);
    // The first worker's operator drains it: the next two go to the second.
    first.send({ t: 'drain', draining: true });
    await until(() => (pool().status()[0]!.draining ? true : undefined));
    for (let i = 0; i < 2; i++) viewers.push(await viewer());
    expect(pool().status().map((w) => w.sessions.length)).toEqual([5, 7]);
    for (const v of viewers) v.ws.close();
    second.ws.close();
  });
});
