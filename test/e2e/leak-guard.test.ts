/**
 * End to end, the leak guard (issue 16, docs/leak-guard.md): a valid My Number pasted
 * into a remote form is stopped with a Japanese explanation and an audit record that
 * holds it masked, one with a wrong check digit goes through; a warn rule asks for a
 * reason and sends the text with it; an upload containing the hospital's patient-ID
 * format is refused; the admin API refuses an unsafe pattern naming the field. The
 * watermark shows user, Japan time and address over the page in a screenshot, only on
 * its sites, and takes no clicks.
 */
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLeakGuardPolicy } from '../../policies/leak-guard.js';
import { startFixtureSite, type FixtureSite } from './support/fixture-site.js';
import { browseTo, clickRemote, launchUserBrowser, login, newUserContext, startHarness, waitUntil, type Harness } from './support/gateway-harness.js';

let harness: Harness;
let site: FixtureSite;
let browser: Browser;

const VALID_MY_NUMBER = '1234 5678 9018';
const WRONG_CHECK_DIGIT = '1234 5678 9012';

beforeAll(async () => {
  [site, browser] = await Promise.all([startFixtureSite(), launchUserBrowser()]);
  harness = await startHarness({ 'upload.enabled': true, 'watermark.enabled': true, 'watermark.sites': ['127.0.0.1'], 'watermark.opacity': 0.3 }, [site.url]);
  harness.gateway.services.leakGuard.update(
    parseLeakGuardPolicy({
      rules: [
        { id: 'my-number', name: 'マイナンバー', detector: 'my-number', action: 'block', channels: ['paste', 'typing', 'upload'] },
        { id: 'patient-id', name: '患者 ID', detector: 'regex', pattern: 'KJ\\d{7}', action: 'block', channels: ['upload'] },
        { id: 'phone', name: '電話番号', detector: 'phone', action: 'warn', channels: ['paste'] },
      ],
    }),
    { userId: null, userName: 'test', role: null, sourceIp: null },
  );
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

function leakRecords(): Array<{ outcome: string; details: Record<string, unknown>; userName: string | null }> {
  return [...harness.gateway.services.audit.records({})].filter((r) => r.event === 'leak-guard') as never;
}

async function pasteInto(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await clickRemote(page, 200, 240);
  await page.keyboard.press('Control+V');
}

async function textPage(): Promise<Page> {
  const context = await newUserContext(browser);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: harness.url });
  const page = await context.newPage();
  await login(page, harness.url);
  site.reports.length = 0;
  await browseTo(page, `${site.url}/text`, 'Text fixture');
  return page;
}

describe('leak guard', () => {
  it('stops a pasted valid My Number with a Japanese message and a masked audit record; a wrong check digit passes', async () => {
    const page = await textPage();
    const before = leakRecords().length;
    await pasteInto(page, `番号 ${VALID_MY_NUMBER}`);
    await page.getByText('マイナンバー）が含まれているため、送信を止めました').waitFor();
    await waitUntil(async () => leakRecords().length > before, 5000, 'audit record');
    const record = leakRecords().at(-1)!;
    expect(record).toMatchObject({ outcome: 'blocked', userName: 'admin', details: { channel: 'paste', rules: ['my-number'], masked: ['************18'] } });
    expect(JSON.stringify(record)).not.toContain('5678');

    await pasteInto(page, WRONG_CHECK_DIGIT);
    const pasted = await site.waitForReport((r) => r.kind === 'pasted');
    // Only the second paste reached the field.
    expect(pasted.value).toBe(WRONG_CHECK_DIGIT);
    await page.context().close();
  });

  it('erases a My Number typed digit by digit from the remote field when the number ends', async () => {
    const page = await textPage();
    await clickRemote(page, 200, 240);
    await page.keyboard.type('1234 5678 9018');
    await site.waitForReport((r) => r.kind === 'pasted' && r.value === '1234 5678 9018');
    await page.keyboard.press('Tab');
    await page.getByText('マイナンバー）が入力されたため、その部分を入力欄から消去しました').waitFor();
    await site.waitForReport((r) => r.kind === 'pasted' && r.value === '');
    expect(leakRecords().at(-1)).toMatchObject({ outcome: 'blocked', details: { channel: 'typing', rules: ['my-number'] } });
    await page.context().close();
  });

  it('asks for a reason before text a rule warns about is sent, and records the reason', async () => {
    const page = await textPage();
    await pasteInto(page, '連絡先 03-1234-5678');
    const dialog = page.getByRole('dialog', { name: '患者情報が含まれている可能性があります' });
    await dialog.waitFor();
    // A reason is required.
    await dialog.getByRole('button', { name: '理由を記録して送信' }).click();
    await dialog.getByText('理由を入力してください。').waitFor();
    await dialog.getByRole('textbox').fill('紹介先病院への連絡');
    await dialog.getByRole('button', { name: '理由を記録して送信' }).click();
    const pasted = await site.waitForReport((r) => r.kind === 'pasted');
    expect(pasted.value).toBe('連絡先 03-1234-5678');
    const records = leakRecords().filter((r) => r.details.channel === 'paste' && (r.details.rules as string[]).includes('phone'));
    expect(records.map((r) => r.outcome)).toEqual(['warned', 'allowed-with-reason']);
    expect(records[1]!.details.reason).toBe('紹介先病院への連絡');
    await page.context().close();
  });

  it('refuses an upload that contains the hospital\'s patient-ID format, and lets a clean one through', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    site.reports.length = 0;
    await browseTo(page, `${site.url}/upload`, 'Upload fixture');
    await clickRemote(page, 150, 70);
    let dialog = page.locator('dialog[open]');
    await dialog.locator('input[type=file]').setInputFiles({ name: '紹介状.csv', mimeType: 'text/csv', buffer: Buffer.from('患者,ID\n山田,KJ1234567\n') });
    await dialog.getByRole('button', { name: 'アップロード', exact: true }).click();
    await page.getByText('患者 ID）が含まれているため、送信を止めました').waitFor();
    const record = leakRecords().at(-1)!;
    expect(record).toMatchObject({ outcome: 'blocked', details: { channel: 'upload', name: '紹介状.csv', rules: ['patient-id'], masked: ['*******67'] } });
    expect(site.reports.some((r) => r.kind === 'uploaded')).toBe(false);

    await clickRemote(page, 150, 70);
    dialog = page.locator('dialog[open]');
    await dialog.locator('input[type=file]').setInputFiles({ name: 'お知らせ.txt', mimeType: 'text/plain', buffer: Buffer.from('本日は休診です') });
    await dialog.getByRole('button', { name: 'アップロード', exact: true }).click();
    const uploaded = await site.waitForReport((r) => r.kind === 'uploaded');
    expect(uploaded).toMatchObject({ name: 'お知らせ.txt', text: '本日は休診です' });
    await page.context().close();
  });

  it('refuses an unsafe admin pattern with the field it is in, and tries a text against the rules', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    const result = await page.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { csrfToken: string };
      const headers = { 'content-type': 'application/json', 'x-kekkai-csrf': me.csrfToken };
      const bad = await fetch('/api/admin/leak-guard', {
        method: 'PUT',
        headers,
        body: JSON.stringify({ rules: [{ id: 'x', name: 'X', detector: 'regex', pattern: '(a+)+b', action: 'block', channels: ['paste'] }] }),
      });
      const tried = await fetch('/api/admin/leak-guard/try', { method: 'POST', headers, body: JSON.stringify({ text: '1234-5678-9018', channel: 'typing' }) });
      return { status: bad.status, body: await bad.json(), tried: await tried.json() };
    });
    expect(result.status).toBe(400);
    expect(result.body.code).toBe('KEKKAI_ERR_LEAK_POLICY_INVALID');
    expect(result.body.issues[0].path).toBe('rules.0.pattern');
    expect(result.tried).toMatchObject({ action: 'block', matches: [{ ruleId: 'my-number', masked: '************18' }] });
    await page.context().close();
  });
});

describe('leak guard in the admin console', () => {
  it('adds a rule with the hospital\'s format, refuses an unsafe pattern at its field, and tries a text', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    await page.goto(`${harness.url}/admin#leak-guard`);
    const rules = page.locator('#leak-rules > li');
    await rules.first().waitFor();
    const before = await rules.count();
    await page.locator('#add-leak-rule').click();
    const added = rules.nth(before);
    await added.getByLabel('名前（利用者と監査ログに表示）').fill('外来番号');
    await added.getByLabel('見つけるもの').selectOption('regex');
    await added.getByLabel('正規表現').fill('(a+)+b');
    await page.locator('#save-leak-guard').click();
    await added.getByText('照合に時間がかかるおそれがあるため使えません').waitFor();
    expect(await added.getByLabel('正規表現').getAttribute('aria-invalid')).toBe('true');
    await added.getByLabel('正規表現').fill('GA\\d{6}');
    await page.locator('#save-leak-guard').click();
    await page.locator('#leak-guard').getByText('保存しました。').waitFor();
    const saved = harness.gateway.services.leakGuard.policy().rules.find((r) => r.name === '外来番号');
    expect(saved).toMatchObject({ detector: 'regex', pattern: 'GA\\d{6}', action: 'block', channels: ['paste', 'typing', 'upload'] });
    expect([...harness.gateway.services.audit.records({})].some((r) => r.event === 'leak-guard-policy' && r.userName === 'admin')).toBe(true);

    await page.locator('#leak-try-text').fill('外来 GA123456 です');
    await page.locator('#leak-try').click();
    await page.locator('#leak-try-result', { hasText: '判定：ブロック（送信を止める）、見つかったもの：外来番号（******56）' }).waitFor();
    await page.context().close();
  });
});

describe('watermark', () => {
  /** Share of pixels that differ between two screenshots of the same size. */
  async function differingShare(a: Buffer, b: Buffer): Promise<number> {
    const [x, y] = await Promise.all([sharp(a).raw().toBuffer({ resolveWithObject: true }), sharp(b).raw().toBuffer({ resolveWithObject: true })]);
    let differing = 0;
    const px = x.info.width * x.info.height;
    for (let i = 0; i < px; i++) {
      const o = i * x.info.channels;
      if (Math.abs(x.data[o]! - y.data[o]!) + Math.abs(x.data[o + 1]! - y.data[o + 1]!) + Math.abs(x.data[o + 2]! - y.data[o + 2]!) > 24) differing++;
    }
    return differing / px;
  }

  it('draws user, Japan time and address over the page on its sites only, visibly in a screenshot, and lets clicks through', async () => {
    const page = await (await newUserContext(browser)).newPage();
    await login(page, harness.url);
    const mark = page.locator('[data-watermark]');
    // A blank page is not one of the watermark's sites.
    await expect(mark.isHidden()).resolves.toBe(true);
    await browseTo(page, `${site.url}/text`, 'Text fixture');
    await waitUntil(async () => mark.isVisible(), 5000, 'watermark shown');
    const label = (await mark.getAttribute('data-watermark'))!;
    expect(label).toMatch(/^admin {2}\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} {2}127\.0\.0\.1$/);
    const background = decodeURIComponent(await mark.evaluate((el) => (el as HTMLElement).style.backgroundImage));
    expect(background).toContain('admin');

    const stage = page.locator('main.stage');
    const withMark = await stage.screenshot();
    await mark.evaluate((el) => ((el as HTMLElement).style.visibility = 'hidden'));
    const withoutMark = await stage.screenshot();
    await mark.evaluate((el) => ((el as HTMLElement).style.visibility = ''));
    // The repeated text covers a visible share of the screen.
    expect(await differingShare(withMark, withoutMark)).toBeGreaterThan(0.01);

    // Clicks pass through it to the remote page: the field below gets the typed text.
    const box = (await page.locator('canvas.remote-canvas').boundingBox())!;
    expect(await page.evaluate(([x, y]) => document.elementFromPoint(x!, y!)?.tagName, [box.x + 200, box.y + 240])).toBe('CANVAS');
    site.reports.length = 0;
    await clickRemote(page, 200, 240);
    await page.keyboard.type('abc');
    await site.waitForReport((r) => r.kind === 'pasted' && r.value === 'abc');
    await page.context().close();
  });
});
