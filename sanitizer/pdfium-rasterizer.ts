import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PageConsumer, PdfRasterizer, PdfRemovedItems, RasterizeOptions, RasterizedPdf } from './pdf-rasterizer.js';
import { PopplerRasterizer } from './pdf-rasterizer.js';
import type { RawPage } from './pdf-rebuilder.js';
import type { PdfiumBoot, PdfiumJob, PdfiumMessage } from './pdfium-worker.js';
import { pdfiumWorkerMain } from './pdfium-worker.js';
import type { Outcome } from './verdict.js';
import { pass, refuse } from './verdict.js';

/** Limits of the PDFium workers beyond {@link RasterizeOptions}. */
export interface PdfiumOptions {
  /** Workers per file (pages are split between them); default: cores, at most 4. */
  workers?: number;
  /** Longest a single page may take to render and extract; default 20 s. */
  pageTimeoutMs?: number;
  /** JavaScript heap cap of each worker (resourceLimits); default 128 MiB. */
  heapMb?: number;
  /** Extract each page's text for the invisible text layer; default true. */
  text?: boolean;
  /** Grey pages: 4-bit grey unless its compressed image exceeds this, then 2-bit; default 72 KiB. */
  greyBudgetBytes?: number;
  /**
   * Renderer for PDFs whose Japanese (CJK) text uses fonts the file does not embed: this
   * PDFium build has no system fonts and would leave that text out. Default: poppler
   * (fontconfig, poppler-data, fonts-noto-cjk); null refuses such files (`malformed`).
   */
  fallback?: PdfRasterizer | null;
}

const MIN_DPI = 50;
const require = createRequire(import.meta.url);
const gluePath = require.resolve('@embedpdf/pdfium');
const GLUE_URL = pathToFileURL(gluePath.replace(/index\.cjs$/, 'index.js')).href;
const WASM_PATH = gluePath.replace(/index\.cjs$/, 'pdfium.wasm');

let compiled: Promise<WebAssembly.Module> | null = null;
/** The wasm is compiled once per process and handed to each (fresh) worker. */
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(WASM_PATH).then((b) => WebAssembly.compile(b));
  return compiled;
}

// \`__name\`: the helper esbuild (tsx, vitest) inserts into transpiled functions that keep their names.
const WORKER_SOURCE = `const { parentPort, workerData } = require('node:worker_threads');
var __name = (f) => f;
const nextJob = () => new Promise((resolve) => parentPort.once('message', resolve));
(${pdfiumWorkerMain.toString()})(parentPort, workerData, require('node:zlib'), (u) => import(u), nextJob).catch((e) => parentPort.postMessage({ type: 'refuse', reason: 'malformed', detail: 'pdfium: ' + (e && e.message || e) }));`;

/**
 * PDFium (WebAssembly, @embedpdf/pdfium, MIT) in worker threads: one set of fresh workers
 * per file, pages split between them, each with a JavaScript heap cap, a wasm heap cap,
 * no filesystem (see pdfium-worker.ts), a time limit per page and per file. A worker that
 * overruns is terminated and the file refused with reason `timeout`.
 */
export class PdfiumRasterizer implements PdfRasterizer {
  private readonly workers: number;
  private readonly pageTimeoutMs: number;
  private readonly heapMb: number;
  private readonly text: boolean;
  private readonly greyBudgetBytes: number;
  private readonly fallback: PdfRasterizer | null;
  /**
   * Fresh workers with PDFium already loaded, none of which has seen a file yet: loading
   * the glue and instantiating the wasm takes a few hundred milliseconds, which would
   * otherwise start every file. Each is used for one file and terminated.
   */
  private spare: { worker: Worker; memoryBytes: number; ready: Promise<boolean> }[] = [];

  constructor(o: PdfiumOptions = {}) {
    this.workers = Math.max(1, o.workers ?? Math.min(4, availableParallelism()));
    this.pageTimeoutMs = o.pageTimeoutMs ?? 20_000;
    this.heapMb = o.heapMb ?? 128;
    this.text = o.text ?? true;
    this.greyBudgetBytes = o.greyBudgetBytes ?? 72 * 1024;
    this.fallback = o.fallback === undefined ? new PopplerRasterizer() : o.fallback;
  }

  /** Render every page (grey pages pre-packed, with its text); pages reach `onPage` in order. */
  async rasterize(pdf: Uint8Array, o: RasterizeOptions, onPage: PageConsumer): Promise<Outcome<RasterizedPdf>> {
    const started = Date.now();
    let delivered = 0;
    const fonts: { detail: string | null } = { detail: null };
    const r = await this.render(pdf, o, fonts, async (p, i) => {
      await onPage(p, i);
      delivered = i + 1;
    });
    if (fonts.detail === null) return r;
    if (!this.fallback) return refuse('malformed', `${fonts.detail}; no fallback renderer`);
    // Pages already handed on were checked and are kept; the fallback renders the rest.
    const keep = delivered;
    const fb = await this.fallback.rasterize(pdf, { ...o, timeoutMs: Math.max(1, o.timeoutMs - (Date.now() - started)) }, async (p, i) => {
      if (i >= keep) await onPage(p, i);
    });
    if (!fb.ok) return fb;
    return pass({ ...fb.value, isolation: `${keep > 0 ? `pages 1-${keep} by pdfium; ` : ''}${fonts.detail}, so pages ${keep + 1}-${fb.value.pages} by the fallback renderer without text layer [${fb.value.isolation}]` });
  }

  private spawn(memoryBytes: number, wasm: WebAssembly.Module): { worker: Worker; memoryBytes: number; ready: Promise<boolean> } {
    const boot: PdfiumBoot = { glueUrl: GLUE_URL, wasm, memoryBytes };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: boot,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 16 },
      env: {},
      stdin: false,
      stdout: true,
      stderr: true,
    });
    const ready = new Promise<boolean>((resolve) => {
      worker.once('message', (m: PdfiumMessage) => resolve(m.type === 'ready'));
      worker.once('error', () => resolve(false));
      worker.once('exit', () => resolve(false));
    });
    return { worker, memoryBytes, ready };
  }

  /** `count` fresh workers for one file: spares first (when their heap cap matches), new ones for the rest. */
  private take(count: number, memoryBytes: number, wasm: WebAssembly.Module): { worker: Worker; ready: Promise<boolean> }[] {
    const out: { worker: Worker; ready: Promise<boolean> }[] = [];
    for (const s of this.spare.splice(0)) {
      if (out.length < count && s.memoryBytes === memoryBytes) {
        s.worker.ref();
        out.push(s);
      } else void s.worker.terminate();
    }
    while (out.length < count) out.push(this.spawn(memoryBytes, wasm));
    return out;
  }

  /** Prepare spares for the next file; they hold no file and do not keep the process alive. */
  private refill(memoryBytes: number, wasm: WebAssembly.Module): void {
    while (this.spare.length < this.workers) {
      const s = this.spawn(memoryBytes, wasm);
      s.worker.unref();
      s.worker.on('error', () => undefined);
      this.spare.push(s);
    }
  }

  /** Terminate the spare workers (tests, shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled(this.spare.splice(0).map((s) => s.worker.terminate()));
  }

  private async render(pdf: Uint8Array, o: RasterizeOptions, fonts: { detail: string | null }, onPage: PageConsumer): Promise<Outcome<RasterizedPdf>> {
    const wasm = await wasmModule();
    const count = this.workers;
    const workers: Worker[] = [];
    const ready = new Map<number, RawPage>();
    let next = 0;
    let pages = -1;
    let dpi = o.dpi;
    const removed: PdfRemovedItems = { javascript: 0, attachments: 0, annotations: 0, form: false };
    let consuming = Promise.resolve();
    const fileDeadline = Date.now() + o.timeoutMs;

    const result = await new Promise<Outcome<RasterizedPdf>>((resolve) => {
      let settled = false;
      const timers = new Map<number, NodeJS.Timeout>();
      const end = (r: Outcome<RasterizedPdf>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(fileTimer);
        for (const t of timers.values()) clearTimeout(t);
        resolve(r);
      };
      const fileTimer = setTimeout(() => end(refuse('timeout', `pdfium: file not rendered within ${o.timeoutMs} ms`)), Math.max(1, fileDeadline - Date.now()));
      const drain = (): void => {
        consuming = consuming.then(async () => {
          while (!settled && ready.has(next)) {
            const p = ready.get(next)!;
            ready.delete(next);
            await onPage(p, next);
            next++;
          }
          if (!settled && pages > 0 && next === pages) end(pass({ pages, dpi, isolation: `pdfium wasm in ${count} worker thread(s), wasm heap ≤ ${Math.round(o.memoryBytes / 2 ** 20)} MiB, JS heap ≤ ${this.heapMb} MiB, no filesystem`, removed }));
        }).catch((e: unknown) => end(refuse('conversion-failed', `page consumer: ${e instanceof Error ? e.message : String(e)}`)));
      };
      const taken = this.take(count, o.memoryBytes, wasm);
      for (let k = 0; k < count; k++) {
        const job: PdfiumJob = {
          pdf: new Uint8Array(pdf), // a copy per worker (Buffer.slice would share, and transfer would detach, the caller's bytes)
          shareIndex: k,
          shareCount: count,
          dpi: o.dpi,
          minDpi: MIN_DPI,
          maxPages: o.maxPages,
          maxPixels: o.maxPixels,
          text: this.text,
          greyBudgetBytes: this.greyBudgetBytes,
        };
        const { worker: w, ready: loaded } = taken[k]!;
        void loaded.then((ok) => {
          if (!ok) end(refuse('conversion-failed', 'pdfium worker could not load PDFium'));
          else if (!settled) w.postMessage(job, [job.pdf.buffer as ArrayBuffer]);
        });
        workers.push(w);
        w.on('message', (m: PdfiumMessage) => {
          if (settled) return;
          switch (m.type) {
            case 'info':
              pages = m.pages;
              dpi = m.dpi;
              Object.assign(removed, { javascript: m.javascript, attachments: m.attachments, form: m.form });
              break;
            case 'refuse':
              end(refuse(m.reason, m.detail));
              break;
            case 'page-start':
              clearTimeout(timers.get(k));
              timers.set(k, setTimeout(() => end(refuse('timeout', `pdfium: page ${m.index + 1} not rendered within ${this.pageTimeoutMs} ms`)), this.pageTimeoutMs));
              break;
            case 'page':
              clearTimeout(timers.get(k));
              removed.annotations += m.annotations;
              ready.set(m.index, {
                data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength),
                width: m.width,
                height: m.height,
                channels: m.channels,
                dpi: m.dpi,
                ...(m.greyBits ? { packedGreyBits: m.greyBits } : { colour: true }),
                ...(m.codes.length > 0 ? { text: { codes: m.codes, boxes: m.boxes } } : {}),
              });
              drain();
              break;
            case 'done':
            case 'ready':
              break;
            case 'needs-system-fonts':
              fonts.detail = `page ${m.index + 1} has CJK text in a font the PDF does not embed`;
              end(refuse('malformed', fonts.detail));
              break;
          }
        });
        w.on('error', (e) => end(refuse(/memory/i.test(e.message) ? 'too-many-pixels' : 'malformed', `pdfium worker: ${e.message}`)));
        w.on('exit', (code) => {
          if (code !== 0) end(refuse('malformed', `pdfium worker exited with code ${code}`));
        });
      }
    });
    // Workers are never reused: each file gets fresh ones, terminated here whatever happened.
    await Promise.allSettled(workers.map((w) => w.terminate()));
    this.refill(o.memoryBytes, wasm);
    await consuming;
    return result;
  }
}
