/**
 * End to end, default settings: copy and paste as plain text, the cursor follows
 * the remote element, text is sharp on high-DPI screens, uploads are refused
 * (off by default), and the English UI names every control.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  // High-DPI rendering is opt-in (stream.maxDeviceScaleFactor); this file checks it.
  harness = await startHarness({ 'stream.maxDeviceScaleFactor': 2 }, [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

describe('clipboard, cursor, DPI, uploads and language', () => {
  it('copies selected remote text to the local clipboard and pastes local text remotely', async () => {
    const context = await newUserContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
    const page = await context.newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/text`, 'Text fixture');
    // Triple-click selects the paragraph; Ctrl+C sends it to the local clipboard.
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    await page.mouse.click(box.x + 80, box.y + 55, { clickCount: 3 });
    await page.keyboard.press('Control+C');
    await waitUntil(async () => (await page.evaluate(() => navigator.clipboard.readText())).includes('コピーする文章'), 10_000, 'clipboard text');

    await page.evaluate(() => navigator.clipboard.writeText('貼り付け=1+1'));
    await clickRemote(page, 200, 240);
    await page.keyboard.press('Control+V');
    const pasted = await site.waitForReport((r) => r.kind === 'pasted');
    expect(pasted.value).toBe('貼り付け=1+1');
    await context.close();
  });

  it('shows a pointer over links and a text cursor over text', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/text`, 'Text fixture');
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    const canvas = page.locator('canvas.remote-canvas');
    await page.mouse.move(box.x + 60, box.y + 150);
    await waitUntil(async () => (await canvas.evaluate((c) => (c as HTMLElement).style.cursor)) === 'pointer', 5000, 'pointer cursor');
    await page.mouse.move(box.x + 80, box.y + 55);
    await waitUntil(async () => (await canvas.evaluate((c) => (c as HTMLElement).style.cursor)) === 'text', 5000, 'text cursor');
    await page.context().close();
  });

  it('renders at the device pixel ratio of the user\'s screen', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 700 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    await waitUntil(async () => {
      const size = await page.locator('canvas.remote-canvas').evaluate((c) => {
        const canvas = c as HTMLCanvasElement;
        return { w: canvas.width, css: canvas.getBoundingClientRect().width };
      });
      return size.w === size.css * 2;
    }, 10_000, 'canvas at 2x');
    await context.close();
  });

  it('refuses uploads by default with a clear notice', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/upload`, 'Upload fixture');
    await clickRemote(page, 150, 70);
    await page.getByRole('status').filter({ hasText: 'アップロードは管理者により無効' }).waitFor();
    expect(await page.locator('dialog[open] input[type=file]').count()).toBe(0);
    await page.context().close();
  });

  it('names every control in English with ?lang=en', async () => {
    const page = await (await newUserContext(browser, 'en-US')).newPage();
    await page.goto(`${harness.url}/login?lang=en`);
    for (const name of ['User name', 'Password']) expect(await page.getByRole('textbox', { name, exact: true }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    await page.getByRole('textbox', { name: 'User name' }).fill('admin');
    await page.getByRole('textbox', { name: 'Password' }).fill('wrong-password-1!');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'incorrect' }).waitFor();

    await login(page, harness.url);
    await page.goto(`${harness.url}/?lang=en`);
    await page.getByRole('textbox', { name: 'Address' }).waitFor();
    // The tab strip (with each tab's close button) arrives with the session's first tab list.
    await page.getByRole('button', { name: 'Close tab', exact: true }).first().waitFor();
    for (const name of ['Back', 'Forward', 'Reload', 'End session', 'New tab', 'Close tab']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBeGreaterThan(0);
    }
    await page.context().close();
  });
});
