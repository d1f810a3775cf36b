/**
 * The user side of the load bench: many signed-in viewer sessions, each its own
 * browser context in the user's playwright Chromium, and wheel-scrolling on some.
 */
import type { Browser, Page } from 'playwright-core';
import { STAFF_PASSWORD, browseTo, login, newUserContext } from '../test/e2e/support/gateway-harness.js';
import { framesOf, wheelScroll } from './streaming.js';
import { sleep } from './stats.js';

export interface OpenedSessions {
  pages: Page[];
  /** One line per session that did not open (sign-in, first frame or the article timed out). */
  failures: string[];
  seconds: number;
}

/**
 * Opens `count` sessions as `user`, `concurrency` sign-ins at a time, each signed in
 * (first frame drawn) and showing `articleUrl`. A session that fails is recorded and
 * its context closed; the others go on.
 */
export async function openSessions(browser: Browser, baseUrl: string, articleUrl: string, count: number, options: { user: string; concurrency: number; onOpened?: (n: number) => void }): Promise<OpenedSessions> {
  const t0 = performance.now();
  const pages: Page[] = [];
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = ++next;
      const context = await newUserContext(browser);
      try {
        const page = await context.newPage();
        await login(page, baseUrl, options.user, STAFF_PASSWORD);
        await browseTo(page, articleUrl, '日本語の記事');
        pages.push(page);
        options.onOpened?.(pages.length);
      } catch (err) {
        failures.push(`session ${n}: ${(err as Error).message.split('\n')[0]}`);
        await context.close().catch(() => undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return { pages, failures, seconds: (performance.now() - t0) / 1000 };
}

export interface Scrollers {
  /** Stops every scroller and resolves once they have; errors of a scroller are returned, not thrown. */
  stop(): Promise<string[]>;
  /** Frames the scrolling pages drew since `start` (sum over pages). */
  framesSinceStart(): Promise<number>;
}

/** Starts wheel-scrolling each page (down 5 s, up 5 s, …) until stopped. */
export async function startScrolling(pages: readonly Page[]): Promise<Scrollers> {
  let stopped = false;
  const startFrames = await Promise.all(pages.map(framesOf));
  const runs = pages.map(async (page) => {
    const box = await page.locator('canvas.remote-canvas').boundingBox();
    if (!box) throw new Error('no canvas to scroll');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await wheelScroll(page, () => stopped, 5000);
  });
  const settled = Promise.allSettled(runs);
  await sleep(0);
  return {
    stop: async () => {
      stopped = true;
      return (await settled).flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message).split('\n')[0]!] : []));
    },
    framesSinceStart: async () => {
      const now = await Promise.all(pages.map((p) => framesOf(p).catch(() => 0)));
      return now.reduce((a, f, i) => a + Math.max(0, f - startFrames[i]!), 0);
    },
  };
}
