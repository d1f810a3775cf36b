/**
 * End to end, admin console (issue 5, issue 13): the admin signs in with TOTP (enrolled
 * in the UI from the secret shown) and lands on the admin console, adds a block rule in
 * the policy editor, tests a URL and sees 「ブロック」, creates a staff account; that
 * staff user, browsing the site through the viewer, gets the block page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { ADMIN_PASSWORD, browseTo, enrolTotpInPage, launchUserBrowser, newUserContext, startHarness, waitForFrame, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;
const STAFF_FIRST = 'Kango-first-pass-01';
const STAFF_NEXT = 'Kango-own-password-2026';

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({ 'session.workers': 1 }, [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function adminSignsInWithTotp(page: Page): Promise<void> {
  await page.goto(`${harness.url}/login`);
  await page.getByLabel('ユーザー名').fill('admin');
  await page.getByLabel('パスワード').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('heading', { name: '二要素認証の設定' }).waitFor();
  expect(await page.getByRole('img', { name: '認証アプリ用の QR コード' }).getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
  const { recoveryCodes } = await enrolTotpInPage(page);
  expect(recoveryCodes).toHaveLength(10);
  await page.getByRole('button', { name: '続行' }).click();
  // Issue 13: an admin lands on the admin console, not in an empty browser.
  await page.waitForURL((url) => url.pathname === '/admin');
}

describe('admin console', () => {
  it('admin enrols TOTP, adds a block rule, tests it, creates staff; staff sees the block page', async () => {
    const admin = await (await newUserContext(browser)).newPage();
    await adminSignsInWithTotp(admin);
    await admin.getByRole('heading', { name: 'URL ポリシー' }).waitFor();
    // Its header links to the browser; the viewer's toolbar links back.
    expect(await admin.locator('.console-places a').allTextContents()).toEqual(['安全ブラウザ']);

    // Add a block rule in the editor and save it as a new version.
    await admin.getByLabel('ルール ID').fill('no-button');
    await admin.getByLabel('名前', { exact: true }).fill('ボタンページ禁止');
    await admin.getByLabel('条件の種類').selectOption('path');
    await admin.getByLabel('条件の値（カンマ区切り）').fill('/button');
    await admin.getByLabel('動作', { exact: true }).selectOption('block');
    await admin.locator('#add-rule').click();
    await admin.getByRole('table', { name: 'ルール（上から順に評価）' }).getByText('no-button').waitFor();
    await admin.locator('#save-policy').click();
    await admin.locator('#policy .status', { hasText: '保存しました。' }).first().waitFor();

    // The test box says "block" and names the rule.
    await admin.getByLabel('ルール ID').fill('');
    await admin.getByLabel('テストする URL').fill(`${site.url}/button`);
    await admin.locator('#run-test').click();
    await admin.locator('#test-result .verdict', { hasText: 'ブロック' }).waitFor();
    expect(await admin.locator('#test-result').textContent()).toContain('no-button');

    // A staff account with a one-time password, on the accounts page.
    await admin.getByRole('link', { name: 'アカウントと役割' }).click();
    const form = admin.getByRole('group', { name: 'アカウントを作成' });
    await form.getByLabel('ユーザー名').fill('kango');
    await form.getByLabel('役割', { exact: true }).selectOption('staff');
    await form.getByLabel('部署').fill('看護部');
    await form.getByLabel('初回パスワード（次回ログイン時に変更）').fill(STAFF_FIRST);
    await form.getByRole('button', { name: 'アカウントを作成' }).click();
    await admin.locator('#account-table').getByText('kango', { exact: true }).waitFor();

    // Staff: one-time password → own password → viewer → block page.
    const staff = await (await newUserContext(browser)).newPage();
    await staff.goto(`${harness.url}/login`);
    await staff.locator('#username').fill('kango');
    await staff.locator('#password').fill(STAFF_FIRST);
    await staff.locator('form button[type=submit]').click();
    await staff.waitForURL((url) => url.pathname === '/password');
    await staff.locator('#current').fill(STAFF_FIRST);
    await staff.locator('#next').fill(STAFF_NEXT);
    await staff.locator('#confirm').fill(STAFF_NEXT);
    await staff.locator('form button[type=submit]').click();
    await staff.waitForURL((url) => url.pathname === '/');
    await waitForFrame(staff);
    await browseTo(staff, `${site.url}/button`, 'アクセスがブロックされました');
    expect(site.reports.some((r) => r.kind === 'clicked')).toBe(false);

    // The admin sees the staff session live, with its URL.
    await admin.goto(`${harness.url}/admin#sessions`);
    await admin.locator('#sessions').getByText('kango（職員）').waitFor();
    await admin.goto(`${harness.url}/`);
    await admin.locator('.toolbar a.console-link', { hasText: '管理コンソール' }).waitFor();
    await staff.context().close();
    await admin.context().close();
  });
});
