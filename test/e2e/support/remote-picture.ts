/**
 * Compares what the viewer's canvas shows with a lossless screenshot of the remote page
 * (stream efficiency, docs/streaming.md): used by the e2e test and `npm run bench`.
 */
import type { Page, WebSocket as PwWebSocket } from 'playwright-core';
import sharp from 'sharp';
import { LocalBrowser } from '../../../gateway/browser/local-browser.js';
import type { Harness } from './gateway-harness.js';

/** A lossless PNG of the remote tab showing `url`, taken over a CDP session of its own. */
export async function remoteScreenshot(harness: Harness, url: string): Promise<Buffer> {
  const layer = harness.gateway.services.browser;
  if (!(layer instanceof LocalBrowser)) throw new Error('needs the in-process browser layer (session.workers 0)');
  const target = layer.chromium.browser.targets().find((t) => t.url() === url);
  if (!target) throw new Error(`no remote tab shows ${url}`);
  const cdp = await target.createCDPSession();
  try {
    const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** The viewer canvas's pixels, as a PNG. */
export async function canvasPng(page: Page): Promise<Buffer> {
  const dataUrl = await page.evaluate(() => (document.querySelector('canvas.remote-canvas') as HTMLCanvasElement).toDataURL('image/png'));
  return Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
}

export interface PictureComparison {
  width: number;
  height: number;
  /** Peak signal-to-noise ratio over RGB in dB (Infinity when identical). */
  psnr: number;
  /** Share of pixels where some channel differs by more than 8. */
  differingShare: number;
}

/** PSNR and differing pixels of two pictures of the same size. */
export async function comparePictures(a: Buffer, b: Buffer): Promise<PictureComparison> {
  const [ra, rb] = await Promise.all([a, b].map((img) => sharp(img).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  const { width, height } = ra!.info;
  if (rb!.info.width !== width || rb!.info.height !== height) throw new Error(`sizes differ: ${width}×${height} vs ${rb!.info.width}×${rb!.info.height}`);
  let squared = 0;
  let differing = 0;
  const pa = ra!.data;
  const pb = rb!.data;
  for (let i = 0; i < pa.length; i += 3) {
    let big = false;
    for (let k = 0; k < 3; k++) {
      const d = pa[i + k]! - pb[i + k]!;
      squared += d * d;
      if (Math.abs(d) > 8) big = true;
    }
    if (big) differing++;
  }
  const mse = squared / pa.length;
  return { width, height, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), differingShare: differing / (width * height) };
}

/**
 * Waits until the picture has settled: the canvas's latest frame is flagged lossless and
 * no other frame came for `quietMs` (a page still moving would make the comparison with
 * a screenshot meaningless).
 */
export async function waitForSettled(page: Page, timeoutMs = 15_000, quietMs = 500): Promise<void> {
  await page.waitForFunction(
    (quiet) => {
      const c = document.querySelector('canvas.remote-canvas') as HTMLCanvasElement | null;
      if (!c || c.dataset.seq === undefined || c.dataset.refined !== c.dataset.seq) return false;
      const w = window as unknown as { __kekkaiSettle?: { seq: string; since: number } };
      if (w.__kekkaiSettle?.seq !== c.dataset.seq) w.__kekkaiSettle = { seq: c.dataset.seq, since: performance.now() };
      return performance.now() - w.__kekkaiSettle.since >= quiet;
    },
    quietMs,
    { timeout: timeoutMs, polling: 50 },
  );
}

/** One binary frame message as the client's socket received it. */
export interface ReceivedFrame {
  bytes: number;
  kind: number;
  refined: boolean;
  /** Rows the delta's copy moved (0: no copy). */
  copyDy: number;
}

/** Records the frame messages a page's WebSockets receive (bytes counted at the socket). */
export class FrameLog {
  frames: ReceivedFrame[] = [];
  constructor(page: Page) {
    page.on('websocket', (ws: PwWebSocket) => {
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') return;
        const p = f.payload;
        const copyWidth = p.length >= 40 ? p.readUInt16BE(36) : 0;
        this.frames.push({ bytes: p.length, kind: p[2] ?? 0, refined: ((p[3] ?? 0) & 1) === 1, copyDy: copyWidth > 0 ? p.readInt16BE(30) : 0 });
      });
    });
  }
  reset(): void {
    this.frames = [];
  }
}
