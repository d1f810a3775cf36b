/**
 * End to end, directory sign-in (issue 11) with a real OpenLDAP slapd over LDAPS: the
 * admin fills the role mapping in the console (a wrong row is explained next to it),
 * presses 「接続テスト」 and 「ユーザーを試す」; a nurse then signs in on the ordinary
 * login page with her directory password and sees the remote browser.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupDn, SERVICE_DN, startSlapd, SUFFIX, USER_PW, type Slapd } from '../integration/directory/slapd-harness.js';
import { launchUserBrowser, login, newUserContext, startHarness, type Harness } from './support/gateway-harness.js';

let slapd: Slapd;
let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  [slapd, browser] = await Promise.all([startSlapd(), launchUserBrowser()]);
  harness = await startHarness({
    ldap: { url: [slapd.ldapsUrl], mode: 'ldap', caFile: slapd.caFile, baseDn: SUFFIX, groupBaseDn: `ou=groups,${SUFFIX}`, bindDn: SERVICE_DN, bindPasswordFile: slapd.bindPasswordFile, syncMinutes: 0 },
  });
});
afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await slapd?.stop();
});

describe('directory sign-in, end to end', () => {
  it('an admin maps the staff group in the console; a nurse signs in with her directory password and gets a frame', async () => {
    const adminPage = await (await newUserContext(browser)).newPage();
    await login(adminPage, harness.url);
    await adminPage.goto(`${harness.url}/admin#directory`);
    const section = adminPage.locator('#directory');
    await section.getByRole('button', { name: '行を追加' }).click();
    const group = section.getByLabel('グループ（DN） 1');
    await group.fill('kekkai-staff');
    await section.getByRole('button', { name: '対応表を保存' }).click();
    await expect.poll(() => section.locator('#role-mapping .form-error').first().textContent()).toContain('識別名');
    await section.getByLabel('グループ（DN） 1').fill(groupDn('kekkai-staff'));
    await section.getByLabel('役割 1').selectOption('staff');
    await section.getByRole('button', { name: '対応表を保存' }).click();
    await expect.poll(() => section.locator('.status').textContent()).toBe('保存しました。');

    await section.getByRole('button', { name: '接続テスト' }).first().click();
    await expect.poll(() => section.locator('#connection-test-result').textContent()).toContain('成功');
    await section.getByLabel('ログイン名（パスワードは不要）').fill('tanaka');
    await section.getByRole('button', { name: 'ユーザーを試す' }).first().click();
    await expect.poll(() => section.locator('#user-test-result .verdict').textContent()).toBe('役割: 職員');

    const nursePage = await (await newUserContext(browser)).newPage();
    await login(nursePage, harness.url, 'tanaka', USER_PW);
    const me = await nursePage.evaluate(async () => (await (await fetch('/api/me')).json()) as { user: { name: string; role: string } });
    expect(me.user).toMatchObject({ name: 'tanaka', role: 'staff' });
  });
});
