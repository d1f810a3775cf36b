/**
 * Issue 16's benchmark: what session recording and the watermark cost.
 *
 * - **Recording**: one gateway with recording on for staff only. The same script runs
 *   for an admin (not recorded) and a staff user (recorded): 10 s idle on the long
 *   Japanese article, then 10 s wheel-scrolling. Storage per hour is the recording
 *   file's growth in each phase (flushed every 3 s, so each phase ends with a 3.5 s
 *   wait); CPU is the gateway process's user+system time per phase (Chromium runs in
 *   other processes and is not in it), recorded minus not recorded.
 * - **Watermark**: input→frame latency (clicks on the colour page) on a gateway with
 *   the watermark off and one with it on, in the same run.
 */
import type { Browser, Page } from 'playwright-core';
import { STAFF_PASSWORD, addStaff, browseTo, launchUserBrowser, login, newUserContext, startHarness, type Harness } from '../test/e2e/support/gateway-harness.js';
import { startFixtureSite, type FixtureSite } from '../test/e2e/support/fixture-site.js';
import { round, sleep } from './stats.js';
import { inputToFrameLatency, wheelScroll, type LatencyResult } from './streaming.js';

const PHASE_SECONDS = 10;
const FLUSH_WAIT_MS = 3500;

export interface PhaseCost {
  /** Gateway process CPU, % of one core. */
  cpuPercent: number;
  /** Recording file growth, MiB per recorded hour (0 when not recorded). */
  mibPerHour: number;
}

export interface RecordingBenchResult {
  notRecorded: { idle: PhaseCost; scrolling: PhaseCost };
  recorded: { idle: PhaseCost; scrolling: PhaseCost };
  watermarkOff: LatencyResult;
  watermarkOn: LatencyResult;
}

export async function recordingBench(clicks: number, overrides: Record<string, unknown> = {}): Promise<RecordingBenchResult> {
  const site = await startFixtureSite();
  const browser = await launchUserBrowser();
  try {
    const harness = await startHarness({ ...overrides, 'recording.enabled': true, 'recording.roles': ['staff'] }, [site.url]);
    let notRecorded: RecordingBenchResult['notRecorded'];
    let recorded: RecordingBenchResult['recorded'];
    let watermarkOff: LatencyResult;
    try {
      await addStaff(harness);
      notRecorded = await phases(browser, harness, site, 'admin');
      recorded = await phases(browser, harness, site, 'staff');
      watermarkOff = await latency(browser, harness, site, clicks);
    } finally {
      await harness.close();
    }
    const marked = await startHarness({ ...overrides, 'watermark.enabled': true }, [site.url]);
    try {
      await addStaff(marked);
      return { notRecorded, recorded, watermarkOff, watermarkOn: await latency(browser, marked, site, clicks) };
    } finally {
      await marked.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
}

async function signIn(browser: Browser, harness: Harness, user: 'admin' | 'staff'): Promise<Page> {
  const page = await (await newUserContext(browser)).newPage();
  if (user === 'staff') await login(page, harness.url, 'staff', STAFF_PASSWORD);
  else await login(page, harness.url);
  return page;
}

async function phases(browser: Browser, harness: Harness, site: FixtureSite, user: 'admin' | 'staff'): Promise<{ idle: PhaseCost; scrolling: PhaseCost }> {
  const page = await signIn(browser, harness, user);
  const store = harness.gateway.services.recording.store;
  const bytes = (): number => (user === 'staff' ? (store.list({ user: 'staff', limit: 1 })[0]?.bytes ?? 0) : 0);
  await browseTo(page, `${site.url}/japanese`, '日本語の記事');
  const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await sleep(3000 + FLUSH_WAIT_MS);
  const measure = async (run: () => Promise<void>): Promise<PhaseCost> => {
    const b0 = bytes();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    await sleep(FLUSH_WAIT_MS);
    return { cpuPercent: round(((cpu.user + cpu.system) / 1e6 / seconds) * 100, 1), mibPerHour: round(((bytes() - b0) / 1024 / 1024 / seconds) * 3600, 1) };
  };
  const idle = await measure(() => sleep(PHASE_SECONDS * 1000));
  const scrolling = await measure(async () => {
    const end = performance.now() + PHASE_SECONDS * 1000;
    await wheelScroll(page, () => performance.now() >= end, (PHASE_SECONDS * 1000) / 2);
  });
  await page.context().close();
  return { idle, scrolling };
}

async function latency(browser: Browser, harness: Harness, site: FixtureSite, clicks: number): Promise<LatencyResult> {
  const page = await signIn(browser, harness, 'staff');
  try {
    return await inputToFrameLatency(page, `${site.url}/color`, clicks);
  } finally {
    await page.context().close();
  }
}
