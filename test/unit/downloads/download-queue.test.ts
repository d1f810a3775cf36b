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
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'kekkai-dlq-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** A sanitizer whose runs block until the test releases them, one by one, in order. */
function gatedSanitize(): { sanitize: SanitizeFn; started: string[]; release: () => void; waitStarted: (n: number) => Promise<void> } {
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
  return { sanitize, started, release: () => gates.shift()!(), waitStarted };
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

  it('defaults to one sanitizer slot per core', async () => {
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
    const dir = m.downloadDir(S1);
    const guids = Array.from({ length: cores + 1 }, (_, i) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);
    for (const guid of guids) {
      m.onWillBegin(S1, { guid, url: 'https://x.example/', suggestedFilename: 'f.pdf' });
      writeFileSync(path.join(dir, guid), '%PDF-1.7');
      m.onProgress(S1, { guid, receivedBytes: 8, totalBytes: 8, state: 'completed' });
    }
    await gate.waitStarted(cores);
    expect(m.list(S1).filter((d) => d.state === 'queued').map((d) => d.queuePosition)).toEqual([1]);
    for (let i = 0; i <= cores; i++) {
      await gate.waitStarted(Math.min(cores + 1, cores + i));
      gate.release();
    }
    await m.idle();
    expect(m.list(S1).every((d) => d.state === 'ready')).toBe(true);
  });
});
