import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeFrame, encodeFrame, FrameKind, PieceCodec } from '../../../../protocol/index.js';
import { decodeRecords, encodeRecord, RecordKind } from '../../../../protocol/recording-format.js';
import { clipRecords } from '../../../../gateway/recording/recording-clip.js';
import { MAX_RECORDING_BACKLOG, SessionRecorder } from '../../../../gateway/recording/session-recorder.js';
import type { RecordingProgress } from '../../../../gateway/recording/recording-store.js';

const frame = (seq: number, kind = FrameKind.Key) =>
  encodeFrame({
    header: { kind, flags: 0, tabId: 1, seq, baseSeq: kind === FrameKind.Key ? 0 : seq - 1, width: 10, height: 10, captureTime: 0 },
    copy: null,
    pieces: [{ x: 0, y: 0, width: 10, height: 10, codec: PieceCodec.Fill, data: new Uint8Array([seq, 0, 0]) }],
  });
/** The sequence number a recorded frame carries. */
const seqOf = (payload: Uint8Array) => decodeFrame(payload)!.header.seq;

function recorder(options: { maxFps?: number; sites?: string[] } = {}) {
  let clock = 0;
  let backlog = 0;
  const chunks: Uint8Array[] = [];
  const progress: RecordingProgress[] = [];
  const rec = new SessionRecorder(
    { append: async (c) => void chunks.push(c), flushed: async () => undefined, backlogBytes: () => backlog },
    (p) => progress.push(p),
    { maxFps: options.maxFps ?? 2, sites: options.sites ?? [], now: () => clock },
  );
  const records = () => [...decodeRecords(Buffer.concat(chunks))];
  return { rec, records, progress, tick: (ms: number) => { clock += ms; vi.advanceTimersByTime(ms); }, slowDisk: (bytes: number) => void (backlog = bytes) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('session recorder', () => {
  it('keeps at most maxFps frames a second, and always the last frame of a burst', async () => {
    const r = recorder({ maxFps: 2 });
    for (let i = 1; i <= 10; i++) {
      r.rec.frame(frame(i));
      r.tick(50);
    }
    r.tick(1000);
    await r.rec.close();
    const seqs = r.records().filter((x) => x.kind === RecordKind.Frame).map((x) => seqOf(x.payload));
    // 10 frames in 0.5 s at 2 fps: the first, then the newest when its turn came.
    expect(seqs).toEqual([1, 10]);
    expect(r.progress.at(-1)).toMatchObject({ frames: 2, ended: true });
  });

  it('never drops a delta, and writes the key frame it depends on first', async () => {
    const r = recorder({ maxFps: 1 });
    r.rec.frame(frame(1));
    r.tick(100);
    r.rec.frame(frame(2));
    r.tick(100);
    r.rec.frame(frame(3, FrameKind.Delta));
    r.rec.frame(frame(4, FrameKind.Delta));
    await r.rec.close();
    expect(r.records().filter((x) => x.kind === RecordKind.Frame).map((x) => seqOf(x.payload))).toEqual([1, 2, 3, 4]);
  });

  it('drops frames, not events, while the disk is far behind', async () => {
    const r = recorder({ maxFps: 30 });
    r.slowDisk(MAX_RECORDING_BACKLOG + 1);
    r.rec.frame(frame(1));
    r.rec.client({ type: 'paste', text: 'x' });
    r.slowDisk(0);
    r.tick(100);
    r.rec.frame(frame(2));
    await r.rec.close();
    expect(r.records().filter((x) => x.kind === RecordKind.Frame).map((x) => seqOf(x.payload))).toEqual([2]);
    expect(r.records().filter((x) => x.kind === RecordKind.Event)).toHaveLength(1);
  });

  it('writes a waiting frame before a later event, so records stay in time order', async () => {
    const r = recorder({ maxFps: 1 });
    r.rec.frame(frame(1));
    r.tick(100);
    r.rec.frame(frame(2));
    r.tick(100);
    r.rec.client({ type: 'paste', text: 'x' });
    await r.rec.close();
    const records = r.records();
    expect(records.map((x) => x.kind)).toEqual([RecordKind.Frame, RecordKind.Frame, RecordKind.Event]);
    expect(records.every((x, i) => i === 0 || x.at >= records[i - 1]!.at)).toBe(true);
  });

  it('pauses off the listed sites and records navigations, typing and pastes without their contents', async () => {
    const r = recorder({ sites: ['*.example.jp'] });
    r.rec.server({ type: 'tabs', tabs: [{ id: 1, title: 'Mail', url: 'https://mail.example.jp/inbox', loading: false }], activeTabId: 1 });
    r.rec.client({ type: 'key', action: 'down', key: 'a', code: 'KeyA', keyCode: 65, modifiers: 0, text: 'a' });
    r.rec.client({ type: 'paste', text: '秘密の文章' });
    r.rec.frame(frame(1));
    r.rec.server({ type: 'nav-state', tabId: 1, url: 'https://other.test/', title: 'x', canGoBack: true, canGoForward: false, loading: false } as never);
    r.tick(1000);
    r.rec.frame(frame(2));
    r.rec.client({ type: 'paste', text: 'not recorded' });
    await r.rec.close();
    const events = r.records().filter((x) => x.kind === RecordKind.Event).map((x) => JSON.parse(new TextDecoder().decode(x.payload)) as Record<string, unknown>);
    expect(events).toEqual([
      { type: 'navigation', url: 'https://mail.example.jp/inbox', title: 'Mail' },
      { type: 'typing' },
      { type: 'paste', chars: 5 },
      { type: 'paused' },
    ]);
    expect(r.records().filter((x) => x.kind === RecordKind.Frame)).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('秘密');
    expect(r.progress.at(-1)?.sites).toEqual(['mail.example.jp']);
  });
});

describe('recording clips', () => {
  it('start with the last whole picture and navigation before the start, moved to it', () => {
    const nav = (url: string) => new TextEncoder().encode(JSON.stringify({ type: 'navigation', url }));
    const data = Buffer.concat([
      encodeRecord(RecordKind.Event, 0, nav('https://a.example/')),
      encodeRecord(RecordKind.Frame, 100, frame(1)),
      encodeRecord(RecordKind.Frame, 900, frame(2)),
      encodeRecord(RecordKind.Event, 1500, nav('https://b.example/')),
      encodeRecord(RecordKind.Frame, 2500, frame(3)),
    ]);
    const clip = [...decodeRecords(clipRecords(data, 1000, 2000))];
    expect(clip.map((r) => [r.kind, r.at])).toEqual([[RecordKind.Event, 1000], [RecordKind.Frame, 1000], [RecordKind.Event, 1500]]);
    expect(seqOf(clip[1]!.payload)).toBe(2);
  });

  it('stop decoding at a record cut short', () => {
    const whole = encodeRecord(RecordKind.Frame, 5, frame(1));
    const data = Buffer.concat([whole, whole.subarray(0, 20)]);
    expect([...decodeRecords(data)]).toHaveLength(1);
  });
});
