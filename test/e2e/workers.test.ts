/**
 * End to end with browser worker processes: two users are placed on two workers; one
 * worker is killed (SIGKILL) and only its user is told and offered a new session,
 * while the other keeps streaming and typing. Navigations made on a worker reach the
 * control plane's audit log under the right user.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { chromiumWithProfile } from './support/process-table.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import {
  addStaff,
  browseTo,
  canvasPixel,
  clickRemote,
  framesDrawn,
  launchUserBrowser,
  login,
  newUserContext,
  signInThroughForm,
  STAFF_PASSWORD,
  startHarness,
  waitForFrame,
  waitUntil,
  type Harness,
} from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({ 'session.workers': 2 }, [site.url]);
  await addStaff(harness);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

function chromiumOfWorker(id: number): number[] {
  return chromiumWithProfile(path.join(harness.dataDir, 'run', `worker-${id}`, 'profile'));
}

function pool(): WorkerPool {
  return harness.gateway.services.browser as WorkerPool;
}

async function browsingUser(name: string, password?: string): Promise<Page> {
  const page = await (await newUserContext(browser)).newPage();
  await login(page, harness.url, name, password);
  await browseTo(page, `${site.url}/button`, 'Button fixture');
  return page;
}

describe('browser workers', () => {
  it('place two users on two workers; a killed worker ends only its own session', async () => {
    const admin = await browsingUser('admin');
    const staff = await browsingUser('staff', STAFF_PASSWORD);
    const status = pool().status();
    expect(status.map((w) => w.sessions.length)).toEqual([1, 1]);

    const audit = [...harness.gateway.services.audit.records({})];
    expect(audit.some((r) => r.event === 'navigation' && r.userName === 'staff' && r.details.worker !== undefined)).toBe(true);

    const victim = status[0]!;
    process.kill(victim.pid!, 'SIGKILL');

    // Exactly one of the two users loses the session: the one on the killed worker.
    const lost = async (page: Page) => (await page.getByRole('alert').filter({ hasText: 'リモートブラウザが異常終了した' }).count()) > 0;
    await waitUntil(async () => (await lost(admin)) || (await lost(staff)), 15_000, 'the crash notice');
    const [hit, spared] = (await lost(admin)) ? [admin, staff] : [staff, admin];
    expect(await lost(spared)).toBe(false);

    // The other user goes on: clicks still reach the page and frames keep coming.
    const before = await framesDrawn(spared);
    await clickRemote(spared, 150, 80);
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(spared, 600, 400);
      return r > 200 && g < 60 && b < 60;
    }, 10_000, 'red page for the user on the other worker');
    expect(await framesDrawn(spared)).toBeGreaterThan(before);

    // The worker comes back and the affected user starts a new session on the pool.
    await waitUntil(async () => pool().status().every((w) => w.ready), 30_000, 'the worker restarted');
    await hit.getByRole('button', { name: '新しいセッションを開始' }).click();
    await waitForFrame(hit);
    await browseTo(hit, `${site.url}/button`, 'Button fixture');

    const crash = [...harness.gateway.services.audit.records({})].find((r) => r.event === 'browser-crashed');
    expect(crash?.details).toMatchObject({ worker: victim.id, sessions: 1 });
    // The killed worker's Chromium went with it (its DevTools pipe closed).
    await waitUntil(async () => chromiumOfWorker(victim.id).length === 1, 10_000, 'one Chromium for the restarted worker');
    await admin.context().close();
    await staff.context().close();
  });

  it('places new sessions only on workers that are not draining, and says so when none takes them', async () => {
    await waitUntil(async () => pool().status().every((w) => w.ready), 30_000, 'both workers ready');
    // Sessions of the first test live on until their idle timeout: count what is added.
    const before = pool().status().map((w) => w.sessions.length);
    expect(pool().drain(1, true)).toBe(true);
    const first = await browsingUser('staff', STAFF_PASSWORD);
    const after = pool().status().map((w) => w.sessions.length);
    expect([after[0]! - before[0]!, after[1]! - before[1]!]).toEqual([0, 1]);

    expect(pool().drain(2, true)).toBe(true);
    const refused = await (await newUserContext(browser)).newPage();
    // Signed in, but no worker takes the session: no frame ever comes, only the notice.
    await signInThroughForm(refused, harness.url, 'staff', STAFF_PASSWORD);
    await refused.getByText('ゲートウェイの保守中のため', { exact: false }).first().waitFor({ timeout: 15_000 });

    pool().drain(1, false);
    pool().drain(2, false);
    await first.context().close();
    await refused.context().close();
  });
});
