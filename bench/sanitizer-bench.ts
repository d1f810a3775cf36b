/**
 * Sanitizer throughput (issues 4 and 14): a dense 80-page Japanese text PDF rebuilt at
 * 150 dpi with PDFium (text layer on) and with the poppler fallback, side by side in the
 * same run with a pixels-to-PDF reference done the way Dangerzone does it (PyMuPDF from
 * Debian's python3-fitz: render each page to pixels, build a PDF from them; see
 * pixels-to-pdf-reference.py); images re-encoded per second; MB/s through clamd. Needs a
 * private clamd (started like the integration tests do); skipped gracefully when it
 * cannot start. The reference is skipped (with the reason) without /usr/bin/python3 + fitz.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { PdfBuilder } from '../sanitizer/pdf-rebuilder.js';
import { ClamdScanner, PdfiumRasterizer, PopplerRasterizer, parseFilePolicy, sanitize, type FilePolicy, type SanitizerDeps, type Verdict } from '../sanitizer/index.js';
import { startPrivateClamd } from '../test/integration/sanitizer/private-clamd.js';
import { htmlToPdf } from '../test/integration/sanitizer/render-helpers.js';

/** One PDF rebuild method timed on the benchmark PDF. */
export interface PdfRun {
  pages: number;
  /** Wall time of each timed round (after one warm-up), seconds. */
  seconds: number[];
  /** Pages ÷ mean seconds. */
  pagesPerSec: number;
  outputKiBPerPage: number;
  /** pdftotext found the check phrase in the output. */
  searchable: boolean;
}

export interface SanitizerResult {
  skipped?: string;
  pdfPages?: number;
  pdfSeconds?: number;
  /** PDFium (default renderer) with the text layer. */
  pdfPagesPerSec?: number;
  pdfOutputKiBPerPage?: number;
  pdfInputKiB?: number;
  pdfium?: PdfRun;
  poppler?: PdfRun;
  /** Pixels-to-PDF with PyMuPDF (Dangerzone's method); a string says why it was skipped. */
  reference?: PdfRun | string;
  /** PDFium render + rebuild alone (no clamd scans, no type checks): the same work the reference does. */
  pdfiumRebuildOnly?: PdfRun;
  imagesPerSec?: number;
  imageSize?: string;
  scannerMBPerSec?: number;
  scannerPayloadMB?: number;
}

const PARAGRAPH = '病院の電子カルテを守るため、インターネット閲覧は分離された環境で行います。職員は薬剤情報や学会のガイドラインを安全に参照できます。診療情報提供書、検査結果、投薬の注意事項を確認してください。';

function japaneseHtml(pages: number): string {
  const page = (n: number): string =>
    `<section style="page-break-after:always"><h1>医療情報システムの安全管理 第${n}章</h1>${Array.from({ length: 9 }, (_, i) => `<p>${n}-${i + 1}．${PARAGRAPH}</p>`).join('')}</section>`;
  return `<!doctype html><meta charset="utf-8"><body style="font-family:'Noto Sans CJK JP',sans-serif;font-size:15px;line-height:1.7">${Array.from({ length: pages }, (_, i) => page(i + 1)).join('')}</body>`;
}

/** A photo-like JPEG (noise over a gradient), so re-encoding has real work to do. */
async function photoJpeg(width: number, height: number): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = ((i * 7919 + (i >> 9) * 31) ^ (i >> 3)) & 0xff;
  return sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}

const exec = promisify(execFile);
/**
 * The same pause before every timed call, whatever the method: files reach a gateway
 * apart, and the PDFium rasterizer uses such gaps to load its spare workers.
 */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1000));
const PHRASE = '診療情報提供書、検査結果、投薬の注意事項';
const ROUNDS = 2;

async function searchable(pdf: Uint8Array, dir: string): Promise<boolean> {
  const file = path.join(dir, 'check.pdf');
  await writeFile(file, pdf);
  return (await exec('pdftotext', [file, '-'], { maxBuffer: 64 * 2 ** 20 })).stdout.replace(/\s/g, '').includes(PHRASE);
}

function pdfRun(pages: number, seconds: number[], bytes: number, found: boolean): PdfRun {
  const mean = seconds.reduce((a, b) => a + b, 0) / seconds.length;
  return { pages, seconds, pagesPerSec: pages / mean, outputKiBPerPage: bytes / pages / 1024, searchable: found };
}

/** One timed sanitize() of the PDF; the verdict must be sanitized. */
async function timedSanitize(pdf: Uint8Array, policy: FilePolicy, deps: SanitizerDeps): Promise<{ seconds: number; v: Extract<Verdict, { verdict: 'sanitized' }> }> {
  await settle();
  const t0 = performance.now();
  const v = await sanitize({ name: '安全管理.pdf', bytes: pdf }, policy, deps);
  const seconds = (performance.now() - t0) / 1000;
  if (v.verdict !== 'sanitized') throw new Error(`PDF blocked: ${v.reason}: ${v.detail}`);
  return { seconds, v };
}

/** The PyMuPDF reference on the same PDF, in its own process (one core, as Dangerzone's converter). */
async function referenceRun(file: string, dir: string): Promise<{ seconds: number; bytes: number; pages: number }> {
  await settle();
  const out = path.join(dir, 'reference.pdf');
  const script = path.join(import.meta.dirname, 'pixels-to-pdf-reference.py');
  const r = await exec('/usr/bin/python3', [script, file, out, '150'], { timeout: 600_000 });
  const j = JSON.parse(r.stdout) as { pages: number; seconds: number };
  return { seconds: j.seconds, bytes: (await readFile(out)).length, pages: j.pages };
}

/** PDFium rendering and the pdf-lib rebuild alone, as reconstruct.ts runs them (no scans). */
async function rebuildOnly(rasterizer: PdfiumRasterizer, pdf: Uint8Array, policy: FilePolicy, dir: string): Promise<{ seconds: number; bytes: Uint8Array }> {
  await settle();
  const t0 = performance.now();
  const builder = await PdfBuilder.create();
  const r = await rasterizer.rasterize(
    pdf,
    { workDir: dir, dpi: policy.pdfDpi, maxPages: policy.maxPages, maxPixels: policy.maxPixels, timeoutMs: policy.timeouts.renderMs, memoryBytes: policy.workerMemoryMb * 2 ** 20 },
    async (page) => {
      await builder.addPage(page);
    },
  );
  if (!r.ok) throw new Error(`PDFium: ${r.block.reason}: ${r.block.detail}`);
  const bytes = await builder.save();
  return { seconds: (performance.now() - t0) / 1000, bytes };
}

/**
 * PDFium, the PyMuPDF reference and poppler on the same PDF, alternating in rounds after
 * one warm-up each, so that a change in the machine's load hits all of them alike.
 */
async function comparePdf(pdf: Uint8Array, pages: number, scanner: ClamdScanner): Promise<Pick<SanitizerResult, 'pdfium' | 'poppler' | 'reference' | 'pdfiumRebuildOnly'>> {
  const policy = parseFilePolicy({});
  const pdfiumRasterizer = new PdfiumRasterizer();
  const alone = new PdfiumRasterizer();
  const pdfium: SanitizerDeps = { scanner, rasterizer: pdfiumRasterizer, officeConverter: null };
  const poppler: SanitizerDeps = { scanner, rasterizer: new PopplerRasterizer(), officeConverter: null };
  const dir = await mkdtemp(path.join(tmpdir(), 'kekkai-bench-'));
  try {
    const file = path.join(dir, 'input.pdf');
    await writeFile(file, pdf);
    let reference: string | null = null;
    try {
      await exec('/usr/bin/python3', ['-c', 'import fitz'], { timeout: 30_000 });
    } catch {
      reference = 'PyMuPDF not installed (apt-get install python3-fitz)';
    }
    await timedSanitize(pdf, policy, pdfium);
    await timedSanitize(pdf, policy, poppler);
    if (reference === null) await referenceRun(file, dir);
    await rebuildOnly(alone, pdf, policy, dir);
    const t: Record<'pdfium' | 'poppler' | 'reference' | 'rebuild', number[]> = { pdfium: [], poppler: [], reference: [], rebuild: [] };
    let rebuilt: Uint8Array = new Uint8Array();
    const last: Record<'pdfium' | 'poppler', Uint8Array> = { pdfium: new Uint8Array(), poppler: new Uint8Array() };
    let refBytes = 0;
    let refPages = pages;
    for (let i = 0; i < ROUNDS; i++) {
      const a = await timedSanitize(pdf, policy, pdfium);
      t.pdfium.push(a.seconds);
      last.pdfium = a.v.output.bytes;
      if (reference === null) {
        const r = await referenceRun(file, dir);
        t.reference.push(r.seconds);
        refBytes = r.bytes;
        refPages = r.pages;
      }
      const o = await rebuildOnly(alone, pdf, policy, dir);
      t.rebuild.push(o.seconds);
      rebuilt = o.bytes;
      const b = await timedSanitize(pdf, policy, poppler);
      t.poppler.push(b.seconds);
      last.poppler = b.v.output.bytes;
    }
    return {
      pdfium: pdfRun(pages, t.pdfium, last.pdfium.length, await searchable(last.pdfium, dir)),
      poppler: pdfRun(pages, t.poppler, last.poppler.length, await searchable(last.poppler, dir)),
      pdfiumRebuildOnly: pdfRun(pages, t.rebuild, rebuilt.length, await searchable(rebuilt, dir)),
      reference: reference ?? pdfRun(refPages, t.reference, refBytes, await searchable(await readFile(path.join(dir, 'reference.pdf')), dir)),
    };
  } finally {
    await Promise.all([pdfiumRasterizer.close(), alone.close()]);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function sanitizerBench(pages = 80): Promise<SanitizerResult> {
  let clamd;
  try {
    clamd = await startPrivateClamd();
  } catch (err) {
    return { skipped: `private clamd could not start: ${(err as Error).message}` };
  }
  try {
    const scanner = new ClamdScanner({ address: clamd.socket, timeoutMs: 120_000 });
    const deps: SanitizerDeps = { scanner, rasterizer: new PdfiumRasterizer(), officeConverter: null };
    const policy = parseFilePolicy({});

    const pdf = await htmlToPdf(japaneseHtml(pages));
    let compared: Awaited<ReturnType<typeof comparePdf>>;
    try {
      compared = await comparePdf(pdf, pages, scanner);
    } catch (err) {
      return { skipped: (err as Error).message };
    }
    const pdfium = compared.pdfium!;

    const jpeg = await photoJpeg(1600, 1200);
    const n = 20;
    const t1 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await sanitize({ name: `photo${i}.jpg`, bytes: jpeg }, policy, deps);
      if (r.verdict !== 'sanitized') return { skipped: `image blocked: ${r.reason}` };
    }
    const imagesPerSec = n / ((performance.now() - t1) / 1000);

    const payload = Buffer.alloc(64 * 2 ** 20);
    for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i);
    await scanner.scan(payload.subarray(0, 2 ** 20));
    const t2 = performance.now();
    const scan = await scanner.scan(payload);
    const scanSeconds = (performance.now() - t2) / 1000;
    if (scan.status !== 'clean') return { skipped: `scanner: ${scan.status}` };

    return {
      pdfPages: pages,
      pdfSeconds: pages / pdfium.pagesPerSec,
      pdfPagesPerSec: pdfium.pagesPerSec,
      pdfOutputKiBPerPage: pdfium.outputKiBPerPage,
      pdfInputKiB: pdf.length / 1024,
      ...compared,
      imagesPerSec,
      imageSize: '1600×1200 JPEG',
      scannerMBPerSec: payload.length / 2 ** 20 / scanSeconds,
      scannerPayloadMB: payload.length / 2 ** 20,
    };
  } finally {
    await clamd.stop();
  }
}
