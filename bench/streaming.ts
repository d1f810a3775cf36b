/**
 * Client-side streaming figures through a real gateway: input-to-frame latency,
 * time to first frame after login, bytes per second (idle and scrolling), and
 * gateway memory with 1 and 5 sessions.
 */
import type { Browser, Page } from 'playwright-core';
import { STAFF_PASSWORD, browseTo, newUserContext, waitForFrame, type Harness } from '../test/e2e/support/gateway-harness.js';
import { canvasPng, comparePictures, waitForSettled } from '../test/e2e/support/remote-picture.js';
import { gatewayChromiumRss, nodeRssMiB } from './proc-rss.js';
import { round, sleep, summarize, type Summary } from './stats.js';

const CANVAS = 'canvas.remote-canvas';

/** Counts binary WebSocket bytes (frames) the page receives. */
export class WsByteCounter {
  bytes = 0;
  messages = 0;
  constructor(page: Page) {
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string') return;
        this.bytes += f.payload.length;
        this.messages++;
      });
    });
  }
  reset(): void {
    this.bytes = 0;
    this.messages = 0;
  }
}

/** Installs (before any page script) a listener that records when the first frame is drawn, as epoch ms. */
async function recordFirstFrame(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __kekkaiFirstFrame?: number };
    window.addEventListener(
      'kekkai:frame',
      (e) => {
        if (w.__kekkaiFirstFrame === undefined) w.__kekkaiFirstFrame = performance.timeOrigin + (e as CustomEvent<{ at: number }>).detail.at;
      },
      true,
    );
  });
}

export interface FirstFrameResult {
  /** Submit click (wall clock, this process) → first frame drawn (page's performance.timeOrigin + detail.at). */
  totalMs: Summary;
  /** Viewer page navigation start → first frame drawn. */
  afterViewerLoadMs: Summary;
  samples: number[];
}

/** Signs in from `runs` fresh browser contexts and times submit → first frame. */
export async function timeToFirstFrame(browser: Browser, harness: Harness, runs: number, gapMs = 2500): Promise<FirstFrameResult> {
  const totals: number[] = [];
  const afterLoad: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Let the warm pool refill, as it would between users signing in.
    await sleep(gapMs);
    const context = await newUserContext(browser);
    const page = await context.newPage();
    await recordFirstFrame(page);
    await page.goto(`${harness.url}/login`);
    await page.locator('#username').fill('staff');
    await page.locator('#password').fill(STAFF_PASSWORD);
    const submitAt = Date.now(); // wall clock of this process; the page side uses performance.timeOrigin + at
    await page.locator('form button[type=submit]').click();
    await page.waitForURL((url) => url.origin === harness.url && url.pathname === '/');
    await page.waitForFunction(() => (window as unknown as { __kekkaiFirstFrame?: number }).__kekkaiFirstFrame !== undefined, undefined, { timeout: 15_000 });
    const { first, origin } = await page.evaluate(() => ({ first: (window as unknown as { __kekkaiFirstFrame: number }).__kekkaiFirstFrame, origin: performance.timeOrigin }));
    totals.push(first - submitAt);
    afterLoad.push(first - origin);
    await endSession(page);
    await context.close();
  }
  return { totalMs: summarize(totals), afterViewerLoadMs: summarize(afterLoad), samples: totals.map((v) => round(v)) };
}

/** Presses the toolbar's End session button so sessions do not pile up. */
async function endSession(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: /セッション終了|セッションを終了|End session/ });
  if ((await button.count()) === 0) return;
  page.once('dialog', (d) => void d.accept());
  await button.first().click({ timeout: 5_000 }).catch(() => undefined);
  await page.waitForURL((url) => url.pathname !== '/', { timeout: 5_000 }).catch(() => undefined);
}

export interface LatencyResult {
  ms: Summary;
  timeouts: number;
  samples: number[];
}

/**
 * Input-to-frame latency on the colour page: start = performance.now() in a
 * capture-phase mousedown listener on the canvas (the real client input path
 * runs after it); end = `detail.at` of the first `kekkai:frame` whose canvas
 * pixel shows the toggled colour.
 */
export async function inputToFrameLatency(page: Page, colorUrl: string, clicks: number, spacingMs = 150): Promise<LatencyResult> {
  await browseTo(page, colorUrl, 'Colour fixture');
  await waitForFrame(page, 1);
  await sleep(1000);
  // A string, not a function: tsx's keep-names helper (__name) does not exist in the page.
  await page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(CANVAS)});
    const ctx = canvas.getContext('2d');
    const b = { start: 0, expectWhite: false, result: -1 };
    window.__bench = b;
    window.__benchWhite = () => ctx.getImageData(Math.floor(canvas.width / 2), 10, 1, 1).data[0] > 127;
    canvas.addEventListener('mousedown', () => { b.start = performance.now(); }, true);
    canvas.addEventListener('kekkai:frame', (e) => {
      if (b.start === 0 || b.result >= 0) return;
      if (window.__benchWhite() === b.expectWhite) b.result = e.detail.at - b.start;
    });
  })()`);
  const box = (await page.locator(CANVAS).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  const samples: number[] = [];
  let timeouts = 0;
  for (let i = 0; i < clicks; i++) {
    await page.evaluate(() => {
      const w = window as unknown as { __bench: { start: number; expectWhite: boolean; result: number }; __benchWhite: () => boolean };
      w.__bench.expectWhite = !w.__benchWhite();
      w.__bench.start = 0;
      w.__bench.result = -1;
    });
    await page.mouse.down();
    await page.mouse.up();
    try {
      await page.waitForFunction(() => (window as unknown as { __bench: { result: number } }).__bench.result >= 0, undefined, { timeout: 5_000, polling: 10 });
      samples.push(await page.evaluate(() => (window as unknown as { __bench: { result: number } }).__bench.result));
    } catch {
      timeouts++;
      await sleep(1000); // let the page settle to a known colour before the next click
    }
    await sleep(spacingMs);
  }
  return { ms: summarize(samples), timeouts, samples: samples.map((v) => round(v)) };
}

export interface TrafficResult {
  idleBytesPerSec: number;
  idleFramesPerSec: number;
  scrollBytesPerSec: number;
  scrollFramesPerSec: number;
  scrollMeanFrameKiB: number;
  seconds: number;
  /** After the scrolling stopped: the canvas once it showed the lossless refinement vs a lossless screenshot. */
  settle: { psnr: number; differingShare: number; ms: number } | null;
}

export const framesOf = async (page: Page): Promise<number> => page.evaluate((sel) => Number(document.querySelector(sel)?.getAttribute('data-frames') ?? 0), CANVAS);

/**
 * Binary WebSocket bytes per second on the long Japanese article: first idle
 * (nothing moves), then while wheel-scrolling 100 px every 50 ms — down for the
 * first half and back up for the second, so the page never runs out.
 */
export async function traffic(page: Page, counter: WsByteCounter, articleUrl: string, seconds = 10, remoteShot?: () => Promise<Buffer>): Promise<TrafficResult> {
  await browseTo(page, articleUrl, '日本語の記事');
  const box = (await page.locator(CANVAS).boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await sleep(3000); // let loading and fonts settle
  counter.reset();
  let f0 = await framesOf(page);
  let t0 = performance.now();
  await sleep(seconds * 1000);
  let dt = (performance.now() - t0) / 1000;
  const idleBytesPerSec = counter.bytes / dt;
  const idleFramesPerSec = ((await framesOf(page)) - f0) / dt;

  counter.reset();
  f0 = await framesOf(page);
  t0 = performance.now();
  const end = t0 + seconds * 1000;
  await wheelScroll(page, () => performance.now() >= end, (seconds * 1000) / 2);
  dt = (performance.now() - t0) / 1000;
  const scrollFrames = (await framesOf(page)) - f0;
  const scrollBytes = counter.bytes;
  const scrollMessages = counter.messages;
  const settle = remoteShot ? await settledSharpness(page, remoteShot) : null;
  return {
    idleBytesPerSec,
    idleFramesPerSec,
    scrollBytesPerSec: scrollBytes / dt,
    scrollFramesPerSec: scrollFrames / dt,
    scrollMeanFrameKiB: scrollMessages ? scrollBytes / scrollMessages / 1024 : 0,
    seconds,
    settle,
  };
}

/**
 * Sharpness after settle: waits (up to 10 s) for the canvas to show the lossless
 * refinement, then compares it with a lossless `Page.captureScreenshot` of the remote tab.
 */
async function settledSharpness(page: Page, remoteShot: () => Promise<Buffer>): Promise<TrafficResult['settle']> {
  const t0 = performance.now();
  try {
    await waitForSettled(page, 10_000);
  } catch {
    return null;
  }
  const ms = performance.now() - t0 - 500; // waitForSettled's quiet time is not part of it
  const [canvas, remote] = await Promise.all([canvasPng(page), remoteShot()]);
  const cmp = await comparePictures(canvas, remote);
  return { psnr: cmp.psnr, differingShare: cmp.differingShare, ms };
}

/**
 * Wheel-scrolls the remote page 100 px every 50 ms with the mouse where it rests
 * (over the canvas), down for `flipEveryMs`, then up as long, and so on, until
 * `stop()` says so — the page never runs out.
 */
export async function wheelScroll(page: Page, stop: () => boolean, flipEveryMs: number): Promise<void> {
  const t0 = performance.now();
  let next = t0;
  while (!stop()) {
    const down = Math.floor((performance.now() - t0) / flipEveryMs) % 2 === 0;
    await page.mouse.wheel(0, down ? 100 : -100);
    next += 50;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
}

export interface MemoryPoint {
  sessions: number;
  nodeRssMiB: number;
  chromiumRssMiB: number;
  chromiumPssMiB: number;
  chromiumProcesses: number;
  /** node RSS + Chromium RSS sum (overcounts pages Chromium processes share). */
  totalMiB: number;
  /** node RSS + Chromium PSS sum: the better estimate of memory actually used. */
  totalPssMiB: number;
}

export function memoryPoint(sessions: number): MemoryPoint {
  const c = gatewayChromiumRss();
  const node = nodeRssMiB();
  return {
    sessions,
    nodeRssMiB: round(node),
    chromiumRssMiB: round(c.rssMiB),
    chromiumPssMiB: round(c.pssMiB),
    chromiumProcesses: c.processes,
    totalMiB: round(node + c.rssMiB),
    totalPssMiB: round(node + c.pssMiB),
  };
}
