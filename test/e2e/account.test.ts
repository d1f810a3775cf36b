/**
 * End to end: a staff user turns on the optional second factor from the account
 * page; the next sign-in asks for a code, and a right code lets them in.
 */
import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_PASSWORD, addStaff, launchUserBrowser, login, newUserContext, startHarness, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  [harness, browser] = await Promise.all([startHarness(), launchUserBrowser()]);
  await addStaff(harness, 'kango');
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('account page', () => {
  it('lets staff enrol an optional second factor that the next sign-in requires', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url, 'kango', STAFF_PASSWORD);
    await page.getByRole('link', { name: 'アカウント設定' }).click();
    await page.getByRole('button', { name: '二要素認証を設定する' }).click();
    const secret = (await page.locator('code.totp-secret').textContent())!.trim();
    expect(await page.getByRole('img', { name: '認証アプリ用の QR コード' }).getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    await page.getByLabel('認証アプリに表示された 6 桁のコード').fill(totp.generate());
    await page.getByRole('button', { name: '確認' }).click();
    await page.locator('ul.recovery-codes li').first().waitFor();
    expect(await page.locator('ul.recovery-codes li').count()).toBe(10);

    // The password alone no longer signs this account in.
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kango', password: 'staff-Password-2026!' }) });
      return r.json() as Promise<{ needsTotp?: boolean; pendingToken?: string }>;
    });
    expect(res.needsTotp).toBe(true);
    const signedIn = await page.evaluate(async ({ token, code }) => {
      const r = await fetch('/api/login/totp', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pendingToken: token, code }) });
      return r.status;
    }, { token: res.pendingToken!, code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(signedIn).toBe(200);
    await page.context().close();
  });
});
