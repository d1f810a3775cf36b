/**
 * End to end, the consoles a hospital's admin and security officer use (issue 13):
 * each role lands where it works and the viewer's toolbar links only what the role
 * may open; a Japanese account name gets a Japanese error next to the field; a rule
 * named in Japanese gets an ID that saving accepts; the file policy form round-trips;
 * ending a session asks first and says what happened; every console page, walked in
 * Japanese mode, shows no English words (names, addresses and product names aside)
 * and passes axe-core's WCAG 2.1 AA rules, colour contrast included, at 1366×768.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../gateway/auth/auth-service.js';
import { hashPassword } from '../../gateway/auth/passwords.js';
import { openDatabase } from '../../gateway/database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { launchUserBrowser, newUserContext, signInThroughForm, startHarness, STAFF_PASSWORD, waitForFrame, type Harness } from './support/gateway-harness.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const VIEWPORT = { width: 1366, height: 768 };

let harness: Harness;
let browser: Browser;
let site: FixtureSite;
const cookies: Record<'admin' | 'security', string> = { admin: '', security: '' };

/** A signed-in session straight in the store, so these tests do not walk the TOTP screens (tested elsewhere). */
function seedSession(store: ReturnType<typeof createSqliteStore>, userId: number): string {
  const cookie = randomBytes(32).toString('base64url');
  const now = new Date();
  store.authSessions.create({
    idHash: hashToken(cookie),
    userId,
    csrfToken: randomBytes(24).toString('base64url'),
    sourceIp: '127.0.0.1',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3600_000).toISOString(),
  });
  return cookie;
}

beforeAll(async () => {
  [browser, site] = await Promise.all([launchUserBrowser(), startFixtureSite()]);
  harness = await startHarness({}, [site.url]);
  const db = openDatabase(harness.dataDir);
  const store = createSqliteStore(db);
  store.users.create({ name: 'nurse', role: 'staff', passwordHash: await hashPassword(STAFF_PASSWORD), mustChangePassword: false });
  store.users.create({ name: 'kango', role: 'staff', passwordHash: await hashPassword(STAFF_PASSWORD), mustChangePassword: false });
  const admin = store.users.create({ name: 'kanri', role: 'admin', passwordHash: await hashPassword(randomBytes(16).toString('hex')), mustChangePassword: false });
  const sec = store.users.create({ name: 'anzen', role: 'security', passwordHash: await hashPassword(randomBytes(16).toString('hex')), mustChangePassword: false });
  cookies.admin = seedSession(store, admin.id);
  cookies.security = seedSession(store, sec.id);
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function consoleContext(role: 'admin' | 'security'): Promise<BrowserContext> {
  // bypassCSP lets the test inject axe-core; the pages' own CSP is tested elsewhere.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: VIEWPORT, locale: 'ja-JP', bypassCSP: true, acceptDownloads: true });
  await context.addCookies([{ name: 'kekkai_sid', value: cookies[role], url: harness.url, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  return context;
}

async function openPage(page: Page, path: string): Promise<void> {
  await page.goto(`${harness.url}${path}`);
  await page.locator('main h2').first().waitFor();
  await page.waitForLoadState('networkidle');
}

const ADMIN_PAGES = ['policy', 'file-policy', 'start-page', 'leak-guard', 'accounts', 'directory', 'federation', 'sessions', 'settings', 'compliance'];
const SECURITY_PAGES = ['overview', 'quarantine', 'approvals', 'audit', 'recordings', 'compliance'];

/**
 * Latin words a Japanese page may show: product and protocol names, formats, units,
 * and the test's own account names. Anything else in Latin letters is an untranslated
 * label. Data the page marks as data (translate="no": names, hashes, addresses) and
 * the language switch (lang="en") are not words of the UI and are skipped.
 */
const ALLOWED = new Set(
  [
    'kekkai', 'URL', 'YAML', 'CSV', 'PDF', 'SVG', 'Office', 'Word', 'Excel', 'PowerPoint', 'ZIP', 'JPEG', 'PNG', 'LDAP', 'Active', 'Directory',
    'OpenID', 'Connect', 'SAML', 'OIDC', 'Entra', 'ID', 'Keycloak', 'DN', 'CIDR', 'SHA', 'JSON', 'Lines', 'Shift_JIS', 'UTF', 'IdP', 'CA', 'NTP',
    'MB', 'KB', 'ms', 'IP', 'QR', 'TLS', 'LDAPS', 'StartTLS', 'Windows', 'Kerberos', 'https', 'http', 'www', 'mhlw', 'go', 'jp', 'CN', 'OU', 'DC',
    'kanri', 'anzen', 'nurse', 'kango', 'admin', 'B',
  ].map((w) => w.toLowerCase()),
);

async function englishWords(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const skip = (el: Element | null): boolean => !!el?.closest('[translate="no"], [lang="en"], script, style, noscript, textarea');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || skip(el)) continue;
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      if (n.textContent?.trim()) out.push(n.textContent);
    }
    // Labels such as 「上へ: rule-1x2y3z」 name data shown elsewhere as data (translate="no"): that part is data too.
    const data = [...document.querySelectorAll('[translate="no"]')].map((el) => el.textContent?.trim() ?? '').filter((t) => t.length > 1).sort((a, b) => b.length - a.length);
    for (const el of document.querySelectorAll('[aria-label], [title]')) {
      if (skip(el)) continue;
      for (const a of ['aria-label', 'title']) {
        let text = el.getAttribute(a);
        if (!text) continue;
        for (const d of data) text = text.split(d).join(' ');
        out.push(text);
      }
    }
    for (const o of document.querySelectorAll('option')) if (!skip(o)) out.push(o.textContent ?? '');
    return out;
  });
  const words = new Set<string>();
  for (const text of texts) {
    // Environment variable names, addresses and CIDRs are configuration, not prose.
    const cleaned = text.replace(/KEKKAI_[A-Z0-9_]+/g, ' ').replace(/https?:\/\/\S+/g, ' ').replace(/[\w.-]+\.(?:jp|com|local|example)\b/g, ' ');
    for (const w of cleaned.match(/[A-Za-z][A-Za-z_]+/g) ?? []) if (!ALLOWED.has(w.toLowerCase())) words.add(w);
  }
  return [...words];
}

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/** axe-core's WCAG 2.1 A/AA rules on the page; also which rules ran and passed, to be sure it looked. */
async function axeRun(page: Page): Promise<{ violations: AxeViolation[]; passed: string[] }> {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: AxeViolation[]; passes: Array<{ id: string }> }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return {
      violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })),
      passed: result.passes.map((p) => p.id),
    };
  });
}

describe('consoles', () => {
  it('staff land on the viewer with no console links; security land on their console and link to the browser', async () => {
    const staff = await (await newUserContext(browser, 'ja-JP', { viewport: VIEWPORT })).newPage();
    await signInThroughForm(staff, harness.url, 'nurse', STAFF_PASSWORD, false);
    expect(new URL(staff.url()).pathname).toBe('/');
    await waitForFrame(staff);
    expect(await staff.locator('.toolbar a.console-link').count()).toBe(0);
    expect(await staff.evaluate(async () => (await fetch('/api/admin/accounts')).status)).toBe(403);
    await staff.context().close();

    // The landing itself: /start sends each role to its place.
    const sec = await (await consoleContext('security')).newPage();
    await sec.goto(`${harness.url}/start`);
    await sec.waitForURL((u) => u.pathname === '/security');
    await sec.getByRole('heading', { name: '概要' }).waitFor();
    expect(await sec.locator('.console-places a').allTextContents()).toEqual(['安全ブラウザ']);
    // In the viewer, the toolbar links back to the security console only.
    await sec.goto(`${harness.url}/`);
    await waitForFrame(sec);
    expect(await sec.locator('.toolbar a.console-link').allTextContents()).toEqual(['セキュリティコンソール']);
    await sec.context().close();

    const admin = await (await consoleContext('admin')).newPage();
    await admin.goto(`${harness.url}/start`);
    await admin.waitForURL((u) => u.pathname === '/admin');
    await admin.getByRole('navigation', { name: 'kekkai 管理コンソール' }).getByRole('link', { name: 'アカウントと役割' }).click();
    await admin.getByRole('heading', { name: 'アカウントと役割' }).waitFor();
    expect(await admin.evaluate(() => location.hash)).toBe('#accounts');
    await admin.context().close();
  });

  it('a Japanese account name with a space gets a Japanese error next to the name field, from the page and from the API', async () => {
    const page = await (await consoleContext('admin')).newPage();
    await openPage(page, '/admin#accounts');
    const form = page.getByRole('group', { name: 'アカウントを作成' });
    const name = form.getByLabel('ユーザー名');
    await name.fill('山田 花子');
    await form.getByLabel('初回パスワード（次回ログイン時に変更）').fill('Hajime-no-pass-2026');
    await form.getByRole('button', { name: 'アカウントを作成' }).click();
    const error = page.locator(`#${await name.getAttribute('id')}-error`);
    await expect.poll(() => error.textContent()).toContain('ユーザー名に使えるのは文字（日本語可）・数字と「. _ @ -」だけです');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.getAttribute('aria-describedby')).toContain(`${await name.getAttribute('id')}-error`);
    // The error is next to the field: within the viewport when the field is.
    const [fieldBox, errorBox] = [await name.boundingBox(), await error.boundingBox()];
    expect(errorBox!.y - (fieldBox!.y + fieldBox!.height)).toBeLessThan(40);

    // The API says which field broke which rule, never a library message.
    const reply = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/admin/accounts', { method: 'POST', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken }, body: JSON.stringify({ name: '山田 花子', role: 'staff', oneTimePassword: 'x' }) });
      return { status: res.status, body: (await res.json()) as { fieldErrors: Array<{ field: string; rule: string }> } };
    });
    expect(reply.status).toBe(400);
    expect(reply.body.fieldErrors).toContainEqual({ field: 'name', rule: 'pattern' });

    // A Japanese name without a space is a valid name, and is created.
    await name.fill('山田花子');
    await form.getByRole('button', { name: 'アカウントを作成' }).click();
    await page.locator('#account-table').getByText('山田花子', { exact: true }).waitFor();
    expect(await error.textContent()).toBe('');
    await page.context().close();
  });

  it('a rule named in Japanese gets an ID that saving accepts; removing asks first', async () => {
    const page = await (await consoleContext('admin')).newPage();
    await openPage(page, '/admin#policy');
    await page.getByLabel('名前', { exact: true }).fill('電子カルテ');
    await page.getByLabel('条件の値（カンマ区切り）').fill('emr.example.jp');
    await page.getByLabel('動作', { exact: true }).selectOption('allow');
    await page.locator('#add-rule').click();
    const table = page.getByRole('table', { name: 'ルール（上から順に評価）' });
    const row = table.locator('tbody tr', { hasText: '電子カルテ' });
    await row.waitFor();
    const id = (await row.locator('td').nth(1).textContent())!;
    expect(id).toMatch(/^rule-[0-9a-z]{6}$/);
    expect(await row.locator('td').nth(4).textContent()).toBe('許可');
    await page.locator('#save-policy').click();
    await page.locator('#policy .status', { hasText: '保存しました。' }).first().waitFor();

    // Removing asks; declining keeps the rule.
    const asked: string[] = [];
    page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
    await row.getByRole('button', { name: `削除: ${id}` }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain('電子カルテ');
    expect(await row.count()).toBe(1);
    await page.context().close();
  });

  it('the file policy form round-trips: type allowed, size in MB, Office handling; the YAML shows the same', async () => {
    const page = await (await consoleContext('admin')).newPage();
    await openPage(page, '/admin#file-policy');
    const archive = page.locator('#fp-allowed-archive');
    await archive.waitFor();
    expect(await archive.isChecked()).toBe(true);
    expect(await page.locator('#fp-size-office').inputValue()).toBe('50');
    await archive.uncheck();
    await page.locator('#fp-size-office').fill('12.5');
    await page.getByLabel('Office 文書の扱い', { exact: true }).selectOption('block');
    await page.locator('#save-file-policy').click();
    await page.locator('#file-policy .status', { hasText: '保存しました。' }).waitFor();

    await page.reload();
    await page.locator('#fp-allowed-archive').waitFor();
    expect(await page.locator('#fp-allowed-archive').isChecked()).toBe(false);
    expect(await page.locator('#fp-allowed-pdf').isChecked()).toBe(true);
    expect(await page.locator('#fp-size-office').inputValue()).toBe('12.50');
    expect(await page.locator('#fp-size-pdf').inputValue()).toBe('100');
    expect(await page.getByLabel('Office 文書の扱い', { exact: true }).inputValue()).toBe('block');
    const effective = await page.evaluate(async () => ((await (await fetch('/api/admin/file-policy')).json()) as { effective: { allowedGroups: string[]; maxBytes: Record<string, number>; office: string } }).effective);
    expect(effective.allowedGroups).not.toContain('archive');
    expect(effective.maxBytes.office).toBe(Math.round(12.5 * 1024 * 1024));
    expect(effective.office).toBe('block');
    const yaml = await page.locator('#file-policy-yaml').inputValue();
    expect(yaml).toContain(`office: ${Math.round(12.5 * 1024 * 1024)}`);
    expect(yaml).not.toMatch(/- archive/);

    // A bad size is refused at the field, in Japanese, and nothing is saved.
    await page.locator('#fp-size-pdf').fill('0');
    await page.locator('#save-file-policy').click();
    await page.locator('#fp-size-pdf-error', { hasText: '0.01 以上の数値（MB）で入力してください。' }).waitFor();
    await page.context().close();
  });

  it('ending a user\'s session asks first, and then says it was ended', async () => {
    const staff = await (await newUserContext(browser, 'ja-JP', { viewport: VIEWPORT })).newPage();
    await signInThroughForm(staff, harness.url, 'kango', STAFF_PASSWORD);
    await waitForFrame(staff);

    // A printed page goes into the quarantine index under the user who printed it.
    await staff.getByRole('button', { name: '印刷（PDF）' }).click();
    const sec = await (await consoleContext('security')).newPage();
    await openPage(sec, '/security#quarantine');
    const printedBy = async (): Promise<Array<string | null>> =>
      sec.evaluate(async () => ((await (await fetch('/api/security/quarantine?q=print%3A')).json()) as { records: Array<{ userName: string | null; sourceUrl: string | null }> }).records.filter((r) => r.sourceUrl === 'print:').map((r) => r.userName));
    await expect.poll(printedBy, { timeout: 30_000 }).toEqual(['kango']);
    await sec.reload();
    const printedRow = sec.locator('tr[data-printed="true"]');
    await printedRow.waitFor();
    expect(await printedRow.locator('td[data-field="user"]').textContent()).toBe('kango');
    expect(await printedRow.textContent()).toContain('印刷（PDF）');
    await sec.context().close();

    const page = await (await consoleContext('admin')).newPage();
    await openPage(page, '/admin#sessions');
    const end = page.getByRole('button', { name: '終了させる: kango' });
    await end.waitFor();
    const asked: string[] = [];
    page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
    await end.click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toBe('kango さんのセッションを終了させますか？開いているタブはすべて閉じられます。');
    expect(await page.locator('#sessions .status').textContent()).toBe('');
    expect(await end.count()).toBe(1);

    page.once('dialog', (d) => void d.accept());
    await end.click();
    await page.locator('#sessions .status', { hasText: 'kango さんのセッションを終了させました。' }).waitFor();
    await staff.getByText('管理者がセッションを終了しました。').first().waitFor({ timeout: 10_000 });
    await staff.context().close();
    await page.context().close();
  });

  it('the hospital\'s links, kept on the start page, show over a blank tab and open through the policy', async () => {
    const admin = await (await consoleContext('admin')).newPage();
    await openPage(admin, '/admin#start-page');
    await admin.getByLabel('見出し').fill('院内リンク');
    await admin.locator('#add-start-link').click();
    await admin.getByLabel('1 番目: 表示名').fill('院内ポータル');
    // A non-web address is refused at its field.
    await admin.getByLabel('1 番目: URL').fill('ftp://portal.example/');
    await admin.locator('#save-start-page').click();
    await admin.locator('.start-links .field-error', { hasText: 'http:// または https:// で始まる URL を入力してください。' }).waitFor();
    await admin.getByLabel('1 番目: URL').fill(`${site.url}/button`);
    await admin.locator('#save-start-page').click();
    await admin.locator('#start-page .status', { hasText: '保存しました。' }).waitFor();
    // The server checks too, and names the field.
    const refused = await admin.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const res = await fetch('/api/admin/settings/start-page', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrfToken }, body: JSON.stringify({ heading: '', links: [{ title: 'x', url: 'javascript:alert(1)' }] }) });
      return { status: res.status, body: (await res.json()) as { fieldErrors: Array<{ field: string }> } };
    });
    expect(refused.status).toBe(400);
    expect(refused.body.fieldErrors.map((e) => e.field)).toEqual(['links.0.url']);
    await admin.context().close();

    const staff = await (await newUserContext(browser, 'ja-JP', { viewport: VIEWPORT })).newPage();
    await signInThroughForm(staff, harness.url, 'nurse', STAFF_PASSWORD);
    const panel = staff.locator('#start-panel');
    await panel.getByRole('heading', { name: '院内リンク' }).waitFor();
    await panel.getByRole('button', { name: /院内ポータル/ }).click();
    await staff.locator('.page-title', { hasText: 'Button fixture' }).waitFor({ timeout: 15_000 });
    expect(await panel.isHidden()).toBe(true);
    await staff.context().close();
  });

  it('shows the consoles in English with ?lang=en', async () => {
    const page = await (await consoleContext('admin')).newPage();
    await openPage(page, '/admin?lang=en#accounts');
    await page.getByRole('heading', { name: 'Accounts and roles' }).waitFor();
    expect(await page.locator('.console-menu a').first().textContent()).toBe('URL policy');
    // Keyboard focus is visible: the skip link comes into view first, then every control shows an outline.
    await page.keyboard.press('Tab');
    const focused = async (): Promise<{ text: string; outline: string; left: number }> =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return { text: el.textContent ?? '', outline: `${style.outlineStyle} ${style.outlineWidth}`, left: el.getBoundingClientRect().left };
      });
    const skip = await focused();
    expect(skip.text).toBe('Skip to content');
    expect(skip.left).toBeGreaterThanOrEqual(0);
    expect(skip.outline).toBe('solid 3px');
    await page.keyboard.press('Tab');
    expect((await focused()).outline).toBe('solid 3px');
    await page.context().close();
  });

  it('every console page in Japanese mode shows no English words and passes axe-core (WCAG 2.1 AA, contrast included)', async () => {
    const problems: string[] = [];
    for (const [role, base, pages] of [['admin', '/admin', ADMIN_PAGES], ['security', '/security', SECURITY_PAGES]] as const) {
      const page = await (await consoleContext(role)).newPage();
      for (const id of pages) {
        await openPage(page, `${base}#${id}`);
        await page.reload();
        await page.locator('main h2').first().waitFor();
        await page.waitForLoadState('networkidle');
        const english = await englishWords(page);
        if (english.length) problems.push(`${base}#${id}: English words ${english.join(', ')}`);
        const { violations, passed } = await axeRun(page);
        for (const v of violations) problems.push(`${base}#${id}: axe ${v.id} (${v.impact}) ${JSON.stringify(v.nodes)}`);
        // Colour contrast was checked on text that is there, not skipped.
        if (!passed.includes('color-contrast') && !violations.some((v) => v.id === 'color-contrast')) problems.push(`${base}#${id}: axe did not check colour contrast`);
      }
      await page.context().close();
    }
    expect(problems).toEqual([]);
  });
});
