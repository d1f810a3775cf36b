/**
 * End to end, security console (issue 5, issue 9 items 3–4): a staff user's downloads
 * of `eicar.com` and of a harmless `memo.pdf` are both blocked as type-mismatch (before
 * the sanitizer's virus scan) and quarantined. A security user finds them in /security;
 * the console rescans each with current signatures: releasing the EICAR is refused with
 * the signature shown, the harmless file is released with a justification, the staff
 * user is told and collects it once; the audit page shows each step with its scan.
 * The primary buttons must be readable (contrast ≥ 4.5 from the computed colours).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../gateway/auth/auth-service.js';
import { hashPassword } from '../../gateway/auth/passwords.js';
import { openDatabase } from '../../gateway/database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, startHarness, type Harness, signedInPage, newUserContext } from './support/gateway-harness.js';

// EICAR is assembled at run time so no file in the repository is flagged.
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
const STAFF_PASSWORD = 'e2e-Staff-password-456!';
const HARMLESS = 'お知らせ: 来週の勉強会は 3 階会議室です。\n';
const JUSTIFICATION = '内容を確認済みの業務文書（e2e）';
const REFUSED_JUSTIFICATION = '医師の依頼による（e2e-refused）';

let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;
let securityCookie: string;

beforeAll(async () => {
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', {
      // Links at y = 52 and 112 on /downloads. Both are text, so both are blocked as
      // type-mismatch before the sanitizer's scan: neither record has a signature.
      '/files/eicar.com': { body: Buffer.from(EICAR), contentType: 'application/octet-stream', filename: 'eicar.com' },
      '/files/memo.pdf': { body: Buffer.from(HARMLESS), contentType: 'application/pdf', filename: 'memo.pdf' },
    }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket, 'session.workers': 1 }, [site.url]);
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

async function staffDownloadsBoth(): Promise<Page> {
  const page = await signedInPage(browser, harness, { user: 'nurse', password: STAFF_PASSWORD, acceptDownloads: true });
  await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
  for (const [y, name] of [[52, 'eicar.com'], [112, 'memo.pdf']] as const) {
    await clickRemote(page, 80, y);
    const item = page.locator('.download-panel .download-item', { hasText: name });
    await item.locator('.download-reason').waitFor({ timeout: 60_000 });
    expect(await item.locator('a.download-link').count()).toBe(0);
  }
  return page;
}

/** WCAG contrast ratio of a button's computed text colour on its own (opaque) background. */
async function contrast(button: Locator): Promise<number> {
  const { bg, fg } = await button.evaluate((el) => ({ bg: getComputedStyle(el).backgroundColor, fg: getComputedStyle(el).color }));
  const rgba = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number);
  const [br, bgG, bb, alpha = 1] = rgba(bg);
  // A see-through primary button is not a primary button: count it as unreadable.
  if (alpha < 1) return 1;
  const luminance = ([r, g, b]: number[]): number => {
    const lin = (c: number): number => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
  };
  const [l1, l2] = [luminance([br!, bgG!, bb!]), luminance(rgba(fg))].sort((a, b) => b - a);
  return (l1! + 0.05) / (l2! + 0.05);
}

async function securityPage(path: string): Promise<Page> {
  const context = await newUserContext(browser, 'ja-JP', { acceptDownloads: true, viewport: { width: 1300, height: 900 } });
  await context.addCookies([{ name: 'kekkai_sid', value: securityCookie, url: harness.url, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`${harness.url}${path}`);
  return page;
}

describe('security console', () => {
  it('rescans before release: refuses the EICAR blocked as type-mismatch, releases a harmless file, audits both', async () => {
    const staff = await staffDownloadsBoth();

    // The officer lands on the overview: both blocked downloads are counted (issue 13).
    const sec = await securityPage('/security');
    await sec.getByRole('heading', { name: '概要' }).waitFor();
    await expect.poll(() => sec.locator('#blocked-today').textContent()).toBe('2 件');
    expect(await sec.locator('#blocked-week').textContent()).toBe('2 件');
    expect(await sec.locator('#top-sites li').first().textContent()).toMatch(/^127\.0\.0\.1\s*2 件$/);
    expect(await sec.locator('#overview-chain').textContent()).toMatch(/^異常なし/);
    await sec.getByRole('link', { name: '隔離ファイル' }).click();
    await sec.getByRole('heading', { name: '隔離ファイル' }).waitFor();
    // Issue 9 item 4: the primary buttons were white on white.
    expect(await contrast(sec.getByRole('button', { name: '検索' }))).toBeGreaterThanOrEqual(4.5);
    await sec.getByLabel('ユーザー名').fill('nurse');
    await sec.getByLabel('判定').selectOption('blocked');
    await sec.getByRole('button', { name: '検索' }).click();
    await sec.getByRole('button', { name: '詳細: eicar.com' }).click();
    const detail = sec.getByRole('region', { name: '隔離ファイルの詳細' });
    await expect.poll(() => detail.locator('dd[data-field="name"]').textContent()).toBe('eicar.com');
    // Blocked before the scan: the record itself names no virus ...
    expect(await detail.locator('dd[data-field="signature"]').textContent()).toBe('—');
    expect(await detail.locator('dd[data-field="reason"]').textContent()).toBe('拡張子と中身の不一致');
    expect(await detail.locator('dd[data-field="user"]').textContent()).toBe('nurse');
    expect(await detail.locator('dd[data-field="sha256"]').textContent()).toMatch(/^[0-9a-f]{64}$/);
    // ... but the console's fresh scan with current signatures does.
    const scan = detail.locator('[data-field="scan"]');
    await expect.poll(() => scan.getAttribute('data-status'), { timeout: 30_000 }).toBe('infected');
    expect(await scan.textContent()).toMatch(/ウイルスを検出: .*Eicar.*解放できません/i);

    const release = detail.getByRole('button', { name: 'ダウンロードしたユーザーに原本を解放' });
    expect(await contrast(release)).toBeGreaterThanOrEqual(4.5);
    // Without a justification nothing happens but a message.
    await release.click();
    await detail.getByText('理由を入力してください。').waitFor();
    await detail.getByLabel('理由（必須、1000 文字以内）').fill(REFUSED_JUSTIFICATION);
    await release.click();
    // Refused, with the reason and the signature in the console.
    const refusal = detail.locator('.console-status', { hasText: '検出されたため、原本は解放できません' });
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toMatch(/Eicar/i);
    const nothing = await staff.evaluate(async () => ((await (await fetch('/api/released')).json()) as { files: unknown[] }).files.length);
    expect(nothing).toBe(0);

    // The harmless file blocked the same way scans clean and is released.
    await sec.getByRole('button', { name: '詳細: memo.pdf' }).click();
    await expect.poll(() => detail.locator('dd[data-field="name"]').textContent()).toBe('memo.pdf');
    await expect.poll(() => scan.getAttribute('data-status'), { timeout: 30_000 }).toBe('clean');
    expect(await scan.textContent()).toMatch(/^検出なし/);
    await detail.getByLabel('理由（必須、1000 文字以内）').fill(JUSTIFICATION);
    await detail.getByRole('button', { name: 'ダウンロードしたユーザーに原本を解放' }).click();
    await sec.getByText('解放しました。ユーザーは一度だけ原本を受け取れます。').waitFor({ timeout: 30_000 });

    // The staff user's viewer is told, and the original comes through the one-time link once.
    await staff.locator('.notice', { hasText: 'memo.pdf' }).waitFor({ timeout: 10_000 });
    // ... and the download panel offers the released original with its one-time link.
    await staff.locator('.download-panel a.download-link[href^="/api/released/"]').waitFor({ timeout: 10_000 });
    const fetched = await staff.evaluate(async () => {
      const { files } = (await (await fetch('/api/released')).json()) as { files: Array<{ href: string }> };
      const first = await fetch(files[0]!.href);
      const again = await fetch(files[0]!.href);
      return { count: files.length, body: await first.text(), disposition: first.headers.get('content-disposition'), again: again.status };
    });
    expect(fetched).toMatchObject({ count: 1, body: HARMLESS, again: 404 });
    expect(fetched.disposition).toMatch(/^attachment;/);

    // The audit page shows the blocked download, the refused release with its scan, the release and the delivery.
    await sec.goto(`${harness.url}/security#audit`);
    await sec.getByRole('heading', { name: '監査ログ' }).waitFor();
    expect(await contrast(sec.getByRole('button', { name: '検索' }))).toBeGreaterThanOrEqual(4.5);
    await sec.locator('.chain-status', { hasText: '正常' }).waitFor();
    const rows = sec.locator('table.console-table tbody tr');
    const download = rows.filter({ has: sec.locator('td', { hasText: /^ダウンロード$/ }) }).filter({ hasText: 'eicar.com' });
    await download.first().waitFor();
    expect(await download.first().textContent()).toMatch(/ブロック/);
    const refused = rows.filter({ hasText: '操作：原本の解放' }).filter({ hasText: 'eicar.com' });
    await refused.first().waitFor();
    expect(await refused.first().textContent()).toMatch(/失敗.*refused：scan.*"status":"infected","signature":"Eicar/is);
    expect(await refused.first().textContent()).toContain(REFUSED_JUSTIFICATION);
    const released = rows.filter({ hasText: /操作：原本の解放(?!の申請)/ }).filter({ hasText: 'memo.pdf' });
    await released.first().waitFor();
    expect(await released.first().textContent()).toContain(JUSTIFICATION);
    expect(await released.first().textContent()).toContain('"status":"clean"');
    await rows.filter({ hasText: '操作：原本の受け取り' }).first().waitFor();

    // Search narrows to the justification text.
    await sec.getByLabel('キーワード').fill('e2e）');
    await sec.getByRole('button', { name: '検索' }).click();
    await expect.poll(() => rows.count()).toBe(2);

    // Deleting asks first; afterwards the detail closes and the list says so (issue 13).
    await sec.goto(`${harness.url}/security#quarantine`);
    await sec.getByRole('button', { name: '詳細: eicar.com' }).click();
    const toDelete = sec.getByRole('region', { name: '隔離ファイルの詳細' });
    await expect.poll(() => toDelete.locator('dd[data-field="name"]').textContent()).toBe('eicar.com');
    await toDelete.getByLabel('理由（必須、1000 文字以内）').fill('調査済みのため削除（e2e-delete）');
    const asked: string[] = [];
    sec.once('dialog', (d) => void (asked.push(d.message()), d.accept()));
    await toDelete.getByRole('button', { name: '削除' }).click();
    await sec.locator('.console-status', { hasText: '削除しました。' }).waitFor();
    expect(asked).toEqual(['この隔離ファイルを削除しますか？元に戻せません。']);
    expect(await sec.locator('section.detail').isHidden()).toBe(true);
    expect(await sec.getByRole('button', { name: '詳細: eicar.com' }).count()).toBe(0);

    await staff.context().close();
    await sec.context().close();
  });

  it('shows the console in English with ?lang=en and refuses the API to staff', async () => {
    const sec = await securityPage('/security?lang=en#quarantine');
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
