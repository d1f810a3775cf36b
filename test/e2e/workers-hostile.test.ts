/**
 * Hostile pages on browser workers (issue 10, "Tests"): one user's tab runs an alert
 * loop, a popup flood, `while(true){}`, a memory bomb and a renderer crash, one after
 * another, while bystander A browses on the same worker and bystander B on the other.
 * Each time the gateway stays up, no worker dies, the hostile tab shows what happened
 * (dialog suppression, tab cap notice, unresponsive or crash notice) and both
 * bystanders still click and see their page change. Their input→frame latency before
 * and during each hostile page is measured as `npm run bench` does and reported
 * (console.info, docs/PERFORMANCE.md), never asserted.
 */
import os from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputToFrameLatency } from '../../bench/streaming.js';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { expectSandboxAsPlanned, sandboxedWorkers } from './support/chromium-sandbox.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { HOSTILE_BUTTON, HOSTILE_PAGES } from './support/hostile-pages.js';
import { addStaff, browseTo, canvasPixel, clickRemote, launchUserBrowser, login, newUserContext, STAFF_PASSWORD, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

const MAX_TABS = 4;
const RENDERER_MEMORY_MB = 512;
/** Clicks per latency measurement: a few, as the brief of the test asks. */
const CLICKS = 6;
const UNRESPONSIVE = 'このページは応答していません';
const CRASHED = 'このページでエラーが発生し';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;
let hostile: Page;
let bystanders: Array<[name: string, page: Page]>;
let workerPids: Array<number | null>;
const latency: Array<{ phase: string; user: string; p50: number; p95: number; max: number; n: number; timeouts: number }> = [];

const ON_DEMAND = process.env.KEKKAI_E2E_HOSTILE === '1';

beforeAll(async () => {
  if (!ON_DEMAND) return;
  [site, browser] = await Promise.all([startFixtureSite('127.0.0.1', {}, HOSTILE_PAGES), launchUserBrowser()]);
  // Workers as `nobody` with Chromium's sandbox on where the machine allows it (support/chromium-sandbox.ts).
  harness = await startHarness({ ...sandboxedWorkers(2), 'session.maxTabs': MAX_TABS, 'session.rendererMemoryMb': RENDERER_MEMORY_MB }, [site.url]);
  for (const name of ['hostile', 'bystander-a', 'bystander-b']) await addStaff(harness, name);
  // Placement is least-loaded, ties to the lower worker: hostile → 1, B → 2 (1 > 0),
  // then A → 1 (1 = 1). Sign-ins one after another keep that order.
  hostile = await signIn('hostile');
  const b = await signIn('bystander-b');
  const a = await signIn('bystander-a');
  bystanders = [
    ['bystander A (same worker)', a],
    ['bystander B (other worker)', b],
  ];
  workerPids = pool().status().map((w) => w.pid);
});

afterAll(async () => {
  if (latency.length > 0) console.info(`hostile pages: bystanders' input→frame latency (ms), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n${formatLatency()}`);
  await browser?.close();
  await harness?.close();
  await site?.close();
});

function pool(): WorkerPool {
  return harness.gateway.services.browser as WorkerPool;
}

async function signIn(name: string): Promise<Page> {
  const page = await (await newUserContext(browser)).newPage();
  await login(page, harness.url, name, STAFF_PASSWORD);
  return page;
}

/** Which worker holds each user's session, by user name. */
function placement(): Record<string, number> {
  const byUser: Record<string, number> = {};
  for (const worker of pool().status()) {
    for (const id of worker.sessions) {
      const session = pool().sessions.get(id);
      if (session) byUser[session.user.name] = worker.id;
    }
  }
  return byUser;
}

function formatLatency(): string {
  return latency.map((l) => `${l.phase.padEnd(22)} ${l.user.padEnd(27)} p50 ${l.p50.toFixed(0).padStart(5)}  p95 ${l.p95.toFixed(0).padStart(5)}  max ${l.max.toFixed(0).padStart(5)}  n ${l.n}  timeouts ${l.timeouts}`).join('\n');
}

/**
 * Both bystanders measure input→frame latency on the colour page, then click the
 * button page and see it turn red; the gateway answers /healthz throughout.
 */
async function bystandersGoOn(phase: string): Promise<void> {
  for (const [user, page] of bystanders) {
    const result = await inputToFrameLatency(page, `${site.url}/color`, CLICKS);
    latency.push({ phase, user, p50: result.ms.p50, p95: result.ms.p95, max: result.ms.max, n: result.ms.n, timeouts: result.timeouts });
    console.info(`[${phase}] ${user}: input→frame p50 ${result.ms.p50.toFixed(0)} ms, p95 ${result.ms.p95.toFixed(0)} ms (${result.ms.n} clicks, ${result.timeouts} timeouts)`);
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    await clickRemote(page, 150, 80);
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(page, 600, 400);
      return r > 200 && g < 60 && b < 60;
      // Generous: a bomb on the same worker makes that Chromium busy on a 2-core machine.
    }, 45_000, `red page for ${user} (${phase})`);
  }
  expect((await hostile.request.get(`${harness.url}/healthz`)).status()).toBe(200);
}

/** Opens a hostile page in the hostile user's tab and sets it off. */
async function setOff(path: string, title: string): Promise<void> {
  await browseTo(hostile, `${site.url}${path}`, title);
  await clickRemote(hostile, HOSTILE_BUTTON.x, HOSTILE_BUTTON.y);
}

/** Closes the hostile tab from its health notice; the session opens a fresh tab. */
async function closeFromNotice(): Promise<void> {
  const notice = hostile.locator('.tab-health[role=alert]');
  await notice.getByRole('button', { name: 'タブを閉じる' }).click();
  await notice.waitFor({ state: 'hidden', timeout: 15_000 });
  await expect.poll(() => hostile.locator('.tab-title').allTextContents(), { timeout: 15_000 }).toEqual(['新しいタブ']);
}

/**
 * Heavy (five hostile pages, three users, two workers, latency probes): it passed three
 * runs in a row by itself but failed on timing while unit and integration files ran
 * beside it in the full suite on the shared 2-core CI machine, so `npm test` runs it as
 * its own step after the suite (`npm run test:hostile`, which sets KEKKAI_E2E_HOSTILE=1;
 * docs/testing.md); inside the main `vitest run` it is skipped.
 */
describe.runIf(ON_DEMAND)('hostile pages on browser workers', () => {
  it('places the hostile user and bystander A on one worker and bystander B on the other', { timeout: 240_000 }, async () => {
    expect(placement()).toEqual({ hostile: 1, 'bystander-a': 1, 'bystander-b': 2 });
    await bystandersGoOn('baseline');
  });

  it('an endless alert loop can be suppressed; the bystanders go on', { timeout: 240_000 }, async () => {
    await setOff('/hostile/alerts', 'Hostile alert loop');
    const dialog = hostile.locator('dialog.remote-dialog[open]');
    for (let shown = 0; ; shown++) {
      expect(shown, 'dialogs before suppression was offered').toBeLessThan(5);
      await dialog.waitFor();
      const suppress = dialog.getByRole('checkbox');
      if ((await suppress.count()) > 0) {
        await suppress.check();
        await dialog.getByRole('button', { name: 'OK' }).click();
        break;
      }
      await dialog.getByRole('button', { name: 'OK' }).click();
    }
    // The page keeps calling alert(); the user no longer sees any of them.
    await bystandersGoOn('alert loop (suppressed)');
    expect(await dialog.count()).toBe(0);
    // The looping tab is closed from the tab strip; the session opens a fresh one.
    await hostile.locator('.tab-close').first().click();
    await expect.poll(() => hostile.locator('.tab-title').allTextContents(), { timeout: 15_000 }).toEqual(['新しいタブ']);
  });

  it('a popup flood stops at the tab cap with a notice; the bystanders go on', { timeout: 240_000 }, async () => {
    await setOff('/hostile/popups', 'Hostile popup flood');
    await hostile.locator('.notices .notice', { hasText: `タブは最大 ${MAX_TABS} 個まで` }).first().waitFor({ timeout: 15_000 });
    await expect.poll(() => hostile.getByRole('tab').count(), { timeout: 15_000 }).toBe(MAX_TABS);
    await bystandersGoOn('popup flood');
    expect(await hostile.getByRole('tab').count()).toBe(MAX_TABS);
    // Popups of the flood still waiting in Chromium take each slot a closed tab frees:
    // close tabs until one is left and stays alone, never seeing more than the cap.
    let most = 0;
    await waitUntil(async () => {
      const count = await hostile.getByRole('tab').count();
      most = Math.max(most, count);
      if (count > 1) {
        await hostile.locator('.tab-close').last().click();
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return (await hostile.getByRole('tab').count()) === 1;
    }, 120_000, 'the popup flood to end');
    expect(most).toBeLessThanOrEqual(MAX_TABS);
  });

  it('while(true){} shows the unresponsive notice; the bystanders go on', { timeout: 240_000 }, async () => {
    await setOff('/hostile/spin', 'Hostile spin');
    await hostile.locator('.tab-health[role=alert]', { hasText: UNRESPONSIVE }).waitFor({ timeout: 30_000 });
    await bystandersGoOn('while(true){}');
    await closeFromNotice();
  });

  it('a memory bomb runs into the renderer heap cap and crashes only its tab; Reload brings it back', { timeout: 240_000 }, async () => {
    await browseTo(hostile, `${site.url}/hostile/memory`, 'Hostile memory bomb');
    // The configured cap reached the page's renderer (Chromium's default is ~3.5 GiB).
    const limit = await site.waitForReport((r) => r.kind === 'heap-limit');
    expect(Number(limit.bytes) / 2 ** 20).toBeLessThan(RENDERER_MEMORY_MB + 256);
    await clickRemote(hostile, HOSTILE_BUTTON.x, HOSTILE_BUTTON.y);
    const notice = hostile.locator('.tab-health[role=alert]');
    // The bystanders work while the bomb grows and after it went off.
    await Promise.all([notice.filter({ hasText: CRASHED }).waitFor({ timeout: 60_000 }), bystandersGoOn('memory bomb')]);
    await notice.getByRole('button', { name: '再読み込み' }).click();
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });
    await hostile.locator('.page-title', { hasText: 'Hostile memory bomb' }).waitFor();
  });

  it('a page that crashes its renderer shows the crash notice; the bystanders go on', { timeout: 240_000 }, async () => {
    await setOff('/hostile/crash', 'Hostile crash');
    await hostile.locator('.tab-health[role=alert]', { hasText: CRASHED }).waitFor({ timeout: 60_000 });
    await bystandersGoOn('renderer crash');
    await closeFromNotice();
  });

  it('no worker died, and the hostile user browses on in the same session', { timeout: 240_000 }, async () => {
    expect(pool().status().map((w) => w.pid)).toEqual(workerPids);
    // Both workers' Chromiums ran the hostile pages sandboxed where the machine allows it.
    for (const pid of workerPids) expectSandboxAsPlanned(pid!);
    expect(placement()).toEqual({ hostile: 1, 'bystander-a': 1, 'bystander-b': 2 });
    expect([...harness.gateway.services.audit.records({})].filter((r) => r.event === 'browser-crashed')).toEqual([]);
    await browseTo(hostile, `${site.url}/button`, 'Button fixture');
    await clickRemote(hostile, 150, 80);
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(hostile, 600, 400);
      return r > 200 && g < 60 && b < 60;
    }, 15_000, 'red page for the hostile user');
    expect((await hostile.request.get(`${harness.url}/healthz`)).status()).toBe(200);
  });
});
