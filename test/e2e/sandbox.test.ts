/**
 * End to end, Chromium's sandbox on the production path (issue 15). The tests run as
 * root, where Chromium would start with --no-sandbox; here the gateway (root, in this
 * process) runs its local worker as `nobody` (KEKKAI_WORKER_USER), and the worker's
 * Chromium must come up sandboxed: no --no-sandbox, every renderer in its own user
 * and PID namespace with a seccomp-bpf filter. A user signs in, browses, clicks and
 * downloads through it. Where the machine cannot sandbox (no unprivileged user
 * namespaces) or KEKKAI_E2E_SANDBOX=off, the run says so and checks the opposite.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import { chromiumSandbox, describeSandbox, sandboxedWorkers, sandboxOn, sandboxPlan, uidOf } from './support/chromium-sandbox.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, signedInPage, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';
import { descendants } from './support/process-table.js';

const CSV = Buffer.from('患者,値\r\n山田,=HYPERLINK("x")\r\n', 'utf8');
/** Put into the control plane's environment: it must not reach the worker or its Chromium. */
const SECRET = 'e2e-secret-that-must-not-reach-workers';

const plan = sandboxPlan();
const asRoot = process.getuid?.() === 0;
let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;
let page: Page;
let workerDir: string;

beforeAll(async () => {
  process.env.KEKKAI_QUARANTINE_KEY = SECRET;
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', { '/files/list.csv': { body: CSV, contentType: 'text/csv', filename: '一覧.csv' } }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket, ...sandboxedWorkers(1) }, [site.url]);
  workerDir = `${harness.dataDir}-workers`;
  page = await signedInPage(browser, harness, { acceptDownloads: true });
});
afterAll(async () => {
  delete process.env.KEKKAI_QUARANTINE_KEY;
  await browser?.close();
  await harness?.close();
  await site?.close();
  await clamd?.stop();
});

function workerPid(): number {
  const pid = (harness.gateway.services.browser as WorkerPool).status()[0]?.pid;
  if (!pid) throw new Error('no local worker running');
  return pid;
}

function environ(pid: number): string {
  return readFileSync(`/proc/${pid}/environ`, 'latin1');
}

describe('Chromium sandbox on the production path', () => {
  it(`browses with the gateway's Chromium ${plan.expected ? 'sandboxed, as an unprivileged user' : 'unsandboxed (root-only run)'}`, async () => {
    process.stderr.write(`[kekkai e2e] sandbox plan: ${plan.reason}\n`);
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    await clickRemote(page, 100, 70);
    await site.waitForReport((r) => r.kind === 'clicked');

    const worker = workerPid();
    const expectedUid = plan.workerUser ? plan.uid : process.getuid!();
    expect(uidOf(worker)).toBe(expectedUid);
    const state = chromiumSandbox(worker);
    process.stderr.write(`[kekkai e2e] gateway Chromium: ${describeSandbox(state)}\n`);
    expect(state.browser.uid).toBe(expectedUid);
    expect(state.renderers.length, describeSandbox(state)).toBeGreaterThan(0);
    if (plan.expected) {
      // Fails when the sandbox is off where it should be on.
      expect(state.noSandboxFlag, describeSandbox(state)).toBe(false);
      expect(sandboxOn(state), describeSandbox(state)).toBe(true);
    } else {
      expect(state.noSandboxFlag, describeSandbox(state)).toBe(true);
    }
  });

  it('delivers a download from the sandboxed worker, sanitized', async () => {
    await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(page, 100, 52);
    const link = page.locator('.download-panel .download-item', { hasText: '一覧' }).locator('a.download-link');
    await link.waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('一覧.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain('山田');
    expect(text).toContain("'=HYPERLINK");
  });

  it.runIf(plan.workerUser !== null)('keeps the data directory and the control plane\'s secrets out of the worker\'s reach', () => {
    const worker = workerPid();
    const chromium = chromiumSandbox(worker).browser.pid;
    expect(environ(worker)).not.toContain(SECRET);
    expect(environ(chromium)).not.toContain(SECRET);
    // The worker's user cannot even list the data directory; its own work directory is its own.
    const listing = spawnSync('ls', [harness.dataDir], { uid: plan.uid, gid: plan.gid, encoding: 'utf8' });
    expect(listing.status).not.toBe(0);
    expect(listing.stderr).toMatch(/Permission denied/);
    const st = statSync(workerDir);
    expect({ uid: st.uid, mode: st.mode & 0o777 }).toEqual({ uid: plan.uid, mode: 0o700 });
    expect(chromiumSandbox(worker).browser.cmdline).toContain(`--user-data-dir=${workerDir}/worker-1/profile`);
  });

  it.runIf(asRoot)('the check itself sees an unsandboxed Chromium as off (the user\'s browser, run as root with --no-sandbox)', () => {
    const gatewaySide = new Set([workerPid(), ...descendants(workerPid()).map((p) => p.pid)]);
    const userBrowser = chromiumSandbox(process.pid, (p) => !gatewaySide.has(p.pid));
    expect(userBrowser.noSandboxFlag).toBe(true);
    expect(userBrowser.renderers.length).toBeGreaterThan(0);
    expect(sandboxOn(userBrowser), describeSandbox(userBrowser)).toBe(false);
    expect(userBrowser.renderers.every((r) => !r.ownUserNamespace && r.seccomp === 0)).toBe(true);
  });

  it.runIf(plan.workerUser !== null)('removes the workers\' directory and processes when the gateway stops', async () => {
    const worker = workerPid();
    const tree = [worker, ...descendants(worker).map((p) => p.pid)];
    await harness.close();
    expect(existsSync(workerDir)).toBe(false);
    const alive = (): number[] => tree.filter((pid) => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1')));
    await waitUntil(async () => alive().length === 0, 10_000, 'the worker and its Chromium to exit');
  });
});
