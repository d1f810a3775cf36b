/**
 * Backup of a running gateway (issue 6): while a real gateway serves a signed-in
 * browser session, `kekkai backup` takes a consistent copy; restored into a fresh
 * data directory, the policies, accounts and the audit chain are all there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAudit } from '../../gateway/cli/audit-command.js';
import { runBackup, runRestore } from '../../gateway/cli/backup-command.js';
import { loadConfig } from '../../gateway/config/load-config.js';
import { PolicyService } from '../../gateway/policy-store/policy-service.js';
import { SqlitePolicyRepository } from '../../gateway/policy-store/sqlite-policy-repository.js';
import { openDatabase } from '../../gateway/database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { STAFF_PASSWORD, addStaff, browseTo, launchUserBrowser, login, newUserContext, startHarness, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kekkai-backup-e2e-'));

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({}, [site.url]);
  await addStaff(harness, 'kango');
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('backup of a running gateway', () => {
  it('restores policies, accounts and an intact audit chain into a fresh data directory', async () => {
    // Live state: a policy version, a signed-in session browsing, audit records.
    const db = openDatabase(harness.dataDir);
    const saved = new PolicyService(new SqlitePolicyRepository(db)).save('default: allow\nrules:\n  - id: no-webmail\n    match: { domain: mail.example.test }\n    action: block\n', { comment: 'before backup' });
    db.close();
    expect(saved.ok).toBe(true);
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url, 'kango', STAFF_PASSWORD);
    await browseTo(page, `${site.url}/button`, 'Button fixture');

    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const archive = path.join(scratch, 'kekkai-backup.tar');
      expect(await runBackup(['--out', archive], loadConfig({ env: {}, overrides: { dataDir: harness.dataDir } }))).toBe(0);
      // More activity after the snapshot must not matter to it.
      await browseTo(page, `${site.url}/form`, 'Form fixture');
      const restored = path.join(scratch, 'restored');
      const config = loadConfig({ env: {}, overrides: { dataDir: restored } });
      expect(await runRestore([archive], config)).toBe(0);
      expect(await runAudit(['verify'], config)).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const rdb = openDatabase(path.join(scratch, 'restored'));
    const store = createSqliteStore(rdb);
    expect(store.users.findByName('kango')?.role).toBe('staff');
    expect(store.users.findByName('admin')?.role).toBe('admin');
    const policy = new PolicyService(new SqlitePolicyRepository(rdb));
    expect(policy.evaluate('https://mail.example.test/inbox', { role: 'staff' }).verdict).toBe('block');
    const navigations = rdb.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE event = 'navigation'").get() as { n: number };
    expect(navigations.n).toBeGreaterThan(0);
    store.close();
    await page.context().close();
  });
});
