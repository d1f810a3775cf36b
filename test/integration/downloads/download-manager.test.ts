import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadManager, type DownloadManagerOptions } from '../../../gateway/downloads/download-manager.js';
import type { QuarantineMeta } from '../../../gateway/downloads/quarantine-store.js';
import type { SanitizeFn } from '../../../gateway/downloads/stage-reporting.js';
import type { DownloadMessage } from '../../../protocol/index.js';
import { DEFAULT_FILE_POLICY, reasonMessage, type Verdict } from '../../../sanitizer/index.js';

const GUID = '7f0d6c0e-3a51-4a57-9c1e-5b8f0f4d2a11';
const GUID2 = '0b6f4f3c-8a44-4c3e-b7a0-2f1b7f0e9c22';
const S1 = 'a'.repeat(64);
const S2 = 'b'.repeat(64);

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
let updates: Array<{ sessionId: string; msg: DownloadMessage }>;
let quarantined: Array<{ meta: QuarantineMeta; bytes: Uint8Array }>;
let canceled: string[];
let clock: number;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-dl-'));
  updates = [];
  quarantined = [];
  canceled = [];
  clock = 1_000_000;
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const sanitizedPdf: SanitizeFn = async (input, _policy, onStage) => {
  onStage('sanitizing');
  return {
    verdict: 'sanitized',
    inputType: 'xlsx',
    output: { name: input.name.replace(/\.xlsx$/, '.pdf'), mimeType: 'application/pdf', trueType: 'pdf', bytes: new TextEncoder().encode('%PDF-rebuilt') },
    changes: [{ kind: 'converted', from: 'xlsx', to: 'pdf' }, { kind: 'rendered-as-images', pages: 2 }],
    steps: [{ stage: 'scan', detail: 'clean', ms: 1 }],
  };
};

function manager(over: Partial<DownloadManagerOptions> = {}): DownloadManager {
  return new DownloadManager({
    dataDir,
    sanitize: sanitizedPdf,
    filePolicy: () => DEFAULT_FILE_POLICY,
    quarantine: { put: async (meta, bytes) => (quarantined.push({ meta, bytes }), { ...meta, id: String(quarantined.length), sha256: '', size: bytes.byteLength, createdAt: '' }) },
    maxBytes: 1000,
    log: silent,
    onUpdate: (sessionId, msg) => updates.push({ sessionId, msg }),
    cancelDownload: (_s, guid) => void canceled.push(guid),
    now: () => clock,
    ...over,
  });
}

/** What Chromium does with allowAndName: events, and the file at <downloadPath>/<guid>. */
async function download(m: DownloadManager, sessionId: string, bytes: string, name = '様式.xlsx', guid = GUID): Promise<string> {
  const dir = m.downloadDir(sessionId, { userId: 7, userName: 'nurse' });
  m.onWillBegin(sessionId, { guid, url: 'https://mhlw.example/form.xlsx', suggestedFilename: name });
  writeFileSync(path.join(dir, guid), bytes);
  m.onProgress(sessionId, { guid, receivedBytes: 1, totalBytes: bytes.length, state: 'inProgress' }); // throttled: same instant
  clock += 1000;
  m.onProgress(sessionId, { guid, receivedBytes: bytes.length, totalBytes: bytes.length, state: 'inProgress' });
  m.onProgress(sessionId, { guid, receivedBytes: bytes.length, totalBytes: bytes.length, state: 'completed' });
  await m.idle();
  return dir;
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

const last = (): DownloadMessage => updates.at(-1)!.msg;
const tokenOf = (msg: DownloadMessage): string => msg.href!.split('/').pop()!;

describe('DownloadManager', () => {
  it('sanitizes with the file policy of the downloading user\'s role', async () => {
    const roles: Array<string | null> = [];
    let dpi = 0;
    const seen: SanitizeFn = async (input, policy, onStage) => ((dpi = policy.pdfDpi), sanitizedPdf(input, policy, onStage));
    const m = manager({ sanitize: seen, filePolicy: (role) => (roles.push(role), { ...DEFAULT_FILE_POLICY, pdfDpi: role === 'admin' ? 200 : 150 }) });
    const dir = m.downloadDir(S2, { userId: 1, userName: 'sekinin', role: 'admin' });
    m.onWillBegin(S2, { guid: GUID, url: 'https://mhlw.example/form.xlsx', suggestedFilename: '様式.xlsx' });
    writeFileSync(path.join(dir, GUID), 'PK original');
    m.onProgress(S2, { guid: GUID, receivedBytes: 11, totalBytes: 11, state: 'completed' });
    await m.idle();
    expect(roles).toEqual(['admin']);
    expect(dpi).toBe(200);
    expect(last().state).toBe('ready');
  });


  it('reports downloading → scanning → sanitizing → ready and releases the sanitized output once', async () => {
    const m = manager();
    const dir = await download(m, S1, 'PK original');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(updates.map((u) => u.msg.state)).toEqual(['downloading', 'downloading', 'scanning', 'sanitizing', 'ready']);
    expect(updates.every((u) => u.sessionId === S1)).toBe(true);
    const ready = last();
    expect(ready).toMatchObject({ type: 'download', id: GUID, name: '様式.xlsx', outputName: '様式.pdf', receivedBytes: 11, totalBytes: 11 });
    expect(ready.href).toMatch(/^\/api\/downloads\/[A-Za-z0-9_-]{43}$/);
    // What was done, in plain words, and the quarantine record's reference number.
    expect(ready.done?.map((d) => d.ja)).toEqual(['Excel ブックを PDF に変換しました', 'ページを画像にして PDF を作り直しました（2 ページ）。文字の選択や検索はできません']);
    expect(ready.ref).toBe('1000-0000');
    const file = await m.take(tokenOf(ready), S1);
    expect(file).toMatchObject({ name: '様式.pdf', mimeType: 'application/pdf', size: 12 });
    expect(await text(file!.stream)).toBe('%PDF-rebuilt');
    expect(await m.take(tokenOf(ready), S1)).toBeUndefined();
    // The original is in the quarantine, not in the download directory.
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.meta).toMatchObject({ name: '様式.xlsx', verdict: 'sanitized', trueType: 'xlsx', sourceUrl: 'https://mhlw.example/form.xlsx', userId: 7, userName: 'nurse' });
    expect(Buffer.from(quarantined[0]!.bytes).toString()).toBe('PK original');
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual([]);
  });

  it('blocks with the sanitizer reason and offers no link', async () => {
    const infected: SanitizeFn = async () => ({ verdict: 'blocked', reason: 'infected', message: reasonMessage('infected'), signature: 'Eicar-Signature', inputType: 'other', detail: 'clamd', steps: [] });
    const m = manager({ sanitize: infected });
    await download(m, S1, 'X5O!P%@AP', 'report.pdf');
    expect(updates.map((u) => u.msg.state)).toEqual(['downloading', 'downloading', 'scanning', 'blocked']);
    expect(last()).toMatchObject({ state: 'blocked', reason: 'infected', message: reasonMessage('infected'), ref: '1000-0000' });
    expect(last().href).toBeUndefined();
    expect(quarantined[0]!.meta).toMatchObject({ verdict: 'blocked', reason: 'infected', signature: 'Eicar-Signature' });
    expect(m.list(S1)).toMatchObject([{ state: 'blocked', reason: 'infected' }]);
  });

  it('fails closed when the sanitizer throws: blocked internal-error, original quarantined', async () => {
    const m = manager({ sanitize: async () => { throw new Error('worker exploded'); } });
    await download(m, S1, 'original');
    expect(last()).toMatchObject({ state: 'blocked', reason: 'internal-error' });
    expect(last().href).toBeUndefined();
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.meta).toMatchObject({ verdict: 'blocked', reason: 'internal-error' });
    expect(Buffer.from(quarantined[0]!.bytes).toString()).toBe('original');
  });

  it('releases nothing when the original cannot be quarantined', async () => {
    const m = manager({ quarantine: { put: async () => { throw new Error('disk full'); } } });
    await download(m, S1, 'original');
    expect(last()).toMatchObject({ state: 'blocked', reason: 'internal-error' });
    expect(m.list(S1)[0]!.href).toBeUndefined();
  });

  it('does not let another session take the file, and keeps it for its owner', async () => {
    const m = manager();
    await download(m, S1, 'PK');
    const token = tokenOf(last());
    expect(await m.take(token, S2)).toBeUndefined();
    expect(await m.take(token, S1)).toBeDefined();
  });

  it('expires links after ten minutes', async () => {
    const m = manager();
    await download(m, S1, 'PK');
    const token = tokenOf(last());
    expect(m.list(S1)[0]!.href).toBe(`/api/downloads/${token}`);
    clock += 10 * 60_000 + 1;
    expect(await m.take(token, S1)).toBeUndefined();
    expect(m.list(S1)[0]).toMatchObject({ state: 'ready' });
    expect(m.list(S1)[0]!.href).toBeUndefined();
  });

  it('cancels and blocks a download over maxBytes', async () => {
    const m = manager();
    const dir = m.downloadDir(S1);
    m.onWillBegin(S1, { guid: GUID, url: 'https://x.example/big.iso', suggestedFilename: 'big.pdf' });
    writeFileSync(path.join(dir, `${GUID}.crdownload`), 'partial');
    m.onProgress(S1, { guid: GUID, receivedBytes: 10, totalBytes: 5000, state: 'inProgress' });
    await m.idle();
    expect(canceled).toEqual([GUID]);
    expect(existsSync(path.join(dir, `${GUID}.crdownload`))).toBe(false);
    expect(last()).toMatchObject({ state: 'blocked', reason: 'too-large' });
    // Later events of the canceled download change nothing.
    m.onProgress(S1, { guid: GUID, receivedBytes: 5000, totalBytes: 5000, state: 'completed' });
    await m.idle();
    expect(last()).toMatchObject({ state: 'blocked', reason: 'too-large' });
    expect(quarantined.map((q) => q.meta.reason)).toEqual(['too-large']);
  });

  it('blocks a canceled download', async () => {
    const m = manager();
    m.downloadDir(S1);
    m.onWillBegin(S1, { guid: GUID, url: 'https://x.example/a.pdf', suggestedFilename: 'a.pdf' });
    m.onProgress(S1, { guid: GUID, receivedBytes: 10, totalBytes: 0, state: 'canceled' });
    await m.idle();
    expect(last()).toMatchObject({ state: 'blocked', reason: 'download-canceled', totalBytes: null, message: { ja: expect.any(String), en: expect.stringContaining('canceled') } });
  });

  it('never uses the offered name for paths and refuses odd guids', async () => {
    let seen = '';
    const m = manager({ sanitize: async (input, p, s) => ((seen = input.name), sanitizedPdf(input, p, s)) });
    await download(m, S1, 'PK', '../../../etc/cron.d/evil.xlsx');
    expect(seen).toBe('../../../etc/cron.d/evil.xlsx'); // the sanitizer judges the name; nothing was written by it
    expect(existsSync(path.join(dataDir, 'etc'))).toBe(false);
    m.onWillBegin(S1, { guid: '../../x', url: 'https://x.example/', suggestedFilename: 'x.pdf' });
    expect(canceled).toEqual(['../../x']);
    expect(m.list(S1)).toHaveLength(1);
  });

  it('endSession wipes the directory and pending links', async () => {
    const m = manager();
    const dir = await download(m, S1, 'PK');
    const token = tokenOf(last());
    m.onWillBegin(S1, { guid: GUID2, url: 'https://x.example/b.pdf', suggestedFilename: 'b.pdf' });
    writeFileSync(path.join(dir, GUID2), 'partial');
    await m.endSession(S1);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(path.join(dataDir, 'downloads'))).toEqual([]);
    expect(await m.take(token, S1)).toBeUndefined();
    expect(m.list(S1)).toEqual([]);
    expect(quarantined.at(-1)!.meta).toMatchObject({ name: 'b.pdf', verdict: 'blocked', reason: 'download-canceled' });
    // The same session id starts again with a fresh directory.
    expect(existsSync(m.downloadDir(S1))).toBe(true);
  });

  it('recover() quarantines leftovers of a crash as blocked and releases nothing', async () => {
    const first = manager();
    const dir = first.downloadDir(S1, { userId: 7, userName: 'nurse' });
    first.onWillBegin(S1, { guid: GUID, url: 'https://vendor.example/setup.pdf', suggestedFilename: 'setup.pdf' });
    writeFileSync(path.join(dir, GUID), 'MZ not yet sanitized');
    mkdirSync(path.join(dataDir, 'downloads', 'deadbeef'), { recursive: true });
    writeFileSync(path.join(dataDir, 'downloads', 'deadbeef', `${GUID2}.crdownload`), 'half');
    await new Promise((r) => setTimeout(r, 20)); // let the sidecar be written, as it would before a crash
    updates = [];
    const after = manager();
    const result = await after.recover();
    expect(result).toEqual({ quarantined: 2, failed: 0 });
    const byName = Object.fromEntries(quarantined.map((q) => [q.meta.name, q]));
    expect(byName['setup.pdf']!.meta).toMatchObject({ verdict: 'blocked', reason: 'download-interrupted', sourceUrl: 'https://vendor.example/setup.pdf', userId: 7, userName: 'nurse' });
    expect(Buffer.from(byName['setup.pdf']!.bytes).toString()).toBe('MZ not yet sanitized');
    expect(Object.keys(byName)).toContain(`${GUID2}.crdownload`);
    expect(readdirSync(path.join(dataDir, 'downloads'))).toEqual([]);
    expect(updates).toEqual([]);
  });

  it('runs at most `concurrency` sanitizer jobs at once', async () => {
    let running = 0;
    let peak = 0;
    const slow: SanitizeFn = async (input, p, s) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return sanitizedPdf(input, p, s) as Promise<Verdict>;
    };
    const m = manager({ sanitize: slow, concurrency: 1 });
    const dir = m.downloadDir(S1);
    for (const guid of [GUID, GUID2]) {
      m.onWillBegin(S1, { guid, url: 'https://x.example/', suggestedFilename: 'f.xlsx' });
      writeFileSync(path.join(dir, guid), 'PK');
      m.onProgress(S1, { guid, receivedBytes: 2, totalBytes: 2, state: 'completed' });
    }
    await m.idle();
    expect(peak).toBe(1);
    expect(m.list(S1).map((d) => d.state)).toEqual(['ready', 'ready']);
  });
});
