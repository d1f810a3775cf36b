/**
 * The code that runs inside one PDFium worker thread (see pdfium-rasterizer.ts).
 *
 * It is shipped to the worker as source text (`new Worker(code, { eval: true })`), so
 * {@link pdfiumWorkerMain} must be self-contained: it uses only its arguments and
 * JavaScript/Node globals, never anything imported by this module. That keeps one
 * TypeScript source for tests (vitest) and the compiled build without a second entry file.
 *
 * Confinement: the PDF bytes and the compiled WebAssembly module come in by message;
 * the wasm module's filesystem calls (open, stat, directory listing, unlink) are
 * answered "permission denied" and its heap cannot grow past `memoryBytes`, so a hostile
 * PDF reaches neither the host filesystem nor more memory than the policy grants. There
 * is no network import at all, and no JavaScript engine in this PDFium build.
 */

/** What a worker starts with (workerData): enough to load PDFium before any file arrives. */
export interface PdfiumBoot {
  /** file: URL of @embedpdf/pdfium's ES module (the JS glue around the wasm). */
  glueUrl: string;
  wasm: WebAssembly.Module;
  /** Cap of the wasm heap in bytes. */
  memoryBytes: number;
}

/** The one file a worker renders (sent by message once PDFium is loaded). */
export interface PdfiumJob {
  pdf: Uint8Array;
  /** This worker renders pages i with i % shareCount === shareIndex. */
  shareIndex: number;
  shareCount: number;
  dpi: number;
  minDpi: number;
  maxPages: number;
  maxPixels: number;
  text: boolean;
  /** Grey pages: 4-bit grey unless its Flate stream exceeds this, then 2-bit. */
  greyBudgetBytes: number;
}

/** Messages a worker posts to the parent. */
export type PdfiumMessage =
  /** PDFium is loaded; the worker waits for its one job. */
  | { type: 'ready' }
  | { type: 'info'; pages: number; dpi: number; javascript: number; attachments: number; form: boolean }
  | { type: 'refuse'; reason: 'malformed' | 'encrypted' | 'too-many-pages' | 'too-many-pixels'; detail: string }
  /**
   * The page draws Japanese/Chinese/Korean text with a font the PDF does not embed: this
   * PDFium has no system fonts, so it would draw nothing there. The parent hands the
   * file to its fallback renderer (poppler, with the system's fonts) instead.
   */
  | { type: 'needs-system-fonts'; index: number }
  | { type: 'page-start'; index: number }
  | {
      type: 'page';
      index: number;
      width: number;
      height: number;
      channels: 1 | 3;
      dpi: number;
      /** RGB pixels (colour pages), or the Flate-compressed packed grey samples. */
      data: Uint8Array;
      /** Set for grey pages: bits per packed sample of `data`. */
      greyBits?: 2 | 4;
      /** Annotations (links, form fields, comments…) on the page: drawn into the image, not kept. */
      annotations: number;
      /** Code points of the page's text, in reading order as PDFium extracted it. */
      codes: Uint32Array;
      /** Per code point: left, bottom, right, top in output points (origin bottom-left). */
      boxes: Float32Array;
    }
  | { type: 'done' };

/* eslint-disable @typescript-eslint/no-explicit-any -- the emscripten glue is untyped here on purpose (no imports) */
/**
 * Worker entry. `port` is worker_threads' parentPort, `job` its workerData, `zlib` node:zlib
 * (loaded by the worker's own code; the wasm module cannot reach it), `load` a dynamic
 * import (passed in: test transpilers rewrite `import()` inside function bodies) and
 * `nextJob` the one file this worker will ever see (it is terminated afterwards).
 * Self-contained: see the file comment.
 */
export async function pdfiumWorkerMain(
  port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void },
  boot: PdfiumBoot,
  zlib: { deflateSync(b: Uint8Array, o: { level: number }): Uint8Array },
  load: (url: string) => Promise<unknown>,
  nextJob: () => Promise<PdfiumJob>,
): Promise<void> {
  const post = (m: PdfiumMessage, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);
  const DENIED = -2; // -EACCES in emscripten's errno numbering
  /** Grey samples packed to `bits` per pixel, rows padded to a byte, rounded to the nearest level. */
  const levels: Record<number, Uint8Array> = {};
  for (const bits of [2, 4]) {
    const max = (1 << bits) - 1;
    levels[bits] = Uint8Array.from({ length: 256 }, (_, v) => Math.round((v * max) / 255));
  }
  const pack = (src: Uint8Array, width: number, height: number, stride: number, bits: 2 | 4): Uint8Array => {
    const lut = levels[bits]!;
    const perByte = 8 / bits;
    const rowBytes = Math.ceil(width / perByte);
    const out = new Uint8Array(rowBytes * height);
    const whole = Math.floor(width / perByte);
    for (let y = 0; y < height; y++) {
      let o = y * stride;
      let d = y * rowBytes;
      if (bits === 2) {
        for (let k = 0; k < whole; k++, o += 4) out[d++] = (lut[src[o]!]! << 6) | (lut[src[o + 1]!]! << 4) | (lut[src[o + 2]!]! << 2) | lut[src[o + 3]!]!;
      } else {
        for (let k = 0; k < whole; k++, o += 2) out[d++] = (lut[src[o]!]! << 4) | lut[src[o + 1]!]!;
      }
      if (whole < rowBytes) {
        let byte = 0;
        for (let k = 0; k < perByte; k++) byte = (byte << bits) | (whole * perByte + k < width ? lut[src[o++]!]! : lut[255]!);
        out[d] = byte;
      }
    }
    return out;
  };
  /** BGRx pixels to 8-bit grey (luma), `width` bytes per row. */
  const toGrey = (src: Uint8Array, width: number, height: number, stride: number): Uint8Array => {
    const out = new Uint8Array(width * height);
    for (let y = 0, d = 0; y < height; y++) {
      for (let o = y * stride, end = o + width * 4; o < end; o += 4) out[d++] = (src[o + 2]! * 77 + src[o + 1]! * 150 + src[o]! * 29) >> 8;
    }
    return out;
  };
  const mod: any = await load(boot.glueUrl);
  const lib: any = await mod.init({
    print: () => undefined,
    printErr: () => undefined,
    instantiateWasm(imports: any, done: (inst: WebAssembly.Instance) => void) {
      const env = imports.env;
      for (const name of ['__syscall_openat', '__syscall_stat64', '__syscall_lstat64', '__syscall_newfstatat', '__syscall_getdents64', '__syscall_unlinkat', '__syscall_rmdir']) {
        env[name] = () => DENIED;
      }
      const grow = env.emscripten_resize_heap;
      env.emscripten_resize_heap = (requested: number) => (requested >>> 0 > boot.memoryBytes ? 0 : grow(requested));
      WebAssembly.instantiate(boot.wasm, imports).then((inst) => done(inst));
      return {};
    },
  });
  const M = lib.pdfium;
  const malloc = (n: number): number => M.wasmExports.malloc(n);
  lib.PDFiumExt_Init();
  post({ type: 'ready' });
  const job = await nextJob();
  const buf = malloc(job.pdf.length);
  if (!buf) return post({ type: 'refuse', reason: 'malformed', detail: 'PDF does not fit in the worker memory' });
  M.HEAPU8.set(job.pdf, buf);
  const doc = lib.FPDF_LoadMemDocument(buf, job.pdf.length, '');
  if (!doc) {
    const e = lib.FPDF_GetLastError();
    if (e === 4) return post({ type: 'refuse', reason: 'encrypted', detail: 'pdfium: password-protected PDF' });
    return post({ type: 'refuse', reason: 'malformed', detail: `pdfium: cannot open the PDF (error ${e})` });
  }
  const pages = lib.FPDF_GetPageCount(doc);
  if (!(pages >= 1)) return post({ type: 'refuse', reason: 'malformed', detail: 'pdfium: no pages' });
  if (pages > job.maxPages) return post({ type: 'refuse', reason: 'too-many-pages', detail: `${pages} pages > ${job.maxPages}` });
  const sizePtr = malloc(32);
  let largest = 0;
  for (let i = 0; i < pages; i++) {
    if (!lib.FPDF_GetPageSizeByIndexF(doc, i, sizePtr)) return post({ type: 'refuse', reason: 'malformed', detail: `pdfium: no size for page ${i + 1}` });
    const w = M.HEAPF32[sizePtr >> 2];
    const h = M.HEAPF32[(sizePtr >> 2) + 1];
    if (!(w > 0 && h > 0)) return post({ type: 'refuse', reason: 'malformed', detail: `pdfium: page ${i + 1} has no area` });
    largest = Math.max(largest, w * h);
  }
  // Same rule as fitDpi() in pdf-rasterizer.ts (repeated: this function may import nothing).
  let dpi = job.dpi;
  const px = (largest * dpi * dpi) / (72 * 72);
  if (px > job.maxPixels) dpi = Math.floor(dpi * Math.sqrt(job.maxPixels / px));
  if (dpi < job.minDpi) return post({ type: 'refuse', reason: 'too-many-pixels', detail: `largest page exceeds ${job.maxPixels} pixels even at ${job.minDpi} dpi` });
  post({
    type: 'info',
    pages,
    dpi,
    javascript: Math.max(0, lib.FPDFDoc_GetJavaScriptActionCount(doc)),
    attachments: Math.max(0, lib.FPDFDoc_GetAttachmentCount(doc)),
    form: lib.FPDF_GetFormType(doc) > 0,
  });

  const rgba = malloc(16);
  /** True when a page object's fill or stroke is a clear (non-grey) colour. */
  const colourful = (obj: number): boolean => {
    for (const get of [lib.FPDFPageObj_GetFillColor, lib.FPDFPageObj_GetStrokeColor]) {
      if (!get(obj, rgba, rgba + 4, rgba + 8, rgba + 12)) continue;
      const r = M.HEAPU32[rgba >> 2];
      const g = M.HEAPU32[(rgba >> 2) + 1];
      const b = M.HEAPU32[(rgba >> 2) + 2];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 24) return true;
    }
    return false;
  };
  /**
   * Whether a page may show colour, from its objects (no rendering): coloured text or
   * paths, any image or shading, any annotation; very busy pages count as "may".
   */
  const mayHaveColour = (page: number): boolean => {
    if (lib.FPDFPage_GetAnnotCount(page) > 0) return true;
    let budget = 50_000;
    const scan = (count: number, get: (i: number) => number, depth: number): boolean => {
      for (let i = 0; i < count; i++) {
        if (--budget < 0) return true;
        const obj = get(i);
        const type = lib.FPDFPageObj_GetType(obj);
        if (type === 3 || type === 4) return true; // image, shading
        if (type === 5) {
          if (depth > 8 || scan(lib.FPDFFormObj_CountObjects(obj), (j) => lib.FPDFFormObj_GetObject(obj, j), depth + 1)) return true;
        } else if (colourful(obj)) return true;
      }
      return false;
    };
    return scan(lib.FPDFPage_CountObjects(page), (i) => lib.FPDFPage_GetObject(page, i), 0);
  };
  /** Whether rendered BGRx pixels hold clearly coloured ones (every other pixel and row). */
  const pixelsHaveColour = (src: Uint8Array, width: number, height: number, stride: number): boolean => {
    for (let y = 0; y < height; y += 2) {
      for (let o = y * stride, end = o + width * 4; o < end; o += 8) {
        const b = src[o]!;
        const g = src[o + 1]!;
        const r = src[o + 2]!;
        if (Math.max(r, g, b) - Math.min(r, g, b) > 24) return true;
      }
    }
    return false;
  };
  const rect = malloc(32);
  const dxy = malloc(8);
  for (let index = job.shareIndex; index < pages; index += job.shareCount) {
    post({ type: 'page-start', index });
    lib.FPDF_GetPageSizeByIndexF(doc, index, sizePtr);
    const width = Math.max(1, Math.round((M.HEAPF32[sizePtr >> 2] * dpi) / 72));
    const height = Math.max(1, Math.round((M.HEAPF32[(sizePtr >> 2) + 1] * dpi) / 72));
    const page = lib.FPDF_LoadPage(doc, index);
    if (!page) return post({ type: 'refuse', reason: 'malformed', detail: `pdfium: cannot load page ${index + 1}` });
    // Pages whose objects show no colour are rendered straight into an 8-bit grey bitmap
    // (half the time of a colour render); the others in colour, kept so if pixels say so.
    const tryColour = mayHaveColour(page);
    const bitmap = lib.FPDFBitmap_CreateEx(width, height, tryColour ? 4 : 1, 0, 0);
    if (!bitmap) return post({ type: 'refuse', reason: 'too-many-pixels', detail: `page ${index + 1}: no memory for ${width}x${height} pixels` });
    lib.FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xffffffff);
    lib.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, 0x01 /* FPDF_ANNOT */);
    const stride = lib.FPDFBitmap_GetStride(bitmap);
    const at = lib.FPDFBitmap_GetBuffer(bitmap);
    const src: Uint8Array = M.HEAPU8.subarray(at, at + stride * height);
    const colour = tryColour && pixelsHaveColour(src, width, height, stride);
    let data: Uint8Array;
    let greyBits: 2 | 4 | undefined;
    if (colour) {
      data = new Uint8Array(width * height * 3);
      for (let y = 0, d = 0; y < height; y++) {
        for (let o = y * stride, end = o + width * 4; o < end; o += 4) {
          data[d++] = src[o + 2]!;
          data[d++] = src[o + 1]!;
          data[d++] = src[o]!;
        }
      }
    } else {
      const grey = tryColour ? toGrey(src, width, height, stride) : src;
      const gs = tryColour ? width : stride;
      // 2-bit first (cheap); 4-bit, about twice its size, only when that still fits the budget.
      data = zlib.deflateSync(pack(grey, width, height, gs, 2), { level: 4 });
      greyBits = 2;
      if (data.length * 2 <= job.greyBudgetBytes) {
        data = zlib.deflateSync(pack(grey, width, height, gs, 4), { level: 4 });
        greyBits = 4;
      }
    }
    lib.FPDFBitmap_Destroy(bitmap);

    const codes: number[] = [];
    const boxes: number[] = [];
    {
      const tp = lib.FPDFText_LoadPage(page);
      const n = tp ? lib.FPDFText_CountChars(tp) : 0;
      // Page space → output points is affine: take it from three points (PDFium returns
      // whole device pixels, so the points are 1000 units apart), then no call per character.
      const scale = 72 / dpi;
      const dev = (x: number, y: number): [number, number] => {
        lib.FPDF_PageToDevice(page, 0, 0, width * 1000, height * 1000, 0, x, y, dxy, dxy + 4);
        return [M.HEAP32[dxy >> 2] / 1000, M.HEAP32[(dxy >> 2) + 1] / 1000];
      };
      const [ox, oy] = dev(0, 0);
      const [ax, ay] = dev(1, 0);
      const [cx, cy] = dev(0, 1);
      const toOut = (x: number, y: number): [number, number] => [(ox + x * (ax - ox) + y * (cx - ox)) * scale, (height - (oy + x * (ay - oy) + y * (cy - oy))) * scale];
      let lastObj = 0;
      for (let i = 0; i < n; i++) {
        const u = lib.FPDFText_GetUnicode(tp, i);
        if (u >= 0x2e80) {
          // CJK and beyond: is it drawn with a font the file embeds? (checked once per text object)
          const obj = lib.FPDFText_GetTextObject(tp, i);
          if (obj && obj !== lastObj) {
            lastObj = obj;
            const font = lib.FPDFTextObj_GetFont(obj);
            if (font && lib.FPDFFont_GetIsEmbedded(font) === 0 && lib.FPDFTextObj_GetTextRenderMode(obj) !== 3) {
              lib.FPDFText_ClosePage(tp);
              lib.FPDF_ClosePage(page);
              return post({ type: 'needs-system-fonts', index });
            }
          }
        }
        if (!job.text || !lib.FPDFText_GetLooseCharBox(tp, i, rect)) continue;
        const f = rect >> 2;
        // FS_RECTF: left, top, right, bottom in page space.
        const [x0, y0] = toOut(M.HEAPF32[f], M.HEAPF32[f + 3]);
        const [x1, y1] = toOut(M.HEAPF32[f + 2], M.HEAPF32[f + 1]);
        codes.push(u);
        boxes.push(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1));
      }
      if (tp) lib.FPDFText_ClosePage(tp);
    }
    const annotations = Math.max(0, lib.FPDFPage_GetAnnotCount(page));
    lib.FPDF_ClosePage(page);
    const c = Uint32Array.from(codes);
    const bx = Float32Array.from(boxes);
    const copy = new Uint8Array(data); // zlib output may share a pooled buffer; send a copy of our own
    const msg: PdfiumMessage = { type: 'page', index, width, height, channels: colour ? 3 : 1, dpi, data: copy, codes: c, boxes: bx, annotations };
    if (greyBits) msg.greyBits = greyBits;
    post(msg, [copy.buffer as ArrayBuffer, c.buffer as ArrayBuffer, bx.buffer as ArrayBuffer]);
  }
  lib.FPDF_CloseDocument(doc);
  post({ type: 'done' });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
