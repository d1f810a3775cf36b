/**
 * End to end, session recording (issue 16, docs/recording.md): a recorded user sees the
 * banner; what they saw and where they went is stored encrypted; the security team
 * lists, plays and exports it (each audited); other roles cannot; retention deletes
 * old recordings.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../gateway/auth/passwords.js';
import { hashToken } from '../../gateway/auth/auth-service.js';
import { openDatabase } from '../../gateway/database.js';
import { createSqliteStore } from '../../gateway/store/sqlite-repositories.js';
import { RecordingService } from '../../gateway/recording/recording-service.js';
import { decodeFrame } from '../../protocol/index.js';
import { decodeRecords, RecordKind } from '../../protocol/recording-format.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;
let securityCookie: string;
let securityCsrf: string;

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({ 'recording.enabled': true, 'recording.roles': ['admin', 'staff'] }, [site.url]);
  const db = openDatabase(harness.dataDir);
  const store = createSqliteStore(db);
  const sec = store.users.create({ name: 'sec', role: 'security', passwordHash: await hashPassword(randomBytes(16).toString('hex')), mustChangePassword: false });
  securityCookie = randomBytes(32).toString('base64url');
  securityCsrf = randomBytes(24).toString('base64url');
  const now = new Date();
  store.authSessions.create({ idHash: hashToken(securityCookie), userId: sec.id, csrfToken: securityCsrf, sourceIp: '127.0.0.1', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString() });
  db.close();
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function securityPage(where: string): Promise<Page> {
  const context = await newUserContext(browser);
  await context.addCookies([{ name: 'kekkai_sid', value: securityCookie, url: harness.url, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await page.goto(`${harness.url}${where}`);
  return page;
}

describe('session recording', () => {
  let recordingId: string;

  it('records a session with its navigations, encrypted at rest, and tells the user', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await page.getByText('この画面の操作は、情報セキュリティのため記録されています。').waitFor();
    await browseTo(page, `${site.url}/text`, 'Text fixture');
    await browseTo(page, `${site.url}/japanese`, '日本語の記事');
    await page.context().close();
    const { recording } = harness.gateway.services;
    await waitUntil(async () => recording.store.list({ user: 'admin' })[0]?.endedAt != null, 10_000, 'recording closed');
    const summary = recording.store.list({ user: 'admin' })[0]!;
    recordingId = summary.id;
    expect(summary.frames).toBeGreaterThan(0);
    expect(summary.sites).toEqual(['127.0.0.1']);

    // At rest: no page address in the file.
    const dir = path.join(harness.dataDir, 'recordings', recordingId.slice(0, 2));
    const file = path.join(dir, readdirSync(dir).find((f) => f.startsWith(recordingId))!);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readFileSync(file).includes(Buffer.from('/japanese'))).toBe(false);
  });

  it('lets the security team list and play it (audited), and nobody else', async () => {
    const sec = await securityPage('/security');
    const listed = await sec.evaluate(async () => (await (await fetch('/api/security/recordings?user=admin')).json()) as { recordings: Array<{ id: string }> });
    expect(listed.recordings.map((r) => r.id)).toContain(recordingId);
    const bytes = await sec.evaluate(async (id) => [...new Uint8Array(await (await fetch(`/api/security/recordings/${id}/data`)).arrayBuffer())], recordingId);
    const records = [...decodeRecords(Uint8Array.from(bytes))];
    const navigations = records
      .filter((r) => r.kind === RecordKind.Event)
      .map((r) => JSON.parse(new TextDecoder().decode(r.payload)) as { type: string; url?: string })
      .filter((e) => e.type === 'navigation')
      .map((e) => new URL(e.url!).pathname);
    expect(navigations).toEqual(expect.arrayContaining(['/text', '/japanese']));
    expect(navigations.indexOf('/text')).toBeLessThan(navigations.lastIndexOf('/japanese'));
    const frames = records.filter((r) => r.kind === RecordKind.Frame);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => decodeFrame(f.payload) !== null)).toBe(true);
    // Times only go forward.
    expect(records.every((r, i) => i === 0 || r.at >= records[i - 1]!.at)).toBe(true);
    const views = [...harness.gateway.services.audit.records({})].filter((r) => r.event === 'recording-view');
    expect(views.at(-1)).toMatchObject({ userName: 'sec', details: { recording: recordingId, owner: 'admin' } });

    const exported = await sec.evaluate(
      async ({ id, csrf }) => {
        const refused = await fetch(`/api/security/recordings/${id}/export`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrf }, body: '{}' });
        const ok = await fetch(`/api/security/recordings/${id}/export`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kekkai-csrf': csrf }, body: JSON.stringify({ reason: 'インシデント調査 #12', fromMs: 0 }) });
        return { refused: refused.status, status: ok.status, disposition: ok.headers.get('content-disposition'), size: (await ok.arrayBuffer()).byteLength };
      },
      { id: recordingId, csrf: securityCsrf },
    );
    expect(exported).toMatchObject({ refused: 400, status: 200 });
    expect(exported.disposition).toContain('.kekkai-rec');
    expect(exported.size).toBeGreaterThan(0);
    const exports = [...harness.gateway.services.audit.records({})].filter((r) => r.event === 'recording-export');
    expect(exports.at(-1)).toMatchObject({ userName: 'sec', details: { recording: recordingId, reason: 'インシデント調査 #12' } });
    await sec.context().close();

    // The admin (recorded, but without the right) is refused.
    const admin = await (await newUserContext(browser)).newPage();
    await login(admin, harness.url);
    const statuses = await admin.evaluate(async (id) => [(await fetch('/api/security/recordings')).status, (await fetch(`/api/security/recordings/${id}/data`)).status], recordingId);
    expect(statuses).toEqual([403, 403]);
    await admin.context().close();
  });

  it('plays a recording in the security console with its navigations on the timeline, and exports a part with a reason', async () => {
    const sec = await securityPage('/security#recordings');
    // The admin's browsing session (a later admin sign-in only called the API).
    await sec.locator(`button[data-recording="${recordingId}"]`).click();
    const player = sec.getByRole('region', { name: '録画の再生' });
    await player.waitFor();
    const timeline = player.getByRole('list', { name: '出来事（クリックでその時点へ移動）' });
    const entries = await timeline.getByRole('button').allTextContents();
    const shown = entries.filter((e) => e.includes('ページを表示'));
    expect(shown.some((e) => e.includes('/text'))).toBe(true);
    expect(shown.some((e) => e.includes('/japanese'))).toBe(true);
    // Jumping to the article's navigation draws a picture (not a blank canvas).
    await timeline.getByRole('button').filter({ hasText: '/japanese' }).first().click();
    const canvas = player.getByRole('img', { name: '録画された画面' });
    await waitUntil(async () => (await canvas.evaluate((c) => (c as HTMLCanvasElement).width)) > 100, 5000, 'picture drawn');
    const inked = await canvas.evaluate((c) => {
      const el = c as HTMLCanvasElement;
      const data = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i]! < 128 && data[i + 1]! < 128 && data[i + 2]! < 128) dark++;
      return dark;
    });
    expect(inked).toBeGreaterThan(100);

    // Export needs a reason, named at its field.
    await player.getByRole('button', { name: '書き出す' }).click();
    await player.getByText('書き出す理由を入力してください。').waitFor();
    await player.getByLabel('書き出す理由（監査ログに記録）').fill('インシデント #13 の確認');
    const download = sec.waitForEvent('download');
    await player.getByRole('button', { name: '書き出す' }).click();
    expect((await download).suggestedFilename()).toMatch(/^recording-.*\.kekkai-rec$/);
    await waitUntil(async () => [...harness.gateway.services.audit.records({})].some((r) => r.event === 'recording-export' && (r.details as { reason?: string }).reason === 'インシデント #13 の確認'), 5000, 'export audited');
    await sec.context().close();
  });

  it('deletes recordings past their retention and records that it did', async () => {
    const { recording } = harness.gateway.services;
    const before = recording.store.list({}).length;
    expect(before).toBeGreaterThan(0);
    const later = new RecordingService(
      recording.store,
      harness.gateway.services.config.recording,
      harness.gateway.services.audit,
      () => new Date(Date.now() + 91 * 86_400_000),
    );
    expect(await later.purge()).toBe(before);
    expect(recording.store.list({})).toEqual([]);
    expect([...harness.gateway.services.audit.records({})].filter((r) => r.event === 'recording-retention').at(-1)).toMatchObject({ details: { removed: before, retentionDays: 90 } });
  });
});
