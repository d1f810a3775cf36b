import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LimitedRunResult } from './limited-process.js';
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

/** Rendered pages, as PNG files in page order. */
export interface RasterizedPdf {
  pagePaths: string[];
  dpi: number;
  /** How the worker was confined, for the audit trail. */
  isolation: string;
}

/** Port for "turn a hostile PDF into page pixels outside this process". */
export interface PdfRasterizer {
  rasterize(pdf: Uint8Array, opts: RasterizeOptions): Promise<Outcome<RasterizedPdf>>;
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

/**
 * Poppler's pdftoppm/pdfinfo (GPL-2/3 programs run as separate processes, so their
 * licence does not extend to kekkai) in a {@link runLimited} worker.
 */
export class PopplerRasterizer implements PdfRasterizer {
  async rasterize(pdf: Uint8Array, o: RasterizeOptions): Promise<Outcome<RasterizedPdf>> {
    const input = join(o.workDir, 'input.pdf');
    await writeFile(input, pdf, { mode: 0o600 });
    const run = (cmd: string, args: string[], timeoutMs: number): Promise<LimitedRunResult> =>
      runLimited({ command: cmd, args, cwd: o.workDir, timeoutMs, memoryBytes: o.memoryBytes, maxFileBytes: 512 * 1024 * 1024 });
    const infoTimeout = Math.min(o.timeoutMs, 30_000);
    const info = await run('pdfinfo', [input], infoTimeout);
    if (!info.ok) return { ok: false, block: workerFailure('pdfinfo', info) };
    const pages = Number(/^Pages:\s+(\d+)/m.exec(info.stdout)?.[1] ?? NaN);
    if (!Number.isInteger(pages) || pages < 1) return refuse('malformed', 'pdfinfo: no pages');
    if (pages > o.maxPages) return refuse('too-many-pages', `${pages} pages > ${o.maxPages}`);
    const sizes = await run('pdfinfo', ['-f', '1', '-l', String(pages), input], infoTimeout);
    if (!sizes.ok) return { ok: false, block: workerFailure('pdfinfo', sizes) };
    const dpi = fitDpi(o.dpi, largestPageArea(sizes.stdout), o.maxPixels);
    if (dpi === null) return refuse('too-many-pixels', `largest page exceeds ${o.maxPixels} pixels even at ${MIN_DPI} dpi`);
    const out = join(o.workDir, 'page');
    const render = await run('pdftoppm', ['-r', String(dpi), '-png', input, out], o.timeoutMs);
    if (!render.ok) return { ok: false, block: workerFailure('pdftoppm', render) };
    const files = (await readdir(o.workDir)).filter((f) => /^page-\d+\.png$/.test(f)).sort();
    if (files.length !== pages) return refuse('malformed', `pdftoppm rendered ${files.length} of ${pages} pages`);
    return pass({ pagePaths: files.map((f) => join(o.workDir, f)), dpi, isolation: render.isolation });
  }
}
