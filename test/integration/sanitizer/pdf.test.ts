import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { PopplerRasterizer } from '../../../sanitizer/pdf-rasterizer.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import type { SanitizerDeps } from '../../../sanitizer/pipeline.js';
import type { Verdict } from '../../../sanitizer/verdict.js';
import { activePdf, textPdf } from '../../fixtures/sanitizer/hostile-files.js';
import { FakeScanner } from '../../unit/sanitizer/fakes.js';
import { htmlToPdf, inkShare, meanDiff, pdfKeyNames, pdfText, renderFirstPage } from './render-helpers.js';

const deps: SanitizerDeps = { scanner: new FakeScanner(), rasterizer: new PopplerRasterizer(), officeConverter: null };
const run = (name: string, bytes: Uint8Array, policy = parseFilePolicy({})): Promise<Verdict> => sanitize({ name, bytes }, policy, deps);

function output(v: Verdict): Uint8Array {
  if (v.verdict !== 'sanitized') throw new Error(`blocked: ${v.reason}: ${v.detail}`);
  return v.output.bytes;
}

describe('PDF reconstruction', () => {
  it('removes JavaScript, OpenAction, Launch, URI, annotations, attachments, forms and metadata', async () => {
    const input = await activePdf();
    const before = await pdfKeyNames(input);
    for (const k of ['OpenAction', 'JavaScript', 'Annots', 'URI', 'Launch', 'EmbeddedFiles', 'AcroForm']) expect(before.keys, k).toContain(k);
    expect(before.trailer).toContain('Info');

    const v = await run('hostile.pdf', input);
    const out = output(v);
    const after = await pdfKeyNames(out);
    for (const k of ['OpenAction', 'AA', 'JavaScript', 'JS', 'Annots', 'URI', 'Launch', 'EmbeddedFiles', 'EmbeddedFile', 'AcroForm', 'Names', 'Metadata', 'Outlines', 'Font']) {
      expect(after.keys, k).not.toContain(k);
    }
    expect(after.trailer).not.toContain('Info');
    expect(after.pages).toBe(1);
    expect(Buffer.from(out).includes('hostile')).toBe(false);
    expect(Buffer.from(out).includes('pdf-lib')).toBe(false);
    // Still looks like the original page.
    expect(inkShare(await renderFirstPage(out))).toBeGreaterThan(0.002);
    expect(v.verdict === 'sanitized' && v.output).toMatchObject({ name: 'hostile.pdf', mimeType: 'application/pdf', trueType: 'pdf' });
  });

  it('renders a Japanese PDF with its glyphs (rendered back, the page matches the original)', async () => {
    const input = await htmlToPdf(
      '<!doctype html><meta charset="utf-8"><body style="font-family:\'Noto Sans CJK JP\',sans-serif;font-size:28px">' +
        '<h1>診療情報提供書</h1><p>患者氏名：山田　太郎　様</p><p>本日の検査結果をお知らせします。血圧は正常範囲です。</p></body>',
    );
    expect(await pdfText(input)).toContain('診療情報提供書');
    const out = output(await run('紹介状.pdf', input));
    const [a, b] = [await renderFirstPage(input), await renderFirstPage(out)];
    expect(inkShare(b)).toBeGreaterThan(0.005);
    expect(meanDiff(a, b)).toBeLessThan(6);
    // The rebuilt PDF is pixels only: no text layer left to carry anything else.
    expect((await pdfText(out)).trim()).toBe('');
  }, 90_000);

  it('keeps the page count and page size, at 150 dpi', async () => {
    const v = await run('three.pdf', await textPdf(3));
    const out = output(v);
    const info = await pdfKeyNames(out);
    expect(info.pages).toBe(3);
    expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toMatch(/3 page\(s\) rendered at 150 dpi/);
  });

  it('encodes a photographic page as JPEG and a text page as grey Flate', async () => {
    const doc = await PDFDocument.load(await textPdf(1));
    const noise = Uint8Array.from({ length: 300 * 400 * 3 }, (_, i) => (i * 7919 + (i >> 7) * 13) % 256);
    const photo = await doc.embedJpg(await sharp(noise, { raw: { width: 300, height: 400, channels: 3 } }).jpeg().toBuffer());
    doc.addPage([595, 842]).drawImage(photo, { x: 0, y: 0, width: 595, height: 842 });
    const v = await run('mixed.pdf', await doc.save());
    expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toContain('2 page(s) rendered at 150 dpi (1 grey/Flate, 1 JPEG)');
  });

  it('blocks PDFs with more pages than allowed', async () => {
    expect(await run('long.pdf', await textPdf(4), parseFilePolicy({ maxPages: 3 }))).toMatchObject({ verdict: 'blocked', reason: 'too-many-pages' });
  });

  it('blocks a corrupt PDF as malformed', async () => {
    const pdf = await textPdf(1);
    const broken = new Uint8Array([...pdf.subarray(0, 40), ...new Uint8Array(200).fill(0x20)]);
    expect(await run('broken.pdf', broken)).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
  });

  it('blocks when the render worker exceeds its time limit', async () => {
    const v = await run('slow.pdf', await textPdf(30), parseFilePolicy({ timeouts: { renderMs: 1 } }));
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'timeout' });
  });

  it('runs the renderer without network and under a memory limit', async () => {
    const v = await run('a.pdf', await textPdf(1));
    expect(v.steps.find((s) => s.stage === 'reconstruct')?.detail).toMatch(/unshare -r?n; prlimit as=\d+MiB/);
  });
});
