/**
 * End to end, security console (issue 5): a staff user's EICAR download is blocked
 * and quarantined; a security user finds it in /security, sees the signature,
 * releases it with a justification; the staff user is told and collects the
 * original once; the audit page shows the download, the release and the reason.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../gateway/auth/auth-service.js';
import { hashPassword } from '../../gateway/auth/passwords.js';
import { openDatabase } from '../../gateway/store/sqlite-database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, startHarness, type Harness } from './support/gateway-harness.js';

// EICAR is assembled at run time so no file in the repository is flagged.
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
const STAFF_PASSWORD = 'e2e-Staff-password-456!';
const JUSTIFICATION = '検査用ファイルであることを確認済み（e2e）';

let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;
let securityCookie: string;

beforeAll(async () => {
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', { '/files/eicar.txt': { body: Buffer.from(EICAR), contentType: 'text/plain', filename: 'eicar.txt' } }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket }, [site.url]);
  // Accounts straight into the gateway's database (a second connection; WAL allows it).
  // The security user's session is seeded too, so this test does not depend on the
  // TOTP enrolment screens, which have their own tests.
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

async function staffDownloadsEicar(): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1200, height: 800 }, locale: 'ja-JP', acceptDownloads: true });
  const page = await context.newPage();
  await login(page, harness.url, 'nurse', STAFF_PASSWORD);
  await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
  await clickRemote(page, 80, 52);
  const item = page.locator('.download-panel .download-item', { hasText: 'eicar' });
  await item.locator('.download-reason').waitFor({ timeout: 60_000 });
  expect(await item.locator('a.download-link').count()).toBe(0);
  return page;
}

async function securityPage(path: string): Promise<Page> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1300, height: 900 }, locale: 'ja-JP', acceptDownloads: true });
  await context.addCookies([{ name: 'kekkai_sid', value: securityCookie, url: harness.url, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`${harness.url}${path}`);
  return page;
}

describe('security console', () => {
  it('reviews a quarantined EICAR download, releases it with a justification, and the audit log shows each step', async () => {
    const staff = await staffDownloadsEicar();

    const sec = await securityPage('/security');
    await sec.getByRole('heading', { name: '隔離ファイル' }).waitFor();
    await sec.getByLabel('ユーザー名').fill('nurse');
    await sec.getByLabel('判定').selectOption('blocked');
    await sec.getByRole('button', { name: '検索' }).click();
    await sec.getByRole('button', { name: '詳細: eicar.txt' }).click();
    const detail = sec.getByRole('region', { name: '隔離ファイルの詳細' });
    await expect.poll(() => detail.locator('dd[data-field="signature"]').textContent()).toMatch(/Eicar/i);
    expect(await detail.locator('dd[data-field="user"]').textContent()).toBe('nurse');
    expect(await detail.locator('dd[data-field="sha256"]').textContent()).toMatch(/^[0-9a-f]{64}$/);

    // Without a justification nothing happens but a message.
    await detail.getByRole('button', { name: 'ダウンロードしたユーザーに原本を解放' }).click();
    await detail.getByText('理由を入力してください。').waitFor();
    await detail.getByLabel('理由（必須、1000 文字以内）').fill(JUSTIFICATION);
    await detail.getByRole('button', { name: 'ダウンロードしたユーザーに原本を解放' }).click();
    await sec.getByText('解放しました。ユーザーは一度だけ原本を受け取れます。').waitFor();

    // The staff user's viewer is told, and the original comes through the one-time link once.
    await staff.locator('.notice', { hasText: 'eicar.txt' }).waitFor({ timeout: 10_000 });
    // ... and the download panel offers the released original with its one-time link.
    await staff.locator('.download-panel a.download-link[href^="/api/released/"]').waitFor({ timeout: 10_000 });
    const fetched = await staff.evaluate(async () => {
      const { files } = (await (await fetch('/api/released')).json()) as { files: Array<{ href: string }> };
      const first = await fetch(files[0]!.href);
      const again = await fetch(files[0]!.href);
      return { count: files.length, body: await first.text(), disposition: first.headers.get('content-disposition'), again: again.status };
    });
    expect(fetched).toMatchObject({ count: 1, body: EICAR, again: 404 });
    expect(fetched.disposition).toMatch(/^attachment;/);

    // The audit page shows the blocked download, the release with its justification, and the delivery.
    await sec.goto(`${harness.url}/security#audit`);
    await sec.getByRole('heading', { name: '監査ログ' }).waitFor();
    await sec.locator('.chain-status', { hasText: '正常' }).waitFor();
    const rows = sec.locator('table.console-table tbody tr');
    const download = rows.filter({ has: sec.locator('td', { hasText: /^download$/ }) }).filter({ hasText: 'eicar.txt' });
    await download.first().waitFor();
    expect(await download.first().textContent()).toMatch(/blocked/);
    const release = rows.filter({ hasText: 'action: release /' });
    await release.first().waitFor();
    expect(await release.first().textContent()).toContain(JUSTIFICATION);
    expect(await release.first().textContent()).toContain('sec');
    await rows.filter({ hasText: 'release-delivered' }).first().waitFor();

    // Search narrows to the justification text.
    await sec.getByLabel('キーワード').fill('e2e）');
    await sec.getByRole('button', { name: '検索' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    await staff.context().close();
    await sec.context().close();
  });

  it('shows the console in English with ?lang=en and refuses the API to staff', async () => {
    const sec = await securityPage('/security?lang=en');
    await sec.getByRole('heading', { name: 'Quarantine' }).waitFor();
    expect(await sec.getByLabel('User name').count()).toBe(1);
    await sec.context().close();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const staff = await context.newPage();
    await login(staff, harness.url, 'nurse', STAFF_PASSWORD);
    const status = await staff.evaluate(async () => (await fetch('/api/security/quarantine')).status);
    expect(status).toBe(403);
    await context.close();
  });
});
