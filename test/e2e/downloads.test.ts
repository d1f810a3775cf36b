/**
 * End to end, downloads (issue 4): a download goes through clamd and the
 * sanitizer and reaches the user only as the rebuilt file through a one-time
 * link; infected files are blocked with a reason and quarantined; printing
 * arrives as a sanitized PDF. The panel says what was done and gives a reference
 * number; it can be minimised and closed, counts what waits in a badge, and lets
 * the wheel through to the page once its list is at its end (issue 12).
 * The worker runs as `nobody` with Chromium's sandbox on where the machine allows it
 * (support/chromium-sandbox.ts).
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAuditKey } from '../../gateway/audit/audit-key.js';
import { AuditLog } from '../../gateway/audit/audit-log.js';
import { SqliteAuditRepository } from '../../gateway/audit/sqlite-audit-repository.js';
import { QuarantineStore } from '../../gateway/downloads/quarantine-store.js';
import { openDatabase } from '../../gateway/database.js';
import { startPrivateClamd, type PrivateClamd } from '../integration/sanitizer/private-clamd.js';
import type { WorkerPool } from '../../gateway/workers/worker-pool.js';
import { expectSandboxAsPlanned, sandboxedWorkers } from './support/chromium-sandbox.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { formWorkbook } from '../fixtures/sanitizer/workbooks.js';
import { browseTo, clickRemote, launchUserBrowser, startHarness, type Harness, signedInPage } from './support/gateway-harness.js';

// EICAR is assembled at run time so no file in the repository is flagged.
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'].join('');
// "患者,値\r\n山田,=HYPERLINK(...)" in Shift_JIS: a Japanese CSV with a formula cell.
const SJIS_CSV = Buffer.from('8ab38ed22c926c0d0a8e529363' + '2c3d48595045524c494e4b28226874747073', 'hex');

let harness: Harness;
let site: FixtureSite;
let clamd: PrivateClamd;
let browser: Browser;

beforeAll(async () => {
  // A ministry-style form: hidden sheets, a hyperlink, formulas, a DDE formula (issue 14).
  const form = Buffer.from((await (await formWorkbook()).xlsx.writeBuffer()) as ArrayBuffer);
  [site, clamd, browser] = await Promise.all([
    startFixtureSite('127.0.0.1', {
      '/files/report.csv': { body: SJIS_CSV, contentType: 'text/csv', filename: '報告.csv' },
      '/files/eicar.txt': { body: Buffer.from(EICAR), contentType: 'text/plain', filename: 'eicar.txt' },
      '/files/form.xlsx': { body: form, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: '届出様式.xlsx' },
    }, {
      // A long page that reports its scroll position, with a download link under the panel's corner.
      '/long': `<title>Long fixture</title><style>body{margin:0;height:5000px}a{position:absolute;left:40px;top:40px;font-size:24px}</style>
<a href="/files/report.csv">report</a>
<script>function report(d){fetch('/report',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(d)});}
let t=0;addEventListener('scroll',()=>{clearTimeout(t);t=setTimeout(()=>report({kind:'scroll',y:scrollY}),100);});</script>`,
    }),
    startPrivateClamd(),
    launchUserBrowser(),
  ]);
  harness = await startHarness({ clamd: clamd.socket, ...sandboxedWorkers(1) }, [site.url]);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
  await clamd?.stop();
});

const signedIn = (): Promise<Page> => signedInPage(browser, harness, { acceptDownloads: true });

function panelItem(page: Page, name: string) {
  return page.locator('.download-panel .download-item', { hasText: name });
}

describe('downloads', () => {
  it('delivers a Shift_JIS CSV only as sanitized UTF-8 through a one-time link', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(page, 100, 52);
    const link = panelItem(page, '報告').locator('a.download-link');
    await link.waitFor({ timeout: 60_000 });
    const href = await link.getAttribute('href');
    // What was done, in plain Japanese, and the reference number.
    const item = panelItem(page, '報告');
    expect(await item.locator('.download-done li').allTextContents()).toEqual([
      '文字コードを Shift_JIS から UTF-8 に変換しました',
      '数式として働くセル 1 件を文字として扱うようにしました',
    ]);
    expect(await item.locator('.download-ref').textContent()).toMatch(/^参照番号: [0-9A-F]{4}-[0-9A-F]{4}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('報告.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('患者');
    expect(text).toContain("'=HYPERLINK");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    // The link works once.
    const again = await page.evaluate(async (url) => (await fetch(url!)).status, href);
    expect(again).toBe(404);
    await page.context().close();
  });

  it('blocks an infected file with the reason, and quarantines the original', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(page, 100, 112);
    const item = panelItem(page, 'eicar');
    await item.locator('.download-reason').waitFor({ timeout: 60_000 });
    expect(await item.locator('a.download-link').count()).toBe(0);
    const db = openDatabase(harness.dataDir);
    const records = new QuarantineStore({ db, dataDir: harness.dataDir }).list({});
    db.close();
    const record = records.find((r) => r.name === 'eicar.txt');
    expect(record?.verdict).toBe('blocked');
    // The blocked item names the next step and the reference number the security console finds it by.
    await item.locator('.download-ref').waitFor();
    expect(await item.locator('.download-next').textContent()).toContain('参照番号をお伝えください');
    expect(await item.locator('.download-ref-number').textContent()).toBe(record!.id.slice(0, 8).toUpperCase().replace(/^(.{4})/, '$1-'));
    expect(record?.signature ?? '').toMatch(/Eicar/i);
    // The audit log has the download with its verdict and the original's hash.
    const auditDb = openDatabase(harness.dataDir);
    const audit = new AuditLog(new SqliteAuditRepository(auditDb), loadAuditKey({ dataDir: harness.dataDir, create: false })!.key);
    const entry = [...audit.records({})].find((r) => r.event === 'download' && (r.details as { name?: string }).name === 'eicar.txt');
    auditDb.close();
    expect(entry).toMatchObject({ outcome: 'blocked', userName: 'admin', role: 'admin', sourceIp: '127.0.0.1' });
    expect((entry!.details as { sha256: string }).sha256).toBe(record!.sha256);
    await page.context().close();
  });

  it('delivers an Excel form as a rebuilt, editable .xlsx and says what was removed', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/downloads`, 'Downloads fixture');
    await clickRemote(page, 100, 172);
    const item = panelItem(page, '届出様式');
    const link = item.locator('a.download-link');
    await link.waitFor({ timeout: 90_000 });
    expect(await item.locator('.download-done li').allTextContents()).toEqual([
      'Excel ブックを、値と書式だけの新しい Excel ブック（.xlsx）に作り直しました（シート 2 枚）',
      '非表示のシート 2 枚を削除しました（中のデータは含まれていません）',
      '外部ファイルへのリンク 1 件を削除しました',
      '数式 3 件を計算済みの値に置き換えました',
      'ハイパーリンク 1 件を削除しました（文字は残っています）',
      '数式として働くセル 2 件を文字として扱うようにしました',
    ]);
    const res = await page.request.get(new URL((await link.getAttribute('href'))!, harness.url).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/\.xlsx/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.body()) as unknown as Parameters<typeof wb.xlsx.load>[0]);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['届出様式', '集計']);
    expect(wb.getWorksheet('届出様式')!.getCell('B4').value).toBe(2469);
    expect(wb.getWorksheet('届出様式')!.getCell('A5').value).toBe('厚労省の様式');
    await page.context().close();
  });

  it('prints the page to a sanitized PDF in the download panel', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    await page.getByRole('button', { name: '印刷（PDF）' }).click();
    const link = page.locator('.download-panel a.download-link').first();
    await link.waitFor({ timeout: 90_000 });
    // Fetched with the user's cookies rather than clicked: under load the panel may redraw the
    // item while a click's download starts, which cancels that download (the link works once).
    const res = await page.request.get(new URL((await link.getAttribute('href'))!, harness.url).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/\.pdf/);
    const bytes = await res.body();
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // The printed original is quarantined under the user who printed it (not "unknown").
    const db = openDatabase(harness.dataDir);
    const printed = new QuarantineStore({ db, dataDir: harness.dataDir }).list({}).find((r) => r.sourceUrl === 'print:');
    db.close();
    expect(printed).toMatchObject({ userName: 'admin' });
    // All of the above ran in a worker whose Chromium is sandboxed where the machine allows it.
    expectSandboxAsPlanned((harness.gateway.services.browser as WorkerPool).status()[0]!.pid!);
    await page.context().close();
  });

  it('has a panel that minimises, closes and comes back, counts what waits, and lets the wheel through to the page', async () => {
    const page = await signedIn();
    site.reports.length = 0;
    await browseTo(page, `${site.url}/long`, 'Long fixture');
    await clickRemote(page, 60, 52);
    const panel = page.getByRole('region', { name: 'ダウンロード' });
    await panel.locator('a.download-link').waitFor({ timeout: 60_000 });
    const button = page.getByRole('button', { name: /^ダウンロード一覧を表示/ });
    expect(await button.getAttribute('aria-label')).toBe('ダウンロード一覧を表示（1 件の対応待ち）');
    expect(await page.locator('.download-badge').textContent()).toBe('1');

    // A wheel over the panel scrolls the page below: the panel's list has nothing to scroll.
    const box = (await panel.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 400);
    const scrolled = await site.waitForReport((r) => r.kind === 'scroll');
    expect(scrolled.y).toBeGreaterThan(100);

    await panel.getByRole('button', { name: 'ダウンロード一覧を最小化' }).click();
    expect(await panel.locator('.download-list').isVisible()).toBe(false);
    await panel.getByRole('button', { name: 'ダウンロード一覧を広げる' }).click();
    expect(await panel.locator('.download-list').isVisible()).toBe(true);
    await panel.getByRole('button', { name: 'ダウンロード一覧を閉じる' }).click();
    expect(await panel.isVisible()).toBe(false);
    await button.click();
    expect(await panel.isVisible()).toBe(true);

    // Saving the file leaves nothing waiting.
    await Promise.all([page.waitForEvent('download'), panel.locator('a.download-link').click()]);
    await expect.poll(() => page.locator('.download-badge').isVisible()).toBe(false);
    await page.context().close();
  });
});
