import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream } from 'pdf-lib';
import sharp from 'sharp';

const exec = promisify(execFile);

/** Run fn with a temporary directory that is removed afterwards. */
export async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'kekkai-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Render page 1 of a PDF to greyscale raw pixels at a fixed size (test-side check only). */
export async function renderFirstPage(pdf: Uint8Array): Promise<Buffer> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, 'in.pdf'), pdf);
    await exec('pdftoppm', ['-r', '60', '-gray', '-png', '-f', '1', '-l', '1', '-singlefile', join(dir, 'in.pdf'), join(dir, 'p')]);
    return sharp(await readFile(join(dir, 'p.png'))).resize(400, 566, { fit: 'fill' }).greyscale().raw().toBuffer();
  });
}

/** Text poppler extracts from a PDF. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, 'in.pdf'), pdf);
    return (await exec('pdftotext', [join(dir, 'in.pdf'), '-'])).stdout;
  });
}

/** Share of dark pixels (ink) in a grey raw buffer. */
export const inkShare = (grey: Buffer): number => grey.filter((v) => v < 128).length / grey.length;

/** Mean absolute difference of two grey raw buffers of the same size. */
export function meanDiff(a: Buffer, b: Buffer): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - (b[i] ?? 0));
  return d / a.length;
}

/**
 * Every key name used by any dictionary in the PDF, plus the trailer's keys. Parsing the
 * output with pdf-lib here is a test-side check; the sanitizer itself never parses input with it.
 */
export async function pdfKeyNames(pdf: Uint8Array): Promise<{ keys: Set<string>; trailer: string[]; pages: number }> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const keys = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 20) return;
    if (v instanceof PDFName) keys.add(v.asString().slice(1));
    else if (v instanceof PDFArray) v.asArray().forEach((x) => walk(x, depth + 1));
    else if (v instanceof PDFStream || v instanceof PDFRawStream) walk(v.dict, depth + 1);
    else if (v instanceof PDFDict) {
      for (const [k, x] of v.entries()) {
        keys.add(k.asString().slice(1));
        walk(x, depth + 1);
      }
    }
  };
  for (const [, obj] of doc.context.enumerateIndirectObjects()) walk(obj, 0);
  const trailer = Object.keys(doc.context.trailerInfo).filter((k) => (doc.context.trailerInfo as Record<string, unknown>)[k] !== undefined);
  return { keys, trailer, pages: doc.getPageCount() };
}

/** Print an HTML string to PDF with the system Chromium (for Japanese fixtures with real fonts). */
export async function htmlToPdf(html: string): Promise<Uint8Array> {
  return withTmp(async (dir) => {
    await writeFile(join(dir, 'in.html'), html);
    await exec('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--user-data-dir=${join(dir, 'profile')}`, `--print-to-pdf=${join(dir, 'out.pdf')}`, `file://${join(dir, 'in.html')}`], { timeout: 60_000 });
    return readFile(join(dir, 'out.pdf'));
  });
}
