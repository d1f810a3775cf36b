import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseClamdReply } from '../../../sanitizer/clamd-scanner.js';
import { DEFAULT_FILE_POLICY } from '../../../sanitizer/file-policy.js';
import { rebuildImage } from '../../../sanitizer/image-sanitizer.js';
import { fitDpi, largestPageArea, parsePnm } from '../../../sanitizer/pdf-rasterizer.js';
import { looksPhotographic } from '../../../sanitizer/pdf-rebuilder.js';
import { REASONS, REASON_CODES } from '../../../sanitizer/reasons.js';

describe('clamd replies', () => {
  it('only "stream: OK" is clean', () => {
    expect(parseClamdReply('stream: OK\0')).toEqual({ status: 'clean' });
    expect(parseClamdReply('stream: Win.Test.EICAR_HDB-1 FOUND\0')).toEqual({ status: 'infected', signature: 'Win.Test.EICAR_HDB-1' });
    expect(parseClamdReply('INSTREAM size limit exceeded. ERROR\0').status).toBe('limit-exceeded');
    expect(parseClamdReply('stream: Can\'t allocate memory ERROR\0').status).toBe('unavailable');
    expect(parseClamdReply('').status).toBe('unavailable');
  });
});

describe('page rendering helpers', () => {
  it('reads the largest page from pdfinfo output and lowers the DPI to fit the pixel limit', () => {
    const out = 'Page    1 size: 595.276 x 841.89 pts (A4)\nPage    2 size: 2384 x 3370 pts (A0)\n';
    const area = largestPageArea(out);
    expect(area).toBeCloseTo(2384 * 3370);
    expect(fitDpi(150, 595 * 842, 60e6)).toBe(150);
    const a0 = fitDpi(150, area, 20e6)!; // A0 at 150 dpi is ~35 Mpx
    expect(a0).toBeLessThan(150);
    expect((area * a0 * a0) / 5184).toBeLessThanOrEqual(20e6);
    expect(fitDpi(150, area, 1e6)).toBeNull();
  });

  it('parses pdftoppm PPM output and rejects short data', () => {
    const ppm = Buffer.concat([Buffer.from('P6\n2 1\n255\n'), Buffer.from([1, 2, 3, 4, 5, 6])]);
    expect(parsePnm(ppm, 150)).toMatchObject({ width: 2, height: 1, channels: 3, dpi: 150 });
    expect(parsePnm(ppm.subarray(0, ppm.length - 1), 150)).toBeNull();
  });

  it('classifies text pages as grey and photos as JPEG candidates', () => {
    const w = 200;
    const h = 200;
    const text = Buffer.alloc(w * h * 3, 255);
    for (let i = 0; i < 2000; i++) text.fill(0, i * 30, i * 30 + 3); // sparse black dots
    const photo = Buffer.from(Uint8Array.from({ length: w * h * 3 }, (_, i) => 60 + ((i * 31) % 140)));
    expect(looksPhotographic({ data: text, width: w, height: h, channels: 3, dpi: 150 })).toBe(false);
    expect(looksPhotographic({ data: photo, width: w, height: h, channels: 3, dpi: 150 })).toBe(true);
  });
});

describe('images', () => {
  const limits = { maxPixels: DEFAULT_FILE_POLICY.maxPixels, maxPages: 10, timeoutMs: 10_000 };

  it('re-encodes WebP as WebP', async () => {
    const webp = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#123456' } }).webp().toBuffer();
    const r = await rebuildImage(webp, 'webp', limits);
    expect(r.ok && r.value.type).toBe('webp');
  });

  it('turns a multi-page TIFF into a PDF with one page per TIFF page', async () => {
    const page = (c: string): Promise<Buffer> => sharp({ create: { width: 30, height: 40, channels: 3, background: c } }).png().toBuffer();
    const tiff = await sharp([await page('#fff'), await page('#000')], { join: { animated: true } }).tiff().toBuffer();
    expect((await sharp(tiff).metadata()).pages).toBe(2);
    const r = await rebuildImage(tiff, 'tiff', limits);
    expect(r.ok && r.value.type).toBe('pdf');
    expect(r.ok && r.value.detail).toContain('2 pages');
  });
});

describe('reason codes', () => {
  it('every code has a Japanese and an English message', () => {
    expect(REASON_CODES.length).toBeGreaterThan(15);
    for (const code of REASON_CODES) {
      expect(REASONS[code].ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(REASONS[code].en.length).toBeGreaterThan(10);
    }
  });
});
