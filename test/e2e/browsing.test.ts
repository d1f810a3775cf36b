/**
 * End to end: a user logs in from a real browser, browses a loopback site through
 * the gateway, clicks, types ASCII and Japanese (IME composition), opens a popup,
 * survives an alert loop, reconnects to the same tab and ends the session.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBrowser } from '../../gateway/browser/local-browser.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import {
  browseTo,
  canvasPixel,
  clickRemote,
  launchUserBrowser,
  startHarness,
  waitForFrame,
  waitUntil,
  type Harness,
  signedInPage,
} from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({}, [site.url]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

const signedIn = (): Promise<Page> => signedInPage(browser, harness);

describe('browsing through the gateway', () => {
  it('clicking a remote button changes the streamed pixels', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    await waitUntil(async () => (await canvasPixel(page, 600, 400)).every((c) => c > 240), 10_000, 'white page');
    await clickRemote(page, 150, 80);
    await site.waitForReport((r) => r.kind === 'clicked');
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(page, 600, 400);
      return r > 200 && g < 60 && b < 60;
    }, 10_000, 'red page on the canvas');
    await page.context().close();
  });

  it('types ASCII with editing keys and Japanese through IME composition', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/form`, 'Form fixture');
    // ASCII into the <input>, then Ctrl+A and Backspace clear it, then type again.
    await clickRemote(page, 200, 60);
    // The hidden IME textarea moves to the remote caret, so the candidate window opens there.
    const caret = async () =>
      page.locator('textarea.ime-input').evaluate((el) => ({ left: parseFloat((el as HTMLElement).style.left), top: parseFloat((el as HTMLElement).style.top) }));
    await waitUntil(async () => {
      const { left, top } = await caret();
      return left >= 40 && left <= 60 && top >= 40 && top <= 80;
    }, 5000, 'IME textarea at the empty input');
    await page.keyboard.type('hello world');
    await site.waitForReport((r) => r.kind === 'form' && r.i === 'hello world');
    await waitUntil(async () => (await caret()).left > 120, 5000, 'IME textarea following the caret');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await site.waitForReport((r) => r.kind === 'form' && r.i === '');
    await page.keyboard.type('abc');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.type('X');
    await site.waitForReport((r) => r.kind === 'form' && r.i === 'abXc');

    // Japanese via the client's IME: composition in the local textarea, committed remotely.
    const cdp = await page.context().newCDPSession(page);
    const compose = async (steps: string[], commit: string): Promise<void> => {
      for (const text of steps) {
        await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
      }
      await cdp.send('Input.insertText', { text: commit });
      await page.keyboard.press('Shift'); // a keyup lets the fixture report the final value
    };
    await page.keyboard.press('End');
    await compose(['に', 'にほ', 'にほん'], '日本');
    const input = await site.waitForReport((r) => r.kind === 'form' && typeof r.i === 'string' && r.i.includes('日本'));
    expect(input.i).toBe('abXc日本');

    await clickRemote(page, 200, 150);
    await compose(['か', 'かん', 'かんじゃ'], '患者');
    await site.waitForReport((r) => r.kind === 'form' && r.t === '患者');

    await clickRemote(page, 200, 270);
    await compose(['い', 'いりょう'], '医療');
    const compositionEnded = (r: Record<string, unknown>, id: string): boolean =>
      ((r.events as Record<string, number>)[`${id}:compositionend`] ?? 0) > 0;
    const final = await site.waitForReport((r) => r.kind === 'form' && r.c === '医療' && compositionEnded(r, 'c'));
    const events = final.events as Record<string, number>;
    // The page saw real composition and input events, as with a local IME.
    for (const id of ['i', 't', 'c']) {
      expect(events[`${id}:compositionstart`], id).toBe(1);
      expect(events[`${id}:compositionend`], id).toBe(1);
      expect(events[`${id}:input`], id).toBeGreaterThan(0);
    }
    expect(final.i).toBe('abXc日本');
    expect(final.t).toBe('患者');
    await page.context().close();
  });

  it('a target=_blank link becomes a second tab that can be closed', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/popup`, 'Popup fixture');
    await clickRemote(page, 100, 55);
    await expect.poll(() => page.getByRole('tab').count(), { timeout: 10_000 }).toBe(2);
    await page.locator('.page-title', { hasText: 'Button fixture' }).waitFor();
    await page.getByRole('button', { name: 'タブを閉じる' }).last().click();
    await expect.poll(() => page.getByRole('tab').count(), { timeout: 10_000 }).toBe(1);
    await page.locator('.page-title', { hasText: 'Popup fixture' }).waitFor();
    await page.context().close();
  });

  it('an alert loop can be suppressed and the page stays usable', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/alerts`, 'Alert loop');
    await clickRemote(page, 150, 80);
    for (let i = 0; i < 3; i++) {
      const dialog = page.locator('dialog.remote-dialog[open]');
      await dialog.waitFor();
      expect(await dialog.locator('.dialog-text').textContent()).toBe(`loop ${i}`);
      const suppress = dialog.getByRole('checkbox');
      if (i === 2) await suppress.check();
      else expect(await suppress.count()).toBe(0);
      await dialog.getByRole('button', { name: 'OK' }).click();
    }
    await site.waitForReport((r) => r.kind === 'alerts-done');
    await waitUntil(async () => (await canvasPixel(page, 600, 400))[1] > 200, 10_000, 'green page');
    expect(await page.locator('dialog.remote-dialog[open]').count()).toBe(0);
    await page.context().close();
  });

  it('page titles and dialog text reach the toolbar without bidi overrides; markup stays text', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/bidi`, 'Bidi');
    const shown = await page.locator('.page-title').textContent();
    expect(shown).toBe('Bidi fdp.exe <b>bold</b>');
    expect(await page.locator('.tab-title').first().textContent()).toBe('Bidi fdp.exe <b>bold</b>');
    expect(await page.title()).not.toMatch(/[\u202E\u200B]/);
    expect(await page.locator('.toolbar b').count()).toBe(0);
    await clickRemote(page, 150, 80);
    const dialog = page.locator('dialog.remote-dialog[open]');
    await dialog.waitFor();
    expect(await dialog.locator('.dialog-text').textContent()).toBe('line 1 gnp.exe\nline 2 <i>x</i>');
    await dialog.getByRole('button', { name: 'OK' }).click();
    await page.context().close();
  });

  it('a page stuck in while(true){} shows the unresponsive notice; Reload and Close tab work, and browsing goes on', async () => {
    const page = await signedIn();
    site.reports.length = 0;
    await browseTo(page, `${site.url}/hang`, 'Hang fixture');
    const notice = page.locator('.tab-health[role=alert]');
    // The click must reach the page once its script listens (a reload keeps the old title meanwhile).
    await site.waitForReport((r) => r.kind === 'hang-ready');
    site.reports.length = 0;
    // Reload stops the stuck script and loads the page again.
    await clickRemote(page, 150, 80);
    await notice.filter({ hasText: 'このページは応答していません' }).waitFor({ timeout: 30_000 });
    const loadsBefore = site.requests.filter((p) => p === '/hang').length;
    await notice.getByRole('button', { name: '再読み込み' }).click();
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });
    await expect.poll(() => site.requests.filter((p) => p === '/hang').length, { timeout: 15_000 }).toBeGreaterThan(loadsBefore);
    await page.locator('.page-title', { hasText: 'Hang fixture' }).waitFor();
    await site.waitForReport((r) => r.kind === 'hang-ready');
    // Close tab works on a page that hangs again.
    await clickRemote(page, 150, 80);
    await notice.filter({ hasText: 'このページは応答していません' }).waitFor({ timeout: 30_000 });
    await notice.getByRole('button', { name: 'タブを閉じる' }).click();
    // The only tab is gone; the gateway opens a fresh one and the notice leaves with the hung tab.
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });
    await expect.poll(() => page.locator('.tab-title').allTextContents(), { timeout: 15_000 }).toEqual(['新しいタブ']);
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    await clickRemote(page, 150, 80);
    await site.waitForReport((r) => r.kind === 'clicked');
    await page.context().close();
  });

  it('a crashed page shows the crash notice and Reload brings it back', async () => {
    const page = await signedIn();
    const url = `${site.url}/button?crash`;
    await browseTo(page, url, 'Button fixture');
    const loadsBefore = site.requests.filter((p) => p === '/button').length;
    // Crash the tab's renderer as an out-of-memory kill would (chrome://crash is not reachable by policy).
    const layer = harness.gateway.services.browser;
    if (!(layer instanceof LocalBrowser)) throw new Error('this test needs the in-process browser layer');
    const target = layer.chromium.browser.targets().find((t) => t.url() === url);
    expect(target, 'the remote tab').toBeDefined();
    const cdp = await target!.createCDPSession();
    void cdp.send('Page.crash').catch(() => undefined);
    const notice = page.locator('.tab-health[role=alert]');
    await notice.filter({ hasText: 'このページでエラーが発生し' }).waitFor({ timeout: 15_000 });
    await cdp.detach().catch(() => undefined);
    await notice.getByRole('button', { name: '再読み込み' }).click();
    await notice.waitFor({ state: 'hidden', timeout: 15_000 });
    expect(site.requests.filter((p) => p === '/button').length).toBeGreaterThan(loadsBefore);
    await page.locator('.page-title', { hasText: 'Button fixture' }).waitFor();
    // The page runs and streams again: a click turns it red on the user's screen.
    await clickRemote(page, 150, 80);
    await site.waitForReport((r) => r.kind === 'clicked');
    await waitUntil(async () => {
      const [r, g, b] = await canvasPixel(page, 600, 400);
      return r > 200 && g < 60 && b < 60;
    }, 10_000, 'red page on the canvas');
    await page.context().close();
  });

  it('reconnecting returns to the same tab, and End session destroys it', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    await page.reload();
    await waitForFrame(page);
    await page.locator('.page-title', { hasText: 'Button fixture' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'アドレス' }).inputValue()).toBe(`${site.url}/button`);
    expect(await page.getByRole('tab').count()).toBe(1);

    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'セッション終了' }).click();
    await page.getByRole('alert').filter({ hasText: 'セッションを終了しました' }).waitFor();
    await page.reload();
    await waitForFrame(page);
    await page.locator('.page-title').waitFor({ state: 'attached' });
    expect(await page.getByRole('textbox', { name: 'アドレス' }).inputValue()).toBe('');
    expect(await page.locator('.page-title').textContent()).toBe('');
    await page.context().close();
  });
});
