/**
 * End to end, ways around the navigation guard found by the red-team review
 * (issue 9): popups whose first page loaded unchecked (items 1), a read-only site
 * inside an <iframe> of an allowed page (5), and pages brought back by Back (6).
 * Each test does what the attacker or user did and checks what the user would
 * notice (warning or block page, typing refused) and the audit log.
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
import { browseTo, clickRemote, launchUserBrowser, startHarness, waitUntil, type Harness, signedInPage } from './support/gateway-harness.js';

const RULES = `default: allow
rules:
  - id: warn-text
    name: Think before reading
    match: { path: /text }
    action: warn
  - id: ro-form
    match: { path: /form }
    action: read-only
`;
const BLOCK_JAPANESE = `${RULES}  - id: no-japanese
    match: { path: /japanese }
    action: block
`;

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

function savePolicy(yaml: string): void {
  const db = openDatabase(harness.dataDir);
  const saved = new PolicyService(new SqlitePolicyRepository(db)).save(yaml, { comment: 'e2e' });
  db.close();
  expect(saved.ok).toBe(true);
}

interface NavigationDetails {
  url: string;
  verdict: string;
  mainFrame: boolean;
  reason: string;
}

/** Audit records of navigations to `path` on the fixture site. */
function navigationsTo(path: string): Array<{ event: string; details: NavigationDetails }> {
  const db = openDatabase(harness.dataDir);
  const log = new AuditLog(new SqliteAuditRepository(db), loadAuditKey({ dataDir: harness.dataDir, create: false })!.key);
  const records = [...log.records({})];
  db.close();
  return records
    .filter((r) => r.event === 'navigation' || r.event === 'navigation-blocked')
    .map((r) => ({ event: r.event, details: r.details as unknown as NavigationDetails }))
    .filter((r) => r.details.url === `${site.url}${path}`);
}

const signedIn = (): Promise<Page> => signedInPage(browser, harness);

/** Types into the form fixture's first field at (200, 60): refused with the read-only notice, nothing reaches the page. */
async function expectTypingRefused(page: Page): Promise<void> {
  await clickRemote(page, 200, 60);
  await page.keyboard.type('abc');
  await page.getByRole('status').filter({ hasText: '閲覧専用' }).waitFor({ timeout: 10_000 });
  // Give typed keys that got through time to be reported before checking none did.
  await page.waitForTimeout(500);
  expect(site.reports.filter((r) => r.kind === 'form' && (r.i || r.t || r.c))).toEqual([]);
}

/**
 * Opens `to` from an opener page. The wait names `to`: after the first popup closes, the
 * tab still shows the opener for the previous target, and a click sent before the new
 * opener has loaded lands in the old document as it is replaced (no popup).
 */
async function openPopup(page: Page, how: 'script' | 'link', to: string): Promise<void> {
  await browseTo(page, `${site.url}/open?how=${how}&to=${encodeURIComponent(to)}`, `Opener fixture ${to}`);
  await clickRemote(page, 100, 60);
  await expect.poll(() => page.getByRole('tab').count(), { timeout: 15_000 }).toBe(2);
}

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite('127.0.0.3'), launchUserBrowser()]);
  harness = await startHarness({ 'egress.allowPrivate': ['127.0.0.3/32'] }, [site.url]);
  savePolicy(RULES);
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

describe('URL rules the remote page tries to get around', () => {
  for (const how of ['script', 'link'] as const) {
    it(`a popup opened by ${how === 'script' ? 'window.open()' : 'a target=_blank link'} gets the warning page, a read-only one takes no typing, both audited`, async () => {
      const page = await signedIn();
      await openPopup(page, how, '/text');
      await page.locator('.page-title', { hasText: '確認が必要です' }).waitFor({ timeout: 15_000 });
      await waitUntil(async () => navigationsTo('/text').some((r) => r.details.verdict === 'warn' && r.details.mainFrame), 10_000, 'the warn page audited');
      await page.getByRole('button', { name: 'タブを閉じる' }).last().click();
      await expect.poll(() => page.getByRole('tab').count(), { timeout: 10_000 }).toBe(1);

      await openPopup(page, how, '/form');
      await page.locator('.page-title', { hasText: 'Form fixture' }).waitFor({ timeout: 15_000 });
      await waitUntil(async () => navigationsTo('/form').some((r) => r.details.verdict === 'read-only' && r.details.mainFrame), 10_000, 'the read-only page audited');
      await expectTypingRefused(page);
      await page.context().close();
    });
  }

  it('an allowed page embedding a read-only site in an <iframe> takes no typing', async () => {
    const page = await signedIn();
    const before = navigationsTo('/form').length;
    await browseTo(page, `${site.url}/frame?src=/form`, 'Frame fixture');
    await waitUntil(async () => navigationsTo('/form').some((r, i) => i >= before && r.details.verdict === 'read-only' && !r.details.mainFrame), 10_000, 'the framed page judged');
    await expectTypingRefused(page);
    await page.context().close();
  });

  it('Back to a read-only page still refuses typing, and the return is audited', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/form`, 'Form fixture');
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    const before = navigationsTo('/form').length;
    await page.getByRole('button', { name: '戻る' }).click();
    await page.locator('.page-title', { hasText: 'Form fixture' }).waitFor({ timeout: 15_000 });
    await waitUntil(async () => navigationsTo('/form').length > before, 10_000, 'the return to the read-only page audited');
    await expectTypingRefused(page);
    await page.context().close();
  });

  // Changes the policy: keep it last.
  it('Back to a page that a newer policy version blocks shows the block page', async () => {
    const page = await signedIn();
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    await browseTo(page, `${site.url}/button`, 'Button fixture');
    savePolicy(BLOCK_JAPANESE);
    // The gateway re-reads the stored policy at most once a second.
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: '戻る' }).click();
    await page.locator('.page-title', { hasText: 'アクセスがブロックされました' }).waitFor({ timeout: 15_000 });
    await waitUntil(async () => navigationsTo('/japanese').some((r) => r.event === 'navigation-blocked'), 10_000, 'the blocked return audited');
    await page.context().close();
  });
});
