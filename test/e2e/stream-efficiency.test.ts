/**
 * End to end (docs/streaming.md): scrolling streams the shift and the exposed strip
 * instead of whole frames, the picture is made lossless once it settles, and a still
 * page sends nothing. Real Chromium behind the gateway, the real viewer in playwright;
 * bytes are counted at the viewer's socket.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameKind } from '../../protocol/index.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { addStaff, browseTo, launchUserBrowser, login, newUserContext, STAFF_PASSWORD, startHarness, waitForFrame, type Harness } from './support/gateway-harness.js';
import { canvasPng, comparePictures, FrameLog, remoteScreenshot, waitForSettled } from './support/remote-picture.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({}, [site.url]);
  await addStaff(harness);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

/** Scrolls the remote page by one wheel notch over the canvas and waits for the frame it causes. */
async function wheelAndWait(page: Page, dy: number): Promise<void> {
  const before = await page.evaluate(() => Number(document.querySelector('canvas.remote-canvas')?.getAttribute('data-frames') ?? 0));
  await page.mouse.wheel(0, dy);
  await waitForFrame(page, before + 1);
}

describe('stream efficiency', () => {
  it('scrolling sends a copy and a strip far smaller than a key frame, then the canvas matches a lossless screenshot; a still page sends nothing', async () => {
    const context = await newUserContext(browser);
    const page = await context.newPage();
    const log = new FrameLog(page);
    await login(page, harness.url, 'staff', STAFF_PASSWORD);
    const url = `${site.url}/japanese`;
    await browseTo(page, url, '日本語の記事');
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);

    // The article as a key frame (what every frame cost before deltas): a reconnecting
    // viewer holds no picture and gets one.
    log.reset();
    await page.reload();
    await waitForFrame(page);
    await waitForSettled(page);
    const keys = log.frames.filter((f) => f.kind === FrameKind.Key && !f.refined);
    expect(keys.length).toBeGreaterThan(0);
    const keyBytes = Math.max(...keys.map((k) => k.bytes));
    expect(keyBytes).toBeGreaterThan(20_000); // a page of Japanese text, not a blank one

    log.reset();
    for (let i = 0; i < 6; i++) await wheelAndWait(page, 100);
    for (let i = 0; i < 3; i++) await wheelAndWait(page, -100);
    const moving = log.frames;
    expect(moving.length).toBeGreaterThan(0);
    // Scrolling arrives as copies (down: content moves up; up: down), not as whole pictures.
    expect(moving.some((f) => f.copyDy < 0)).toBe(true);
    expect(moving.some((f) => f.copyDy > 0)).toBe(true);
    expect(moving.filter((f) => f.kind === FrameKind.Key)).toEqual([]);
    for (const f of moving.filter((m) => m.copyDy !== 0)) expect(f.bytes).toBeLessThan(keyBytes / 2);

    // Once still, a lossless refinement makes the canvas what the remote page shows.
    await waitForSettled(page);
    const [canvas, remote] = await Promise.all([canvasPng(page), remoteScreenshot(harness, url)]);
    const cmp = await comparePictures(canvas, remote);
    expect(cmp.psnr).toBeGreaterThanOrEqual(40);
    expect(cmp.differingShare).toBeLessThan(0.001);

    // Nothing moves: nothing is sent.
    log.reset();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(log.frames).toEqual([]);
    await context.close();
  });
});
