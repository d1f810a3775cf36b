import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadManager } from '../../../gateway/downloads/download-manager.js';
import type { SanitizeFn } from '../../../gateway/downloads/stage-reporting.js';
import { ServerMessage, type DownloadMessage } from '../../../protocol/index.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/index.js';

const GUIDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'] as const;
const S1 = 'a'.repeat(64);
const S2 = 'b'.repeat(64);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-dlq-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A sanitizer whose runs block until the test releases them, one by one, in order. */
function gatedSanitize(): { sanitize: SanitizeFn; started: string[]; release: () => void; pending: () => number; waitStarted: (n: number) => Promise<void> } {
  const started: string[] = [];
  const gates: Array<() => void> = [];
  const sanitize: SanitizeFn = async (input) => {
    started.push(input.name);
    await new Promise<void>((resolve) => gates.push(resolve));
    return {
      verdict: 'sanitized',
      inputType: 'pdf',
      output: { name: input.name, mimeType: 'application/pdf', trueType: 'pdf', bytes: new TextEncoder().encode('%PDF-rebuilt') },
      steps: [],
    };
  };
  const waitStarted = async (n: number): Promise<void> => {
    for (let i = 0; i < 200 && started.length < n; i++) await new Promise((r) => setTimeout(r, 5));
    expect(started).toHaveLength(n);
  };
  return { sanitize, started, release: () => gates.shift()!(), pending: () => gates.length, waitStarted };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

/** A download Chromium reports complete, with its file on disk. */
function completed(m: DownloadManager, sessionId: string, dir: string, guid: string, name: string): void {
  m.onWillBegin(sessionId, { guid, url: 'https://x.example/', suggestedFilename: name });
  writeFileSync(path.join(dir, guid), '%PDF-1.7');
  m.onProgress(sessionId, { guid, receivedBytes: 8, totalBytes: 8, state: 'completed' });
}

describe('DownloadManager queue', () => {
  it('shows waiting downloads as queued with their position and moves them up as slots free', async () => {
    const updates: DownloadMessage[] = [];
    const gate = gatedSanitize();
    const m = new DownloadManager({
      dataDir,
      sanitize: gate.sanitize,
      filePolicy: () => DEFAULT_FILE_POLICY,
      quarantine: { put: async (meta, bytes) => ({ ...meta, id: 'q', sha256: '', size: bytes.byteLength, createdAt: '' }) },
      maxBytes: 1000,
      log: silent,
      onUpdate: (_s, msg) => updates.push(msg),
      concurrency: 1,
    });
    const dir = m.downloadDir(S1);
    GUIDS.forEach((guid, i) => {
      m.onWillBegin(S1, { guid, url: 'https://x.example/', suggestedFilename: `f${i + 1}.pdf` });
      writeFileSync(path.join(dir, guid), '%PDF-1.7');
      m.onProgress(S1, { guid, receivedBytes: 8, totalBytes: 8, state: 'completed' });
    });
    const of = (guid: string): DownloadMessage[] => updates.filter((u) => u.id === guid);
    const current = (guid: string): DownloadMessage => m.list(S1).find((d) => d.id === guid)!;

    await gate.waitStarted(1);
    expect(gate.started).toEqual(['f1.pdf']);
    expect(current(GUIDS[0]).state).toBe('scanning');
    expect(current(GUIDS[1])).toMatchObject({ state: 'queued', queuePosition: 1 });
    expect(current(GUIDS[2])).toMatchObject({ state: 'queued', queuePosition: 2 });

    gate.release(); // the first finishes: the second runs, the third is next
    await gate.waitStarted(2);
    expect(current(GUIDS[0]).state).toBe('ready');
    expect(current(GUIDS[1]).state).toBe('scanning');
    expect(current(GUIDS[1]).queuePosition).toBeUndefined();
    expect(current(GUIDS[2])).toMatchObject({ state: 'queued', queuePosition: 1 });

    gate.release();
    await gate.waitStarted(3);
    gate.release();
    await m.idle();

    expect(of(GUIDS[0]).map((u) => u.state)).toEqual(['downloading', 'scanning', 'ready']);
    expect(of(GUIDS[1]).map((u) => [u.state, u.queuePosition])).toEqual([['downloading', undefined], ['queued', 1], ['scanning', undefined], ['ready', undefined]]);
    expect(of(GUIDS[2]).map((u) => [u.state, u.queuePosition])).toEqual([['downloading', undefined], ['queued', 2], ['queued', 1], ['scanning', undefined], ['ready', undefined]]);
    // Every message is valid protocol.
    for (const u of updates) expect(ServerMessage.safeParse(u).success, JSON.stringify(u)).toBe(true);
  });

  it('defaults to one sanitizer slot per core, one of them kept free for another session', async () => {
    const gate = gatedSanitize();
    const m = new DownloadManager({
      dataDir,
      sanitize: gate.sanitize,
      filePolicy: () => DEFAULT_FILE_POLICY,
      quarantine: { put: async (meta, bytes) => ({ ...meta, id: 'q', sha256: '', size: bytes.byteLength, createdAt: '' }) },
      maxBytes: 1000,
      log: silent,
      onUpdate: () => undefined,
    });
    const cores = os.availableParallelism();
    const perSession = Math.max(1, cores - 1);
    const dir = m.downloadDir(S1);
    const guids = Array.from({ length: cores + 1 }, (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);
    for (const guid of guids) completed(m, S1, dir, guid, 'f.pdf');
    await gate.waitStarted(perSession);
    expect(m.list(S1).filter((d) => d.state === 'queued').map((d) => d.queuePosition)).toEqual(Array.from({ length: cores + 1 - perSession }, (_, i) => i + 1));
    // Another user's download takes the free slot (if the machine has more than one core).
    completed(m, S2, m.downloadDir(S2), GUIDS[0], 'other.csv');
    await gate.waitStarted(Math.min(cores, perSession + 1));
    const all = (): DownloadMessage[] => [...m.list(S1), ...m.list(S2)];
    for (let i = 0; i < 100 && !all().every((d) => d.state === 'ready'); i++) {
      if (gate.pending() > 0) gate.release();
      await settle();
    }
    await m.idle();
    expect([...m.list(S1), ...m.list(S2)].every((d) => d.state === 'ready')).toBe(true);
  });

  it('user A\'s three slow PDFs do not hold up user B\'s CSV: B starts before A\'s second (issue 9, item 8)', async () => {
    const updates: Array<{ sessionId: string; msg: DownloadMessage }> = [];
    const gate = gatedSanitize();
    const m = new DownloadManager({
      dataDir,
      sanitize: gate.sanitize,
      filePolicy: () => DEFAULT_FILE_POLICY,
      quarantine: { put: async (meta, bytes) => ({ ...meta, id: 'q', sha256: '', size: bytes.byteLength, createdAt: '' }) },
      maxBytes: 1000,
      log: silent,
      onUpdate: (sessionId, msg) => updates.push({ sessionId, msg }),
      concurrency: 1,
    });
    const dirA = m.downloadDir(S1);
    GUIDS.forEach((guid, i) => completed(m, S1, dirA, guid, `slow${i + 1}.pdf`));
    await gate.waitStarted(1);
    completed(m, S2, m.downloadDir(S2), GUIDS[0], 'labs.csv');
    await settle();
    // B is told it is next; A's other two are behind it.
    expect(m.list(S2)[0]).toMatchObject({ state: 'queued', queuePosition: 1 });
    expect(m.list(S1).map((d) => [d.state, d.queuePosition])).toEqual([['scanning', undefined], ['queued', 2], ['queued', 3]]);

    gate.release(); // A's first finishes
    await gate.waitStarted(2);
    expect(gate.started).toEqual(['slow1.pdf', 'labs.csv']);
    expect(m.list(S1).map((d) => [d.state, d.queuePosition])).toEqual([['ready', undefined], ['queued', 1], ['queued', 2]]);
    for (let n = 3; n <= 4; n++) {
      gate.release();
      await gate.waitStarted(n);
    }
    gate.release();
    await m.idle();
    expect(gate.started).toEqual(['slow1.pdf', 'labs.csv', 'slow2.pdf', 'slow3.pdf']);
    expect(m.list(S2)[0]!.state).toBe('ready');
    for (const u of updates) expect(ServerMessage.safeParse(u.msg).success, JSON.stringify(u)).toBe(true);
  });
});
