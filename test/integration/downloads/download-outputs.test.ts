/** Issue 9, item 9: sanitized outputs wait on disk, capped, bounded, swept — never in memory. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadManager, type DownloadManagerOptions } from '../../../gateway/downloads/download-manager.js';
import { downloadReasonMessage } from '../../../gateway/downloads/download-reasons.js';
import type { QuarantineMeta } from '../../../gateway/downloads/quarantine-store.js';
import type { SanitizeFn } from '../../../gateway/downloads/stage-reporting.js';
import type { DownloadMessage } from '../../../protocol/index.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/index.js';

const S1 = 'a'.repeat(64);
const S2 = 'b'.repeat(64);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
let updates: Array<{ sessionId: string; msg: DownloadMessage }>;
let quarantined: QuarantineMeta[];
let clock: number;
let managers: DownloadManager[];
let seq: number;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-dlout-'));
  updates = [];
  quarantined = [];
  clock = 1_000_000;
  managers = [];
  seq = 0;
});
afterEach(async () => {
  for (const m of managers) await m.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A sanitizer that turns any input into a PDF of `size` bytes (at the policy's DPI). */
function pdfOf(size: (dpi: number) => number, dpis: number[] = []): SanitizeFn {
  return async (input, policy) => {
    dpis.push(policy.pdfDpi);
    return {
      verdict: 'sanitized',
      inputType: 'pdf',
      output: { name: input.name, mimeType: 'application/pdf', trueType: 'pdf', bytes: new Uint8Array(size(policy.pdfDpi)).fill(0x25) },
      steps: [],
    };
  };
}

function manager(over: Partial<DownloadManagerOptions> = {}): DownloadManager {
  const m = new DownloadManager({
    dataDir,
    sanitize: pdfOf(() => 12),
    filePolicy: () => DEFAULT_FILE_POLICY,
    quarantine: { put: async (meta, bytes) => (quarantined.push(meta), { ...meta, id: String(quarantined.length), sha256: '', size: bytes.byteLength, createdAt: '' }) },
    maxBytes: 1 << 20,
    log: silent,
    onUpdate: (sessionId, msg) => updates.push({ sessionId, msg }),
    now: () => clock,
    ...over,
  });
  managers.push(m);
  return m;
}

/** One completed download; resolves with its last message. */
async function download(m: DownloadManager, sessionId: string, bytes = 'PK'): Promise<DownloadMessage> {
  const guid = `${String(++seq).padStart(8, '0')}-0000-4000-8000-000000000000`;
  const dir = m.downloadDir(sessionId, { userId: 7, userName: 'nurse' });
  m.onWillBegin(sessionId, { guid, url: 'https://x.example/f.pdf', suggestedFilename: 'f.pdf' });
  writeFileSync(path.join(dir, guid), bytes);
  m.onProgress(sessionId, { guid, receivedBytes: bytes.length, totalBytes: bytes.length, state: 'completed' });
  await m.idle();
  return updates.filter((u) => u.msg.id === guid).at(-1)!.msg;
}

const tokenOf = (msg: DownloadMessage): string => msg.href!.split('/').pop()!;
const releasedRoot = (): string => path.join(dataDir, 'released');
/** Every output file waiting on disk. */
function outputsOnDisk(): string[] {
  if (!existsSync(releasedRoot())) return [];
  return readdirSync(releasedRoot(), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('sanitized outputs on disk', () => {
  it('keeps the output in a 0600 file, not in memory: the link sends what is on disk, then deletes it', async () => {
    const m = manager();
    const ready = await download(m, S1);
    expect(ready.state).toBe('ready');
    const [file] = outputsOnDisk();
    expect(file).toBeDefined();
    expect(readFileSync(file!, 'utf8')).toBe('%'.repeat(12));
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    expect(m.pendingBytes(S1)).toBe(12);
    // Prove nothing is held in memory: what the link sends is what the file says now.
    writeFileSync(file!, 'changed-on-disk');
    const taken = await m.take(tokenOf(ready), S1);
    expect(outputsOnDisk()).toEqual([]); // deleted as soon as it is opened
    expect(await text(taken!.stream)).toBe('changed-on-disk');
    expect(m.pendingBytes(S1)).toBe(0);
    expect(m.pendingBytes()).toBe(0);
    expect(await m.take(tokenOf(ready), S1)).toBeUndefined();
  });

  it('removes expired links and their files on the sweep timer', async () => {
    const m = manager({ sweepIntervalMs: 10 });
    await download(m, S1);
    await download(m, S2);
    expect(outputsOnDisk()).toHaveLength(2);
    clock += 10 * 60_000 + 1;
    for (let i = 0; i < 100 && outputsOnDisk().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(outputsOnDisk()).toEqual([]);
    expect(m.pendingBytes()).toBe(0);
  });

  it('removes the outputs of an ended session, and leftovers of an earlier run at start', async () => {
    const m = manager();
    await download(m, S1);
    await m.endSession(S1);
    expect(outputsOnDisk()).toEqual([]);
    expect(m.pendingBytes()).toBe(0);

    mkdirSync(path.join(releasedRoot(), 'deadbeef'), { recursive: true });
    writeFileSync(path.join(releasedRoot(), 'deadbeef', 'old.out'), 'left by a crash');
    await manager().recover();
    expect(outputsOnDisk()).toEqual([]);
  });

  it('refuses an output over the per-session cap with a bilingual reason, and accepts again once fetched', async () => {
    const m = manager({ maxPendingBytesPerSession: 20 });
    const first = await download(m, S1);
    expect(first.state).toBe('ready');
    const second = await download(m, S1);
    expect(second).toMatchObject({ state: 'blocked', reason: 'session-output-quota', message: downloadReasonMessage('session-output-quota') });
    expect(second.message!.ja).toMatch(/受け取っていない/);
    expect(second.message!.en).toMatch(/waiting/);
    expect(quarantined.at(-1)).toMatchObject({ verdict: 'blocked', reason: 'session-output-quota' });
    expect(outputsOnDisk()).toHaveLength(1);
    // Another session is not affected by this session's cap.
    expect((await download(m, S2)).state).toBe('ready');
    (await m.take(tokenOf(first), S1))!.stream.destroy();
    expect((await download(m, S1)).state).toBe('ready');
  });

  it('refuses an output over the gateway cap', async () => {
    const m = manager({ maxPendingBytes: 20 });
    expect((await download(m, S1)).state).toBe('ready');
    expect(await download(m, S2)).toMatchObject({ state: 'blocked', reason: 'gateway-output-quota', message: downloadReasonMessage('gateway-output-quota') });
    expect(m.pendingBytes()).toBe(12);
  });

  it('re-encodes an output far larger than its input at half the DPI, then blocks it output-too-large', async () => {
    const dpis: number[] = [];
    // 0.6 MB of noise → 170 MB, in small: 2 bytes → 500 bytes, bound 20× / 100 bytes.
    const m = manager({ sanitize: pdfOf((dpi) => (dpi >= 150 ? 500 : 400), dpis), outputBound: { ratio: 20, floorBytes: 100 } });
    const msg = await download(m, S1, 'PK');
    expect(dpis).toEqual([DEFAULT_FILE_POLICY.pdfDpi, Math.floor(DEFAULT_FILE_POLICY.pdfDpi / 2)]);
    expect(msg).toMatchObject({ state: 'blocked', reason: 'output-too-large', message: downloadReasonMessage('output-too-large') });
    expect(msg.href).toBeUndefined();
    expect(quarantined.at(-1)).toMatchObject({ verdict: 'blocked', reason: 'output-too-large', trueType: 'pdf' });
    expect(outputsOnDisk()).toEqual([]);
    expect(m.pendingBytes()).toBe(0);
  });

  it('releases the harder re-encoding when it fits', async () => {
    const m = manager({ sanitize: pdfOf((dpi) => (dpi >= 150 ? 500 : 80)), outputBound: { ratio: 20, floorBytes: 100 } });
    const msg = await download(m, S1, 'PK');
    expect(msg.state).toBe('ready');
    expect(m.pendingBytes(S1)).toBe(80);
  });
});
