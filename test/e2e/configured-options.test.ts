/**
 * End to end with non-default settings: uploads switched on reach the remote file
 * input (and are logged), clipboard directions switched off are refused, and the
 * tab cap is enforced with a clear message.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({ 'upload.enabled': true, 'clipboard.toClient': false, 'clipboard.fromClient': false, 'session.maxTabs': 2, 'session.workers': 1 }, [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

describe('configured options', () => {
  it('hands a local file to the remote file input when uploads are on', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/upload`, 'Upload fixture');
    await clickRemote(page, 150, 70);
    const dialog = page.locator('dialog[open]');
    await dialog.locator('input[type=file]').setInputFiles({ name: '紹介状.txt', mimeType: 'text/plain', buffer: Buffer.from('referral letter') });
    await dialog.getByRole('button', { name: 'アップロード', exact: true }).click();
    const report = await site.waitForReport((r) => r.kind === 'uploaded');
    expect(report).toMatchObject({ name: '紹介状.txt', size: 15, text: 'referral letter' });
    // The uploaded copy lives on the gateway only while the session does.
    const uploads = path.join(harness.dataDir, 'uploads');
    expect(readdirSync(uploads).length).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'セッション終了' }).click();
    await waitUntil(async () => readdirSync(uploads).length === 0, 10_000, 'upload directory removed');
    await page.context().close();
  });

  it('refuses copy and paste when both clipboard directions are off', async () => {
    const context = await newUserContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
    const page = await context.newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/text`, 'Text fixture');
    await page.evaluate(() => navigator.clipboard.writeText('local secret'));
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    await page.mouse.click(box.x + 80, box.y + 55, { clickCount: 3 });
    await page.keyboard.press('Control+C');
    await page.getByRole('status').filter({ hasText: 'コピーは管理者により無効' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('local secret');
    await clickRemote(page, 200, 240);
    await page.keyboard.press('Control+V');
    await page.getByRole('status').filter({ hasText: '貼り付けは管理者により無効' }).waitFor();
    expect(site.reports.some((r) => r.kind === 'pasted')).toBe(false);
    await context.close();
  });

  it('caps the number of tabs with a clear message', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await page.getByRole('button', { name: '新しいタブ' }).click();
    await page.getByRole('tab').nth(1).waitFor();
    await page.getByRole('button', { name: '新しいタブ' }).click();
    await page.getByRole('status').filter({ hasText: 'タブは最大 2 個まで' }).waitFor();
    expect(await page.getByRole('tab').count()).toBe(2);
    await page.context().close();
  });
});
