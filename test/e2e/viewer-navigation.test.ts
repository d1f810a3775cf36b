/**
 * End to end, the viewer as a desktop browser (issue 12): an address typed without
 * a scheme falls back to http when https cannot connect (and the URL policy still
 * judges the result), paths are shown decoded, an address entered before the
 * session is ready is applied, browser shortcuts reach kekkai's address bar and
 * tabs from inside the page, text without key events reaches the remote field, and
 * the labels and End session screen are what staff expect.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyService } from '../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase } from '../../gateway/database.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import {
  ADMIN_PASSWORD, browseTo, clickRemote, launchUserBrowser, login, newUserContext, signInThroughForm, startHarness, waitForFrame, waitUntil, type Harness,
} from './support/gateway-harness.js';

const POLICY = `default: allow
rules:
  - id: no-secret
    name: Secret page
    match: { path: /secret }
    action: block
`;

const PAGES = {
  // "/日本語" as the browser sends it.
  '/%E6%97%A5%E6%9C%AC%E8%AA%9E': '<title>Japanese path fixture</title><p>日本語のパス</p>',
  '/secret': '<title>Secret fixture</title>',
};

let harness: Harness;
let site: FixtureSite;
let browser: Browser;
let port: number;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite('127.0.0.1', {}, PAGES), launchUserBrowser()]);
  port = Number(new URL(site.url).port);
  harness = await startHarness({}, [site.url]);
  const db = openDatabase(harness.dataDir);
  expect(new PolicyService(new SqlitePolicyRepository(db)).save(POLICY, { comment: 'e2e' }).ok).toBe(true);
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function signedIn(): Promise<Page> {
  const page = await (await newUserContext(browser)).newPage();
  await login(page, harness.url);
  return page;
}

const address = (page: Page) => page.getByRole('textbox', { name: 'アドレス' });

describe('address bar', () => {
  it('tries https and then http for an address typed without a scheme (an http-only site)', async () => {
    const page = await signedIn();
    // localhost resolves to the fixture's loopback address; the site speaks no TLS.
    await browseTo(page, `localhost:${port}/button`, 'Button fixture');
    expect(await address(page).inputValue()).toBe(`http://localhost:${port}/button`);
    await page.context().close();
  });

  it('still applies the URL policy to the http address it falls back to', async () => {
    const page = await signedIn();
    await browseTo(page, `localhost:${port}/secret`, 'アクセスがブロックされました');
    expect(site.requests).not.toContain('/secret');
    await page.context().close();
  });

  it('shows a percent-encoded path decoded', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/日本語`, 'Japanese path fixture');
    await waitUntil(async () => (await address(page).inputValue()) === `${site.url}/日本語`, 5000, 'decoded address');
    await page.context().close();
  });

  it('navigates to an address entered before the browser session is ready, without wiping it', async () => {
    const context = await newUserContext(browser);
    // Hold the viewer's hello (the gateway then has no session for the socket yet) until
    // the address has been entered: input sent meanwhile would be refused as not ready.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await context.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage(async (message) => {
        if (typeof message === 'string' && message.includes('"hello"')) await gate;
        server.send(message);
      });
    });
    const page = await context.newPage();
    await signInThroughForm(page, harness.url, 'admin', ADMIN_PASSWORD);
    await address(page).fill(`${site.url}/button`);
    await address(page).press('Enter');
    release();
    await page.locator('.page-title', { hasText: 'Button fixture' }).waitFor({ timeout: 15_000 });
    expect(await address(page).inputValue()).toBe(`${site.url}/button`);
    await context.close();
  });
});

describe('keyboard', () => {
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);

  it('reaches the address bar from the page with Ctrl+L, Alt+D, F6 and a double Esc, and goes back with F6 and Esc', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/form`, 'Form fixture');
    for (const keys of [['Control+L'], ['Alt+D'], ['F6'], ['Escape', 'Escape']]) {
      await clickRemote(page, 200, 60);
      expect(await focused(page)).toBe('リモートページ');
      for (const k of keys) await page.keyboard.press(k);
      expect(await focused(page), keys.join(' ')).toBe('アドレス');
    }
    await page.keyboard.press('F6');
    expect(await focused(page)).toBe('リモートページ');
    expect(await page.locator('.stage.keyboard-focus').count()).toBe(1);
    await page.keyboard.press('Control+L');
    await page.keyboard.press('Escape');
    expect(await focused(page)).toBe('リモートページ');
    // None of those keys typed anything into the page.
    expect(site.reports.filter((r) => r.kind === 'form' && r.i)).toEqual([]);
    await page.context().close();
  });

  it('opens, switches and closes kekkai tabs with Ctrl+T, Ctrl+Tab and Ctrl+W', async () => {
    const page = await signedIn();
    const tabs = page.getByRole('tab');
    await waitUntil(async () => (await tabs.count()) === 1, 5000, 'one tab');
    await page.keyboard.press('Control+T');
    await waitUntil(async () => (await tabs.count()) === 2, 5000, 'a second tab');
    await expect.poll(() => tabs.nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Control+Tab');
    await expect.poll(() => tabs.nth(0).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Control+W');
    await waitUntil(async () => (await tabs.count()) === 1, 5000, 'back to one tab');
    await page.context().close();
  });

  it('inserts text that comes without key events (on-screen keyboard, dictation) into the remote field', async () => {
    const page = await signedIn();
    site.reports.length = 0;
    await browseTo(page, `${site.url}/form`, 'Form fixture');
    await clickRemote(page, 200, 60);
    await page.keyboard.insertText('音声入力のテキスト');
    const report = await site.waitForReport((r) => r.kind === 'form' && r.i === '音声入力のテキスト');
    expect((report.events as Record<string, number>)['i:keydown']).toBeUndefined();
    await page.context().close();
  });
});

describe('labels and screens', () => {
  it('labels printing 印刷, offers a way back from the account page and leaves a clean screen after End session', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    expect(await page.getByRole('button', { name: '印刷（PDF）' }).textContent()).toBe('印刷');
    await page.getByRole('link', { name: 'アカウント設定' }).click();
    await page.getByRole('link', { name: '← ブラウザに戻る' }).click();
    await waitForFrame(page);
    await expect.poll(() => page.locator('.page-title').textContent()).toBe('日本語の記事');

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'セッション終了' }).click();
    await page.getByRole('alert').filter({ hasText: 'セッション' }).first().waitFor();
    await waitUntil(async () => page.locator('canvas.remote-canvas').evaluate((c) => (c as HTMLCanvasElement).hidden), 5000, 'canvas hidden');
    await page.context().close();
  });
});
