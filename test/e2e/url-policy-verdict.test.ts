/**
 * End to end, one verdict (issue 13): for a table of addresses — policy blocks, warns and
 * read-only pages, an address without a scheme (read as the address bar reads it), `localhost`, 127.0.0.1 and a loopback
 * address that is not allow-listed, the gateway's own port, a port that is not allowed,
 * file: — the admin console's URL test (POST /api/admin/policy/test) answers what the
 * remote browser then does when the same address is typed into its address bar.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../gateway/audit/audit-log.js';
import { loadAuditKey } from '../../gateway/audit/audit-key.js';
import { SqliteAuditRepository } from '../../gateway/audit/sqlite-audit-repository.js';
import { PolicyService } from '../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase } from '../../gateway/database.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

const POLICY = `default: allow
rules:
  - id: no-button
    match: { path: /button }
    action: block
  - id: warn-text
    match: { path: /text }
    action: warn
  - id: ro-form
    match: { path: /form }
    action: read-only
`;

let harness: Harness;
let site: FixtureSite;
let otherLoopback: FixtureSite;
let browser: Browser;

function egressRefusals(): Array<{ host: string; port: number; code: string }> {
  const db = openDatabase(harness.dataDir);
  const log = new AuditLog(new SqliteAuditRepository(db), loadAuditKey({ dataDir: harness.dataDir, create: false })!.key);
  const found = [...log.records({})].filter((r) => r.event === 'egress-refused').map((r) => r.details as { host: string; port: number; code: string });
  db.close();
  return found;
}

beforeAll(async () => {
  [site, otherLoopback, browser] = await Promise.all([startFixtureSite('127.0.0.3'), startFixtureSite('127.0.0.2'), launchUserBrowser()]);
  harness = await startHarness({ 'egress.allowPrivate': ['127.0.0.3/32'], 'session.workers': 1 }, [site.url, otherLoopback.url]);
  const db = openDatabase(harness.dataDir);
  const saved = new PolicyService(new SqlitePolicyRepository(db)).save(POLICY, { comment: 'e2e' });
  db.close();
  expect(saved.ok).toBe(true);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
  await otherLoopback?.close();
});

/** The admin console's URL test, called from the signed-in page as the console does. */
async function testBox(page: Page, url: string): Promise<{ effective: string; refusedBy: string | null; egress: { code: string } | null }> {
  return page.evaluate(async (u) => {
    const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
    const res = await fetch('/api/admin/policy/test', { method: 'POST', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': me.csrfToken }, body: JSON.stringify({ url: u }) });
    return res.json();
  }, url);
}

/** What the remote browser shows after typing `url`: a page title, or an egress refusal in the audit log. */
async function browse(page: Page, url: string, host: string, port: number): Promise<string> {
  const address = page.getByRole('textbox', { name: 'アドレス' });
  // From a neutral page each time, so a title seen is this navigation's.
  await address.fill(`${site.url}/japanese`);
  await address.press('Enter');
  await page.locator('.page-title', { hasText: '日本語の記事' }).waitFor({ timeout: 15_000 });
  const before = egressRefusals().length;
  await address.fill(url);
  await address.press('Enter');
  let seen = '';
  await waitUntil(
    async () => {
      const title = (await page.locator('.page-title').textContent()) ?? '';
      if (egressRefusals().slice(before).some((r) => r.host === host && r.port === port)) seen = 'egress-refused';
      else if (/アクセスがブロックされました/.test(title)) seen = 'block-page';
      else if (/確認が必要です/.test(title)) seen = 'warn-page';
      else if (/Form fixture|Colour fixture|Button fixture/.test(title)) seen = 'loaded';
      return seen !== '';
    },
    20_000,
    `an outcome for ${url}`,
  );
  return seen;
}

describe('URL test box equals browsing', () => {
  it('answers, for each address, what typing it into the remote address bar does', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    const s = new URL(site.url);
    const o = new URL(otherLoopback.url);
    const own = new URL(harness.url);
    const sitePort = Number(s.port);
    // [address, host and port the proxy would be asked for, test box outcome, what browsing shows]
    const rows: Array<[string, string, number, string, string]> = [
      [`${site.url}/color`, '127.0.0.3', sitePort, 'allow', 'loaded'],
      [`${site.url}/form`, '127.0.0.3', sitePort, 'read-only', 'loaded'],
      [`${site.url}/button`, '127.0.0.3', sitePort, 'block', 'block-page'],
      // No scheme: https:// as the address bar reads it (the fixture has no TLS, so browsing falls back to http://).
      [`127.0.0.3:${s.port}/form`, '127.0.0.3', sitePort, 'read-only', 'loaded'],
      [`${site.url}/text`, '127.0.0.3', sitePort, 'warn', 'warn-page'],
      [`http://localhost:${s.port}/color`, 'localhost', sitePort, 'block', 'egress-refused'],
      [`${otherLoopback.url}/color`, '127.0.0.2', Number(o.port), 'block', 'block-page'],
      [`http://127.0.0.1:${own.port}/login`, '127.0.0.1', Number(own.port), 'block', 'block-page'],
      [`http://127.0.0.3:${own.port}/login`, '127.0.0.3', Number(own.port), 'block', 'egress-refused'],
      // (Not port 9 or the like: Chromium refuses its unsafe ports itself, before the proxy.)
      ['http://127.0.0.3:18080/color', '127.0.0.3', 18080, 'block', 'egress-refused'],
    ];
    const mismatches: string[] = [];
    for (const [url, host, port, expectedBox, expectedBrowse] of rows) {
      const box = await testBox(page, url);
      const shown = await browse(page, url, host, port);
      const boxSays = box.effective === 'block' ? (box.refusedBy === 'egress' ? 'egress-refused' : 'block-page') : box.effective === 'warn' ? 'warn-page' : 'loaded';
      if (box.effective !== expectedBox || shown !== expectedBrowse || boxSays !== shown) mismatches.push(`${url}: box ${box.effective}/${box.refusedBy}/${box.egress?.code ?? '-'}, browsing ${shown}`);
    }
    expect(mismatches).toEqual([]);
    expect(otherLoopback.requests).toEqual([]);
    // file: is refused by the test box; the address bar does not open it at all.
    expect((await testBox(page, 'file:///etc/passwd')).effective).toBe('block');
    await page.context().close();
  });
});
