/**
 * The user's side of scripts/container-test.sh: a real browser (playwright-core with
 * Debian's Chromium, on the host) signs in to the gateway running in the container,
 * browses the fixture site through the remote Chromium and downloads files through
 * clamd and the sanitizer (CSV, EICAR, an .xlsx rebuilt as .xlsx, a printed page), the
 * way test/e2e/downloads.test.ts does against a gateway in the test process. Exits 1 at
 * the first expectation that fails.
 *
 * Environment: KEKKAI_CT_URL (the published https address), KEKKAI_CT_SITE (the
 * fixture site as the remote browser reaches it), KEKKAI_CT_ADMIN_PASSWORD (the
 * KEKKAI_ADMIN_PASSWORD of the container), KEKKAI_CT_STAFF / KEKKAI_CT_STAFF_PASSWORD
 * (the account made with `kekkai user add` in the container), KEKKAI_CT_OFFICE (0 when
 * the image was built without LibreOffice).
 */
import { readFileSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext } from '../e2e/support/gateway-harness.js';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const started = Date.now();
function ok(what: string): void {
  console.log(`ok - ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new Error(`expected: ${what}`);
}

function panelItem(page: Page, name: string) {
  return page.locator('.download-panel .download-item', { hasText: name });
}

/** Waits for a one-time link in the download panel and fetches the file through it. */
async function downloadOf(page: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  await link.waitFor({ timeout: 90_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync((await download.path())!) };
}

/** The first admin: password from KEKKAI_ADMIN_PASSWORD, TOTP enrolled at first sign-in. */
async function adminSignsIn(browser: Browser, url: string): Promise<void> {
  const context = await newUserContext(browser);
  try {
    await login(await context.newPage(), url, 'admin', setting('KEKKAI_CT_ADMIN_PASSWORD'));
    ok('admin signs in with KEKKAI_ADMIN_PASSWORD, enrols TOTP and sees the first remote frame');
  } finally {
    await context.close();
  }
}

/** A staff account browses the fixture site, downloads four files and prints a page. */
async function staffBrowsesAndDownloads(browser: Browser, url: string, site: string): Promise<void> {
  const context = await newUserContext(browser, 'ja-JP', { acceptDownloads: true });
  const page = await context.newPage();
  await login(page, url, setting('KEKKAI_CT_STAFF'), setting('KEKKAI_CT_STAFF_PASSWORD'));
  ok('staff account from `kekkai user add` signs in and sees the first remote frame');

  await browseTo(page, `${site}/downloads`, 'Downloads fixture');
  ok(`remote browser in the container shows ${site}/downloads`);

  await clickRemote(page, 100, 52);
  const csv = await downloadOf(page, panelItem(page, '報告').locator('a.download-link'));
  expect(csv.name === '報告.csv', `file name 報告.csv, got ${csv.name}`);
  const text = csv.bytes.toString('utf8');
  expect(text.charCodeAt(0) === 0xfeff, 'UTF-8 with a byte order mark');
  expect(text.includes('患者'), 'Shift_JIS converted to UTF-8');
  expect(text.includes("'=HYPERLINK") && !/(^|,)=HYPERLINK/m.test(text), 'the formula cell neutralised');
  ok('Shift_JIS CSV scanned by clamd, sanitized in the container and downloaded as UTF-8 with the formula neutralised');

  await clickRemote(page, 100, 112);
  const item = panelItem(page, 'eicar');
  await item.locator('.download-reason').waitFor({ timeout: 90_000 });
  expect((await item.locator('a.download-link').count()) === 0, 'no link for the infected file');
  ok(`EICAR blocked by clamd with the reason "${(await item.locator('.download-reason').textContent())?.trim()}"`);

  await clickRemote(page, 100, 172);
  const sheet = panelItem(page, 'form');
  if (process.env.KEKKAI_CT_OFFICE === '0') {
    await sheet.locator('.download-reason').waitFor({ timeout: 90_000 });
    ok('.xlsx blocked by an image without LibreOffice');
  } else {
    // Spreadsheets are rebuilt as a new, editable .xlsx by default (issue 14; spreadsheets.xlsx: xlsx).
    const xlsx = await downloadOf(page, sheet.locator('a.download-link'));
    expect(xlsx.name === 'form.xlsx', `form.xlsx delivered as a rebuilt form.xlsx, got ${xlsx.name}`);
    expect(xlsx.bytes.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004', 'an .xlsx (ZIP)');
    ok('.xlsx rebuilt as a new .xlsx in a worker thread in the read-only container');
  }

  await browseTo(page, `${site}/`, 'Container fixture home');
  const links = page.locator('.download-panel a.download-link');
  const before = await links.count();
  await page.getByRole('button', { name: '印刷（PDF）' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.download-panel a.download-link').length > n, before, { timeout: 90_000 });
  const printed = await downloadOf(page, links.nth(before));
  expect(printed.name.endsWith('.pdf') && printed.bytes.subarray(0, 5).toString() === '%PDF-', `printed page as a PDF, got ${printed.name}`);
  ok('page printed to PDF by the remote Chromium and sanitized (poppler) in the container');
  // The context stays open: the session and its renderers are what the checks inside
  // the container look at next. The gateway keeps it after the browser goes.
}

async function main(): Promise<void> {
  const url = setting('KEKKAI_CT_URL');
  const site = setting('KEKKAI_CT_SITE');
  const browser = await launchUserBrowser();
  try {
    await adminSignsIn(browser, url);
    await staffBrowsesAndDownloads(browser, url, site);
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`not ok - ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
