import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { LimitedRunResult } from './limited-process.js';
import type { RawPage } from './pdf-rebuilder.js';
import { runLimited } from './limited-process.js';
import type { Block, Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** Limits for one rasterization. */
export interface RasterizeOptions {
  /** Empty private directory the rasterizer may use (and leave files in). */
  workDir: string;
  dpi: number;
  maxPages: number;
  /** Pixels per page; the DPI is lowered (not below 50) to fit large pages. */
  maxPixels: number;
  timeoutMs: number;
  memoryBytes: number;
}

/** Summary of a finished rasterization. */
export interface RasterizedPdf {
  pages: number;
  dpi: number;
  /** How the worker was confined, for the audit trail. */
  isolation: string;
  /** What the input held that the rebuilt PDF leaves out (PDFium reports it; poppler does not). */
  removed?: PdfRemovedItems;
}

/** Active or hidden content of an input PDF, none of which reaches the output. */
export interface PdfRemovedItems {
  /** Document-level JavaScript actions. */
  javascript: number;
  /** Embedded files. */
  attachments: number;
  /** Annotations (links, form fields, comments): their look is in the page image, nothing else. */
  annotations: number;
  /** An interactive form (AcroForm or XFA). */
  form: boolean;
}

/** Receives each page, in order, as soon as it is rendered. */
export type PageConsumer = (page: RawPage, index: number) => Promise<void>;

/** Port for "turn a hostile PDF into page pixels outside this process". */
export interface PdfRasterizer {
  rasterize(pdf: Uint8Array, opts: RasterizeOptions, onPage: PageConsumer): Promise<Outcome<RasterizedPdf>>;
}

const MIN_DPI = 50;

function workerFailure(step: string, r: Extract<LimitedRunResult, { ok: false }>): Block {
  if (r.kind === 'timeout') return { reason: 'timeout', detail: `${step}: ${r.detail}` };
  if (/password/i.test(r.stderr)) return { reason: 'encrypted', detail: `${step}: password-protected PDF` };
  if (r.kind === 'spawn-error') return { reason: 'conversion-failed', detail: `${step}: ${r.detail}` };
  return { reason: 'malformed', detail: `${step}: ${r.detail}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` };
}

/** Largest page area in square points, from `pdfinfo -f 1 -l N` output. */
export function largestPageArea(pdfinfoOutput: string): number {
  let max = 0;
  for (const m of pdfinfoOutput.matchAll(/^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts/gm)) {
    max = Math.max(max, Number(m[1]) * Number(m[2]));
  }
  return max;
}

/** Pick a DPI so that the largest page fits in maxPixels; null when even MIN_DPI does not. */
export function fitDpi(dpi: number, areaPt2: number, maxPixels: number): number | null {
  const pixels = (areaPt2 * dpi * dpi) / (72 * 72);
  if (pixels <= maxPixels) return dpi;
  const fitted = Math.floor(dpi * Math.sqrt(maxPixels / pixels));
  return fitted >= MIN_DPI ? fitted : null;
}

/** Parse the binary PPM (P6) or PGM (P5) that pdftoppm writes. */
export function parsePnm(buf: Buffer, dpi: number): RawPage | null {
  const m = /^P([56])\s+(\d+)\s+(\d+)\s+255\s/.exec(buf.subarray(0, 64).toString('latin1'));
  if (!m) return null;
  const channels = m[1] === '6' ? 3 : 1;
  const width = Number(m[2]);
  const height = Number(m[3]);
  const data = buf.subarray(m[0].length);
  if (data.length !== width * height * channels) return null;
  return { data, width, height, channels, dpi };
}

const CHUNK_PAGES = 4;

/**
 * Poppler's pdftoppm/pdfinfo (GPL-2/3 programs run as separate processes, so their
 * licence does not extend to kekkai) in {@link runLimited} workers. Pages are rendered
 * as raw PPM in chunks of a few pages, `workers` chunks ahead of the one being consumed, and handed
 * to the consumer in order; each chunk's files are deleted as soon as they are read.
 */
export class PopplerRasterizer implements PdfRasterizer {
  constructor(private readonly workers = Math.max(1, Math.min(2, availableParallelism()))) {}

  async rasterize(pdf: Uint8Array, o: RasterizeOptions, onPage: PageConsumer): Promise<Outcome<RasterizedPdf>> {
    const deadline = Date.now() + o.timeoutMs;
    const input = join(o.workDir, 'input.pdf');
    await writeFile(input, pdf, { mode: 0o600 });
    const run = (cmd: string, args: string[]): Promise<LimitedRunResult> =>
      runLimited({ command: cmd, args, cwd: o.workDir, timeoutMs: Math.max(1, deadline - Date.now()), memoryBytes: o.memoryBytes, maxFileBytes: 512 * 1024 * 1024 });
    const info = await run('pdfinfo', [input]);
    if (!info.ok) return { ok: false, block: workerFailure('pdfinfo', info) };
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1] ?? NaN);
    if (!Number.isInteger(pages) || pages < 1) return refuse('malformed', 'pdfinfo: no pages');
    if (pages > o.maxPages) return refuse('too-many-pages', `${pages} pages > ${o.maxPages}`);
    const sizes = await run('pdfinfo', ['-f', '1', '-l', String(pages), input]);
    if (!sizes.ok) return { ok: false, block: workerFailure('pdfinfo', sizes) };
    const dpi = fitDpi(o.dpi, largestPageArea(sizes.stdout), o.maxPixels);
    if (dpi === null) return refuse('too-many-pixels', `largest page exceeds ${o.maxPixels} pixels even at ${MIN_DPI} dpi`);

    const chunks: { first: number; last: number; dir: string }[] = [];
    for (let first = 1; first <= pages; first += CHUNK_PAGES) {
      chunks.push({ first, last: Math.min(pages, first + CHUNK_PAGES - 1), dir: join(o.workDir, `chunk-${first}`) });
    }
    const started = new Map<number, Promise<LimitedRunResult>>();
    const start = (i: number): void => {
      const c = chunks[i];
      if (!c || started.has(i)) return;
      started.set(i, mkdir(c.dir).then(() => run('pdftoppm', ['-r', String(dpi), '-f', String(c.first), '-l', String(c.last), input, join(c.dir, 'p')])));
    };
    let isolation = info.isolation;
    try {
      for (let i = 0; i < chunks.length; i++) {
        for (let k = i; k <= i + this.workers; k++) start(k);
        const r = await started.get(i)!;
        if (!r.ok) return { ok: false, block: workerFailure('pdftoppm', r) };
        isolation = r.isolation;
        const c = chunks[i]!;
        const files = (await readdir(c.dir)).filter((f) => /^p-\d+\.ppm$/.test(f)).sort((a, b) => pageNo(a) - pageNo(b));
        if (files.length !== c.last - c.first + 1) return refuse('malformed', `pdftoppm rendered ${files.length} of pages ${c.first}-${c.last}`);
        for (const [j, f] of files.entries()) {
          const page = parsePnm(await readFile(join(c.dir, f)), dpi);
          if (!page) return refuse('conversion-failed', `pdftoppm wrote an unreadable page ${c.first + j}`);
          await onPage(page, c.first + j - 1);
        }
        await rm(c.dir, { recursive: true, force: true });
      }
    } finally {
      // Let still-running chunk workers finish (they are bounded by the deadline) before the work dir goes.
      await Promise.allSettled(started.values());
    }
    return pass({ pages, dpi, isolation });
  }
}

const pageNo = (f: string): number => Number(/(\d+)\.ppm$/.exec(f)?.[1] ?? 0);
