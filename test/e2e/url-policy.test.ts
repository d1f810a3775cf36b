/**
 * End to end, URL policy (issue 3): blocked pages show the block page in the
 * remote browser, warn pages need a reason, read-only pages take no typing, the
 * remote browser cannot reach the gateway itself or loopback addresses that are
 * not allow-listed, and every navigation and refusal lands in the audit log.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../gateway/audit/audit-log.js';
import { loadAuditKey } from '../../gateway/audit/audit-key.js';
import { SqliteAuditRepository } from '../../gateway/audit/sqlite-audit-repository.js';
import { PolicyService } from '../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase } from '../../gateway/database.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

const POLICY = `default: allow
contact: 情報システム課 内線 1234
rules:
  - id: no-button
    name: Button page blocked
    match: { path: /button }
    action: block
  - id: warn-text
    name: Think before reading
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

function auditRecords() {
  const db = openDatabase(harness.dataDir);
  const log = new AuditLog(new SqliteAuditRepository(db), loadAuditKey({ dataDir: harness.dataDir, create: false })!.key);
  const records = [...log.records({})];
  const verified = log.verify();
  db.close();
  return { records, verified };
}

beforeAll(async () => {
  [site, otherLoopback, browser] = await Promise.all([startFixtureSite('127.0.0.3'), startFixtureSite('127.0.0.2'), launchUserBrowser()]);
  // Both fixture ports are open; only 127.0.0.3 is an allow-listed address, so
  // `localhost` (127.0.0.1 here) stands for a name that resolves to an internal address.
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

describe('URL policy in the remote browser', () => {
  it('shows the block page naming the rule and the contact line', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/button`, 'アクセスがブロックされました');
    await waitUntil(async () => auditRecords().records.some((r) => r.event === 'navigation-blocked' && (r.details as { rule?: { id: string } }).rule?.id === 'no-button'), 5000, 'audit record');
    const { records, verified } = auditRecords();
    const blocked = records.find((r) => r.event === 'navigation-blocked')!;
    expect(blocked).toMatchObject({ userName: 'admin', role: 'admin', outcome: 'blocked', sourceIp: '127.0.0.1' });
    expect((blocked.details as { url: string }).url).toBe(`${site.url}/button`);
    expect(verified.ok).toBe(true);
    expect(site.reports.some((r) => r.kind === 'clicked')).toBe(false);
    await page.context().close();
  });

  it('asks for a reason on warn pages, records it and then continues', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/text`, '確認が必要です');
    // The warning page's textarea sits below the facts; find it by tabbing from the page start.
    await clickRemote(page, 5, 5);
    for (let i = 0; i < 1; i++) await page.keyboard.press('Tab');
    await page.keyboard.type('drug information for a patient');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('.page-title', { hasText: 'Text fixture' }).waitFor({ timeout: 15_000 });
    const ack = auditRecords().records.find((r) => (r.details as { verdict?: string }).verdict === 'warn-acknowledged' && (r.details as { userReason?: string }).userReason);
    expect((ack!.details as { userReason: string }).userReason).toBe('drug information for a patient');
    await page.context().close();
  });

  it('refuses typing on read-only pages with a notice', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await browseTo(page, `${site.url}/form`, 'Form fixture');
    await clickRemote(page, 200, 60);
    await page.keyboard.type('abc');
    await page.getByRole('status').filter({ hasText: '閲覧専用' }).waitFor();
    await new Promise((r) => setTimeout(r, 500));
    expect(site.reports.some((r) => r.kind === 'form' && r.i)).toBe(false);
    await page.context().close();
  });

  it('refuses internal targets reached by redirect, fetch(), <img>, WebSocket and a name resolving to loopback', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    const own = new URL(harness.url);
    const otherPort = new URL(otherLoopback.url).port;
    const targets = [otherLoopback.url, `http://127.0.0.1:${own.port}`, `http://localhost:${otherPort}`];
    await browseTo(page, `${site.url}/bypass?${targets.map((t) => `target=${encodeURIComponent(t)}`).join('&')}`, 'Bypass fixture');
    const refusals = () => auditRecords().records.filter((r) => r.event === 'egress-refused').map((r) => r.details as { host: string; code: string; kind: string });
    const explain = (err: Error): never => {
      throw new Error(`${err.message}: ${JSON.stringify(refusals().map((d) => [d.host, d.code, d.kind]))}`);
    };
    const other = () => refusals().filter((d) => d.host === '127.0.0.2');
    // The page's own attempts first (leaving it earlier could cancel them in flight).
    await waitUntil(async () => {
      const r = refusals();
      return (
        other().filter((d) => d.kind === 'http').length >= 2 && // fetch() and <img>
        other().some((d) => d.kind === 'connect') && // WebSocket
        r.some((d) => d.host === '127.0.0.1' && d.code === 'own-endpoint') &&
        r.some((d) => d.host === 'localhost' && d.code === 'address')
      );
    }, 15_000, 'the page\'s bypass attempts refused in the audit log').catch(explain);
    const before = other().length;
    const address = page.getByRole('textbox', { name: 'アドレス' });
    await address.fill(`${site.url}/redirect?to=${encodeURIComponent(`${otherLoopback.url}/from-redirect`)}`);
    await address.press('Enter');
    // The redirected navigation is stopped by the navigation guard (block page) or, if it
    // slipped past, by the proxy: either way it is refused and recorded.
    const redirectBlocked = () =>
      auditRecords().records.some((r) => r.event === 'navigation-blocked' && String((r.details as { url?: string }).url).includes('127.0.0.2'));
    await waitUntil(async () => redirectBlocked() || other().length > before, 15_000, 'the redirect refused in the audit log').catch(explain);
    expect(otherLoopback.requests).toEqual([]);
    expect(site.requests).toContain('/redirect');
    await page.context().close();
  });

  it('cannot reach the gateway itself or loopback addresses that are not allow-listed', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    const own = new URL(harness.url);
    const address = page.getByRole('textbox', { name: 'アドレス' });
    for (const url of [`http://127.0.0.1:${own.port}/login`, `${otherLoopback.url}/button`]) {
      await address.fill(url);
      await address.press('Enter');
      await page.waitForTimeout(500);
    }
    await waitUntil(async () => {
      const refusals = auditRecords().records.filter((r) => r.event === 'egress-refused');
      return refusals.some((r) => (r.details as { code: string }).code === 'own-endpoint') && refusals.some((r) => (r.details as { code: string; host: string }).code === 'address' && (r.details as { host: string }).host === '127.0.0.2');
    }, 10_000, 'egress refusals in the audit log');
    expect(otherLoopback.reports).toHaveLength(0);
    await page.context().close();
  });
});
