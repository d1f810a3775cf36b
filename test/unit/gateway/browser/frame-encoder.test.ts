import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FrameEncoder } from '../../../../gateway/browser/frame-encoder.js';
import { FrameFlags, FrameKind, PieceCodec } from '../../../../protocol/index.js';
import type { RawPicture } from '../../../../gateway/browser/frame-diff.js';
import { article, view } from '../../support/synthetic-page.js';

const W = 480;
const H = 320;
const page = article(W, 3000);

const png = (pic: RawPicture): Promise<Buffer> => sharp(pic.data, { raw: { width: pic.width, height: pic.height, channels: 3 } }).png().toBuffer();
const bytes = (f: { pieces: { data: Uint8Array }[] }): number => f.pieces.reduce((n, p) => n + p.data.byteLength, 0);

describe('frame encoder', () => {
  it('starts with a key frame and sends nothing for an unchanged picture', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    const first = await png(view(page, 400, H));
    const key = await enc.fromScreencast(first, 400);
    expect(key).toMatchObject({ kind: FrameKind.Key, width: W, height: H, copy: null });
    expect(key!.pieces).toHaveLength(1);
    expect(await enc.fromScreencast(first, 400)).toBeNull();
    expect(await enc.fromScreencast(await png(view(page, 400, H)), 400)).toBeNull();
  });

  it('sends a scroll as a copy plus the exposed strip, far smaller than the key frame, and refines only that strip', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    const key = (await enc.fromScreencast(await png(view(page, 400, H)), 400))!;
    expect(key.pieces[0]!.codec).toBe(PieceCodec.Jpeg);
    expect(key.flags & FrameFlags.Refined).toBe(0);
    const whole = (await enc.refine())!;
    expect(whole.flags & FrameFlags.Refined).toBeTruthy();
    expect(enc.needsRefinement).toBe(false);

    const delta = (await enc.fromScreencast(await png(view(page, 460, H)), 460))!;
    expect(delta.kind).toBe(FrameKind.Delta);
    expect(delta.copy).toEqual({ x: 0, y: 60, width: W, height: H - 60, dy: -60 });
    // Only rows the copy could not fill: the bottom 60 rows, in 16-row tiles, as JPEG while moving.
    for (const p of delta.pieces) expect(p.y).toBeGreaterThanOrEqual(H - 60 - 16);
    expect(delta.pieces.some((p) => p.codec === PieceCodec.Jpeg)).toBe(true);
    expect(bytes(delta)).toBeLessThan(bytes(key) / 2);
    expect(enc.needsRefinement).toBe(true);
    const strip = (await enc.refine())!;
    expect(strip.kind).toBe(FrameKind.Delta);
    expect(strip.flags & FrameFlags.Refined).toBeTruthy();
    for (const p of strip.pieces) expect(p.y).toBeGreaterThanOrEqual(H - 60 - 16);
    expect(strip.pieces.every((p) => p.codec === PieceCodec.Webp || p.codec === PieceCodec.Fill)).toBe(true);
  });

  it('sends one-colour pictures as a fill colour (exact, nothing to refine)', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    const black: RawPicture = { data: new Uint8Array(W * H * 3), width: W, height: H };
    const key = (await enc.fromScreencast(await png(black)))!;
    expect(key.kind).toBe(FrameKind.Key);
    expect(key.pieces[0]).toMatchObject({ codec: PieceCodec.Fill, data: new Uint8Array([0, 0, 0]) });
    expect(key.flags & FrameFlags.Refined).toBeTruthy();
    expect(enc.needsRefinement).toBe(false);
  });

  it('refines from the reference picture, which is exactly the last lossless frame', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    const exact = view(page, 400, H);
    await enc.fromScreencast(await png(exact), 400);
    const refined = (await enc.refine())!;
    const decoded = await sharp(refined.pieces[0]!.data).removeAlpha().raw().toBuffer();
    expect(Buffer.compare(decoded, Buffer.from(exact.data))).toBe(0);
    enc.reset();
    expect(await enc.refine()).toBeNull();
  });

  it('answers a key frame request on a still page with the whole picture, lossless', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    await enc.fromScreencast(await png(view(page, 400, H)), 400);
    await enc.refine();
    enc.requestKey();
    const whole = (await enc.refine(true))!;
    expect(whole).toMatchObject({ kind: FrameKind.Key, flags: FrameFlags.Refined });
    expect(whole.pieces[0]).toMatchObject({ x: 0, y: 0, width: W, height: H, codec: PieceCodec.Webp });
    expect(enc.wantsKey).toBe(false);
  });

  it('after a key frame request or reset the next frame is a key frame', async () => {
    const enc = new FrameEncoder({ movingQuality: 50, keyQuality: 80 });
    await enc.fromScreencast(await png(view(page, 400, H)), 400);
    enc.requestKey();
    expect((await enc.fromScreencast(await png(view(page, 420, H)), 420))?.kind).toBe(FrameKind.Key);
    enc.reset();
    expect((await enc.fromScreencast(await png(view(page, 420, H)), 420))?.kind).toBe(FrameKind.Key);
  });
});
