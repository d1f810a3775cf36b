/**
 * End to end (issue 12): a staff user's blocked download offers 「解放を申請」 in the
 * viewer's download panel; the request, with the user's reason, waits in the security
 * console's approvals; a rejection reaches the user as a notice with the security
 * team's reason, an approval puts the one-time link in their panel.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../gateway/auth/auth-service.js';
import { hashPassword } from '../../gateway/auth/passwords.js';
import { openDatabase } from '../../gateway/database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, startHarness, type Harness, signedInPage, newUserContext } from './support/gateway-harness.js';

const STAFF_PASSWORD = 'e2e-Staff-password-789!';
const HARMLESS = 'お知らせ: 来週の勉強会は 3 階会議室です。\n';

let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;
let securityCookie: string;

beforeAll(async () => {
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', {
      // Links at y = 52 and 112 on /downloads; text sent as PDF is blocked as type-mismatch.
      '/files/memo.pdf': { body: Buffer.from(HARMLESS), contentType: 'application/pdf', filename: 'memo.pdf' },
      '/files/notice.pdf': { body: Buffer.from(HARMLESS), contentType: 'application/pdf', filename: 'notice.pdf' },
    }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket, 'session.workers': 1 }, [site.url]);
  const db = openDatabase(harness.dataDir);
  const store = createSqliteStore(db);
  store.users.create({ name: 'nurse', role: 'staff', passwordHash: await hashPassword(STAFF_PASSWORD), mustChangePassword: false });
  const sec = store.users.create({ name: 'sec', role: 'security', passwordHash: await hashPassword(randomBytes(16).toString('hex')), mustChangePassword: false });
  securityCookie = randomBytes(32).toString('base64url');
  const now = new Date();
  store.authSessions.create({
    idHash: hashToken(securityCookie),
    userId: sec.id,
    csrfToken: randomBytes(24).toString('base64url'),
    sourceIp: '127.0.0.1',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  });
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
  await clamd?.stop();
});

async function securityPage(path: string): Promise<Page> {
  const context = await newUserContext(browser, 'ja-JP', { viewport: { width: 1300, height: 900 } });
  await context.addCookies([{ name: 'kekkai_sid', value: securityCookie, url: harness.url, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`${harness.url}${path}`);
  return page;
}

async function requestRelease(staff: Page, name: string, reason: string): Promise<void> {
  const item = staff.locator('.download-panel .download-item', { hasText: name });
  await item.getByRole('button', { name: '解放を申請' }).click();
  await item.getByRole('button', { name: '申請する' }).click();
  await item.getByText('理由を入力してください。').waitFor();
  await item.getByLabel('申請の理由（必須・1000 文字以内）').fill(reason);
  await item.getByRole('button', { name: '申請する' }).click();
  await item.getByText('解放を申請しました。').waitFor({ timeout: 10_000 });
}

describe('release requests from the download panel', () => {
  it('reaches the security console; rejection and approval reach the user', async () => {
    const staff = await signedInPage(browser, harness, { user: 'nurse', password: STAFF_PASSWORD, acceptDownloads: true });
    await browseTo(staff, `${site.url}/downloads`, 'Downloads fixture');
    for (const [y, name] of [[52, 'memo.pdf'], [112, 'notice.pdf']] as const) {
      await clickRemote(staff, 80, y);
      await staff.locator('.download-panel .download-item', { hasText: name }).locator('.download-ref-number').waitFor({ timeout: 60_000 });
    }
    await requestRelease(staff, 'memo.pdf', '委員会資料として必要です（e2e-memo）');
    await requestRelease(staff, 'notice.pdf', '院内掲示に使います（e2e-notice）');

    const sec = await securityPage('/security#approvals');
    await sec.getByRole('heading', { name: '承認待ちの解放' }).waitFor();
    await sec.getByText('承認待ち 2 件（うち利用者本人からの申請 2 件）').waitFor();
    // The menu shows the count on every page (issue 13).
    const badge = sec.locator('.console-menu .menu-badge');
    await expect.poll(() => badge.textContent()).toBe('2');
    expect(await badge.getAttribute('aria-label')).toBe('承認待ち 2 件');
    const memo = sec.locator('tr', { hasText: 'memo.pdf' });
    expect(await memo.textContent()).toContain('委員会資料として必要です（e2e-memo）');
    expect(await memo.textContent()).toContain('利用者本人からの申請');
    await memo.getByLabel('理由（必須、1000 文字以内）').fill('送付元に PDF での再送を依頼してください');
    // Rejecting asks first (issue 13), then says so.
    sec.once('dialog', (d) => void d.accept());
    await memo.getByRole('button', { name: '却下' }).click();
    await sec.locator('.console-status', { hasText: '却下しました。' }).waitFor();
    await staff.locator('.notice', { hasText: '却下しました' }).filter({ hasText: '送付元に PDF での再送を依頼してください' }).waitFor({ timeout: 10_000 });

    await sec.getByText('承認待ち 1 件（うち利用者本人からの申請 1 件）').waitFor();
    await expect.poll(() => badge.textContent()).toBe('1');
    const notice = sec.locator('tr', { hasText: 'notice.pdf' });
    await expect.poll(() => notice.locator('[data-status]').first().getAttribute('data-status'), { timeout: 30_000 }).toBe('clean');
    await notice.getByLabel('理由（必須、1000 文字以内）').fill('内容を確認しました');
    await notice.getByRole('button', { name: '承認' }).click();
    await staff.locator('.download-panel a.download-link[href^="/api/released/"]').waitFor({ timeout: 30_000 });
    const body = await staff.evaluate(async () => {
      const { files } = (await (await fetch('/api/released')).json()) as { files: Array<{ href: string; name: string }> };
      return { names: files.map((f) => f.name), text: await (await fetch(files[0]!.href)).text() };
    });
    expect(body).toEqual({ names: ['notice.pdf'], text: HARMLESS });
    await staff.context().close();
    await sec.context().close();
  });
});
