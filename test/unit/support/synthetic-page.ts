/**
 * Synthetic pictures for the frame-diff and frame-encoder tests: a tall "article" of
 * word-like blocks on text lines, and windows onto it as a scrolled viewport shows them.
 */
import type { RawPicture } from '../../../gateway/browser/frame-diff.js';

/** A deterministic pseudo-random generator, so the pictures are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** A tall "article": white with dark word-like blocks on text lines, like a page of text. */
export function article(width: number, height: number, seed = 1): RawPicture {
  const data = new Uint8Array(width * height * 3).fill(255);
  const rand = rng(seed);
  for (let line = 8; line + 14 < height; line += 22) {
    for (let x = 10; x < width - 20; ) {
      const w = 6 + Math.floor(rand() * 14);
      const ink = Math.floor(rand() * 90);
      for (let y = line; y < line + 14; y++) for (let i = x; i < Math.min(width, x + w); i++) if (rand() < 0.55) data.fill(ink, (y * width + i) * 3, (y * width + i) * 3 + 3);
      x += w + 2 + Math.floor(rand() * 6);
    }
  }
  return { data, width, height };
}

/** Rows [top, top + height) of a picture, with ±noise on every channel (JPEG-like). */
export function view(page: RawPicture, top: number, height: number, noise = 0, seed = 2): RawPicture {
  const stride = page.width * 3;
  const data = page.data.slice(top * stride, (top + height) * stride);
  const rand = rng(seed);
  if (noise) for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! + Math.round((rand() * 2 - 1) * noise)));
  return { data, width: page.width, height };
}
