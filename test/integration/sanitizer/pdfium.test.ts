import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFRawStream, PDFStream, PDFString, decodePDFRawStream } from 'pdf-lib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseFilePolicy } from '../../../sanitizer/file-policy.js';
import { PopplerRasterizer } from '../../../sanitizer/pdf-rasterizer.js';
import { PdfiumRasterizer } from '../../../sanitizer/pdfium-rasterizer.js';
import type { PdfiumOptions } from '../../../sanitizer/pdfium-rasterizer.js';
import { sanitize } from '../../../sanitizer/pipeline.js';
import type { SanitizerDeps } from '../../../sanitizer/pipeline.js';
import { createDefaultDeps } from '../../../sanitizer/index.js';
import type { Verdict } from '../../../sanitizer/verdict.js';
import { activePdf, textPdf } from '../../fixtures/sanitizer/hostile-files.js';
import { FakeScanner } from '../../unit/sanitizer/fakes.js';
import { htmlToPdf, inkShare, meanDiff, pdfKeyNames, pdfText, renderFirstPage, withTmp } from './render-helpers.js';

const exec = promisify(execFile);

const depsWith = (o: PdfiumOptions = {}): SanitizerDeps => ({ scanner: new FakeScanner(), rasterizer: new PdfiumRasterizer({ workers: 2, ...o }), officeConverter: null });
const deps = depsWith();
const run = (name: string, bytes: Uint8Array, policy = parseFilePolicy({}), d = deps): Promise<Verdict> => sanitize({ name, bytes }, policy, d);

function output(v: Verdict): Uint8Array {
  if (v.verdict !== 'sanitized') throw new Error(`blocked: ${v.reason}: ${v.detail}`);
  return v.output.bytes;
}

const reconstructDetail = (v: Verdict): string => v.steps.find((s) => s.stage === 'reconstruct')?.detail ?? '';

/** Text of every page as PDFium (Chrome's PDF engine, which its viewer searches and copies with) extracts it. Test-side check. */
async function pdfiumText(pdf: Uint8Array): Promise<string> {
  const require = createRequire(import.meta.url);
  const glue = require.resolve('@embedpdf/pdfium');
  const { init } = (await import(glue.replace(/index\.cjs$/, 'index.js'))) as { init: (o: object) => Promise<Record<string, (...a: unknown[]) => number> & { pdfium: { wasmExports: { malloc(n: number): number }; HEAPU8: Uint8Array; UTF16ToString(p: number): string } }> };
  const lib = await init({ wasmBinary: await readFile(glue.replace(/index\.cjs$/, 'pdfium.wasm')), print: () => undefined, printErr: () => undefined });
  lib.PDFiumExt_Init!();
  const M = lib.pdfium;
  const buf = M.wasmExports.malloc(pdf.length);
  M.HEAPU8.set(pdf, buf);
  const doc = lib.FPDF_LoadMemDocument!(buf, pdf.length, '');
  let text = '';
  for (let i = 0; i < lib.FPDF_GetPageCount!(doc); i++) {
    const page = lib.FPDF_LoadPage!(doc, i);
    const tp = lib.FPDFText_LoadPage!(page);
    const n = lib.FPDFText_CountChars!(tp);
    const out = M.wasmExports.malloc((n + 1) * 2);
    lib.FPDFText_GetText!(tp, 0, n, out);
    text += M.UTF16ToString(out) + '\n';
    lib.FPDFText_ClosePage!(tp);
    lib.FPDF_ClosePage!(page);
  }
  return text;
}

/** Every content stream of the output, decoded (test-side check with pdf-lib on the OUTPUT). */
async function contentStreams(pdf: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const parts: string[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (obj instanceof PDFRawStream && !obj.dict.get(PDFName.of('Subtype'))) parts.push(Buffer.from(decodePDFRawStream(obj).decode()).toString('latin1'));
    else if (obj instanceof PDFStream && !(obj instanceof PDFRawStream)) parts.push(Buffer.from(obj.getContents()).toString('latin1'));
  }
  return parts.join('\n');
}

/** Page 1 rendered by poppler as a colour PNG (test-side check). */
async function firstPagePng(pdf: Uint8Array): Promise<Buffer> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, 'in.pdf'), pdf);
    await exec('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', join(dir, 'in.pdf'), join(dir, 'p')]);
    return readFile(join(dir, 'p.png'));
  });
}

const PHRASES = ['診療情報提供書', '血圧は正常範囲です', 'アムロジピン錠５ｍｇ', '１日１回朝食後に服用'];

function japaneseHtml(pages: number): string {
  const body = Array.from(
    { length: pages },
    (_, p) =>
      `<section style="page-break-after:always"><h1>${PHRASES[0]} ${p + 1}</h1>` +
      `<p>患者氏名：山田\u3000太郎\u3000様。本日の検査結果をお知らせします。${PHRASES[1]}。</p>` +
      `<p>処方：${PHRASES[2]}、${PHRASES[3]}してください。Dose: 5 mg once daily.</p></section>`,
  ).join('');
  return `<!doctype html><meta charset="utf-8"><body style="font-family:'Noto Sans CJK JP',sans-serif;font-size:18px">${body}</body>`;
}

describe('PDF reconstruction with PDFium', () => {
  it('round-trips a Japanese PDF with a searchable invisible text layer and no fonts from the input', async () => {
    const input = await htmlToPdf(japaneseHtml(3));
    const v = await run('紹介状.pdf', input);
    const out = output(v);
    const poppler = await pdfText(out);
    const chrome = await pdfiumText(out);
    for (const phrase of PHRASES) {
      expect(poppler, `pdftotext: ${phrase}`).toContain(phrase);
      expect(chrome, `PDFium: ${phrase}`).toContain(phrase);
    }
    expect(poppler).toContain('Dose: 5 mg once'); // Latin words keep their spaces
    // Looks like the input (the text is invisible: render mode 3).
    const [a, b] = [await renderFirstPage(input), await renderFirstPage(out)];
    expect(inkShare(b)).toBeGreaterThan(0.003);
    expect(meanDiff(a, b)).toBeLessThan(6);
    const content = await contentStreams(out);
    expect(content).toContain('3 Tr');
    expect(content).not.toMatch(/\b[0-2] Tr\b/);
    // One font, ours: no font program, nothing of the input's fonts (Noto CJK) left.
    const keys = await pdfKeyNames(out);
    for (const k of ['FontFile', 'FontFile2', 'FontFile3', 'OpenAction', 'AA', 'JavaScript', 'Annots', 'EmbeddedFiles']) expect(keys.keys, k).not.toContain(k);
    expect(Buffer.from(out).includes('Noto')).toBe(false);
    expect(v.verdict === 'sanitized' && v.changes).toEqual([{ kind: 'rendered-as-images', pages: 3, textLayerPages: 3 }]);
    expect(reconstructDetail(v)).toMatch(/3 page\(s\) rendered at 150 dpi .*text layer on 3 page\(s\).*pdfium wasm in 2 worker thread/);
  }, 120_000);

  it('keeps text pages under 80 KB each', async () => {
    const dense = `<!doctype html><meta charset="utf-8"><body style="font-family:'Noto Sans CJK JP',sans-serif;font-size:14px;line-height:1.6">${Array.from(
      { length: 2 },
      () => `<section style="page-break-after:always">${Array.from({ length: 14 }, () => `<p>${PHRASES.join('。')}。病院の電子カルテを守るため、インターネット閲覧は分離された環境で行います。</p>`).join('')}</section>`,
    ).join('')}</body>`;
    const out = output(await run('dense.pdf', await htmlToPdf(dense)));
    expect(out.length / 2).toBeLessThan(80 * 1024);
    expect(await pdfText(out)).toContain(PHRASES[2]);
  }, 120_000);

  it('keeps colour where present: a red heading as a palette image, a black-text page as grey', async () => {
    const html = `<!doctype html><meta charset="utf-8"><body style="font-family:'Noto Sans CJK JP',sans-serif;font-size:18px">` +
      `<section style="page-break-after:always"><h1 style="color:#d00000">警告：${PHRASES[0]}</h1><p>${PHRASES[1]}</p></section><section><p>${PHRASES[2]}</p></section></body>`;
    const v = await run('colour.pdf', await htmlToPdf(html));
    const out = output(v);
    expect(reconstructDetail(v)).toContain('2 page(s) rendered at 150 dpi (1 grey/Flate, 1 palette/Flate, 0 JPEG)');
    // Rendered back, the heading is still red.
    const { data, info } = await sharp(await firstPagePng(out)).raw().toBuffer({ resolveWithObject: true });
    let red = 0;
    for (let i = 0; i < data.length; i += info.channels) if (data[i]! > 150 && data[i + 1]! < 80 && data[i + 2]! < 80) red++;
    expect(red).toBeGreaterThan(200);
    expect(await pdfText(out)).toContain('警告');
  }, 60_000);

  it('hands a PDF whose Japanese text uses a font it does not embed to poppler, so the text is still drawn', async () => {
    // PDFium here has no system fonts: it would draw nothing for 診療情報提供書 in MS-Mincho (not embedded).
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const ctx = doc.context;
    const descriptor = ctx.register(ctx.obj({ Type: 'FontDescriptor', FontName: 'MS-Mincho', Flags: 6, FontBBox: [0, -141, 1000, 859], ItalicAngle: 0, Ascent: 859, Descent: -141, CapHeight: 700, StemV: 80 }));
    const cid = ctx.register(ctx.obj({ Type: 'Font', Subtype: 'CIDFontType0', BaseFont: 'MS-Mincho', CIDSystemInfo: ctx.obj({ Registry: PDFString.of('Adobe'), Ordering: PDFString.of('Japan1'), Supplement: 2 }), FontDescriptor: descriptor }));
    page.node.Resources()!.set(PDFName.of('Font'), ctx.obj({ F1: ctx.register(ctx.obj({ Type: 'Font', Subtype: 'Type0', BaseFont: 'MS-Mincho', Encoding: 'UniJIS-UCS2-H', DescendantFonts: [cid] })) }));
    const hex = [...PHRASES[0]!].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('');
    page.node.set(PDFName.of('Contents'), ctx.register(ctx.flateStream(`BT /F1 40 Tf 50 700 Td <${hex}> Tj ET`)));
    const v = await run('mincho.pdf', await doc.save(), parseFilePolicy({}), { ...deps, rasterizer: new PdfiumRasterizer({ workers: 2 }) });
    expect(reconstructDetail(v)).toMatch(/page 1 has CJK text in a font the PDF does not embed, so pages 1-1 by the fallback renderer/);
    expect(inkShare(await renderFirstPage(output(v)))).toBeGreaterThan(0.002);
    const refused = await run('mincho.pdf', await doc.save(), parseFilePolicy({}), { ...deps, rasterizer: new PdfiumRasterizer({ workers: 1, fallback: null }) });
    expect(refused).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
  }, 60_000);

  it('leaves out JavaScript, OpenAction, Launch and URI links, attachments and the form, and says so', async () => {
    const v = await run('hostile.pdf', await activePdf());
    const out = output(v);
    const after = await pdfKeyNames(out);
    for (const k of ['OpenAction', 'AA', 'JavaScript', 'JS', 'Annots', 'URI', 'Launch', 'EmbeddedFiles', 'EmbeddedFile', 'AcroForm', 'Names', 'Metadata', 'Outlines', 'XFA']) {
      expect(after.keys, k).not.toContain(k);
    }
    expect(after.trailer).not.toContain('Info');
    expect(Buffer.from(out).includes('pwned')).toBe(false);
    expect(Buffer.from(out).includes('cmd.exe')).toBe(false);
    expect(v.verdict === 'sanitized' && v.changes).toContainEqual({ kind: 'pdf-content-removed', javascript: 1, attachments: 1, annotations: 3, form: true });
    expect(await pdfText(out)).toContain('Active content test page');
  }, 60_000);

  it('refuses a corrupt PDF as malformed', async () => {
    const pdf = await textPdf(1);
    const broken = new Uint8Array([...pdf.subarray(0, 40), ...new Uint8Array(200).fill(0x20)]);
    expect(await run('broken.pdf', broken)).toMatchObject({ verdict: 'blocked', reason: 'malformed' });
  });

  it('refuses huge page dimensions before rendering anything', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([14_400, 14_400]);
    const v = await run('huge.pdf', await doc.save());
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'too-many-pixels' });
  });

  it('refuses more pages than allowed', async () => {
    expect(await run('long.pdf', await textPdf(4), parseFilePolicy({ maxPages: 3 }))).toMatchObject({ verdict: 'blocked', reason: 'too-many-pages' });
  });

  it('stops a decompression bomb at the per-page time limit and reports it', async () => {
    // ~40 MB of path operators behind a ~100 KB Flate stream: far too slow to draw in 1.5 s.
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const ops = Buffer.alloc(40 * 1024 * 1024, '1 1 m 590 830 l 2 830 l 590 1 l S\n');
    const stream = doc.context.flateStream(new Uint8Array(0));
    const raw = PDFRawStream.of(stream.dict, deflateSync(ops, { level: 9 }));
    page.node.set(PDFName.of('Contents'), doc.context.register(raw));
    const v = await run('bomb.pdf', await doc.save(), parseFilePolicy({}), depsWith({ pageTimeoutMs: 1500 }));
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'timeout' });
    expect(v.verdict === 'blocked' && v.detail).toMatch(/page 1 not rendered within 1500 ms/);
  }, 60_000);

  it('refuses or rebuilds a pixel bomb (a 60000×60000 image) within the memory cap, without hanging', async () => {
    const doc = await PDFDocument.create();
    const page = doc.addPage([595, 842]);
    const img = doc.context.register(
      PDFRawStream.of(doc.context.obj({ Type: 'XObject', Subtype: 'Image', Width: 60_000, Height: 60_000, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Filter: 'FlateDecode' }), deflateSync(Buffer.alloc(8 * 1024 * 1024))),
    );
    page.node.setXObject(PDFName.of('Bomb'), img);
    const content = doc.context.register(doc.context.flateStream('q 595 0 0 842 0 0 cm /Bomb Do Q'));
    page.node.set(PDFName.of('Contents'), content);
    const t0 = Date.now();
    const v = await run('pixels.pdf', await doc.save(), parseFilePolicy({ workerMemoryMb: 256 }), depsWith({ pageTimeoutMs: 10_000 }));
    expect(Date.now() - t0).toBeLessThan(40_000);
    if (v.verdict === 'blocked') expect(['too-many-pixels', 'timeout', 'malformed']).toContain(v.reason);
    else expect((await pdfKeyNames(v.output.bytes)).pages).toBe(1);
  }, 60_000);

  it('refuses the file when the whole-file time limit passes, and leaves no worker behind', async () => {
    const v = await run('slow.pdf', await textPdf(30), parseFilePolicy({ timeouts: { renderMs: 1 } }));
    expect(v).toMatchObject({ verdict: 'blocked', reason: 'timeout' });
    // The next file gets fresh workers and succeeds.
    expect(output(await run('next.pdf', await textPdf(2)))).toBeInstanceOf(Uint8Array);
  }, 60_000);

  it('uses poppler instead when configured (KEKKAI_PDF_RENDERER=poppler)', async () => {
    expect((await createDefaultDeps({ clamdAddress: '/nonexistent', pdfRenderer: 'poppler', sofficeCandidates: [] })).rasterizer).toBeInstanceOf(PopplerRasterizer);
    expect((await createDefaultDeps({ clamdAddress: '/nonexistent', sofficeCandidates: [] })).rasterizer).toBeInstanceOf(PdfiumRasterizer);
  });
});
