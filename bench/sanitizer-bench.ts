/**
 * Sanitizer throughput (issue 4): a 40-page Japanese text PDF rebuilt at 150 dpi,
 * images re-encoded per second, and MB/s through clamd. Needs a private clamd
 * (started like the integration tests do); skipped gracefully when it cannot start.
 */
import sharp from 'sharp';
import { ClamdScanner, PopplerRasterizer, parseFilePolicy, sanitize, type SanitizerDeps } from '../sanitizer/index.js';
import { startPrivateClamd } from '../test/integration/sanitizer/private-clamd.js';
import { htmlToPdf } from '../test/integration/sanitizer/render-helpers.js';

export interface SanitizerResult {
  skipped?: string;
  pdfPages?: number;
  pdfSeconds?: number;
  pdfPagesPerSec?: number;
  pdfOutputKiBPerPage?: number;
  pdfInputKiB?: number;
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

export async function sanitizerBench(pages = 40): Promise<SanitizerResult> {
  let clamd;
  try {
    clamd = await startPrivateClamd();
  } catch (err) {
    return { skipped: `private clamd could not start: ${(err as Error).message}` };
  }
  try {
    const scanner = new ClamdScanner({ address: clamd.socket, timeoutMs: 120_000 });
    const deps: SanitizerDeps = { scanner, rasterizer: new PopplerRasterizer(), officeConverter: null };
    const policy = parseFilePolicy({});

    const pdf = await htmlToPdf(japaneseHtml(pages));
    // Warm-up (first poppler/sharp start), not counted.
    await sanitize({ name: 'warmup.pdf', bytes: pdf }, policy, deps);
    const t0 = performance.now();
    const v = await sanitize({ name: '安全管理.pdf', bytes: pdf }, policy, deps);
    const pdfSeconds = (performance.now() - t0) / 1000;
    if (v.verdict !== 'sanitized') return { skipped: `PDF blocked: ${v.reason}` };
    const detail = v.steps.find((s) => s.stage === 'reconstruct')?.detail ?? '';
    const rendered = Number(detail.match(/(\d+) page\(s\)/)?.[1] ?? pages);

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
      pdfPages: rendered,
      pdfSeconds,
      pdfPagesPerSec: rendered / pdfSeconds,
      pdfOutputKiBPerPage: v.output.bytes.length / rendered / 1024,
      pdfInputKiB: pdf.length / 1024,
      imagesPerSec,
      imageSize: '1600×1200 JPEG',
      scannerMBPerSec: payload.length / 2 ** 20 / scanSeconds,
      scannerPayloadMB: payload.length / 2 ** 20,
    };
  } finally {
    await clamd.stop();
  }
}
