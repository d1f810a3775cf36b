/**
 * Directory sign-in against a real OpenLDAP slapd on loopback (LDAPS, test CA),
 * through the real login route: roles from nested groups, refusals with clear
 * messages, no takeover of a local account, filter injection, the console's tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHarness } from '../gateway/app-harness.js';
import { PASSWORD } from '../gateway/app-harness.js';
import type { SignedIn } from '../admin/admin-helpers.js';
import { adminCall, cookieOf, directoryApp, host, login } from './directory-helpers.js';
import { groupDn, startSlapd, USER_PW, userDn, type Slapd } from './slapd-harness.js';

let slapd: Slapd;
let h: AppHarness;
let admin: SignedIn;

beforeAll(async () => {
  slapd = await startSlapd();
  ({ h, admin } = await directoryApp(slapd));
});
afterAll(async () => {
  await h?.close();
  await slapd?.stop();
});

const auditOf = (event: string) => h.audit.search({ events: [event] }, { limit: 1000 }).records;

describe('directory sign-in (OpenLDAP, LDAPS)', () => {
  it('signs in a nurse of a nested group as staff, with department and job from the directory, and audits the new account', async () => {
    const res = await login(h, 'tanaka', USER_PW);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user).toEqual({ name: 'tanaka', role: 'staff' });
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie: cookieOf(res) } });
    expect(me.json().user.name).toBe('tanaka');
    const account = h.store.users.findByName('tanaka')!;
    expect(account).toMatchObject({ authSource: 'ldap', role: 'staff', department: '看護部', jobTitle: '看護師', disabled: false, mustChangePassword: false });
    expect(account.externalId).toMatch(/^[0-9a-f-]{36}$/);
    const provision = auditOf('account-change').find((r) => r.details.action === 'provision' && r.details.account === 'tanaka');
    expect(provision?.details).toMatchObject({ source: 'sign-in', authSource: 'ldap', locator: userDn('tanaka'), before: null });
    expect(auditOf('login').find((r) => r.userName === 'tanaka' && r.outcome === 'success')?.details).toMatchObject({ authSource: 'ldap' });
  });

  it('maps an admin through two levels of groups and asks for kekkai\'s second factor', async () => {
    const res = await login(h, 'sato', USER_PW);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().needsTotpEnrolment).toBe(true);
    expect(h.store.users.findByName('sato')?.role).toBe('admin');
  });

  it('refuses a wrong password like a local one', async () => {
    const res = await login(h, 'tanaka', 'wrong-password-1!');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('KEKKAI_ERR_INVALID_CREDENTIALS');
    expect(res.json().message.ja).toContain('パスワードが正しくありません');
  });

  it('refuses a person locked in the directory with a message that says so', async () => {
    const res = await login(h, 'taisha', USER_PW);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_DIRECTORY_DISABLED');
    expect(res.json().message.ja).toContain('ディレクトリ');
    expect(h.store.users.findByName('taisha')).toBeUndefined();
  });

  it('refuses a person in no mapped group, creates no account and records the groups it saw', async () => {
    const res = await login(h, 'yamada', USER_PW);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_NO_MAPPED_GROUP');
    expect(res.json().message.en).toContain('not in a group that may use kekkai');
    expect(h.store.users.findByName('yamada')).toBeUndefined();
    const refused = auditOf('login').find((r) => r.userName === 'yamada');
    expect(refused?.details).toMatchObject({ reason: 'no-mapped-group', groups: [groupDn('other')] });
  });

  it('never takes over a local account of the same name: refused and audited, the local account unchanged', async () => {
    const res = await login(h, 'nurse', USER_PW);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('KEKKAI_ERR_NAME_CONFLICT');
    expect(res.json().message.ja).toContain('ローカルアカウント');
    const local = h.store.users.findByName('nurse')!;
    expect(local.authSource).toBe('local');
    expect(local.externalId).toBeNull();
    expect(auditOf('login').some((r) => r.userName === 'nurse' && r.details.reason === 'name-conflict')).toBe(true);
    // The break-glass way in still works with the local password.
    expect((await login(h, 'nurse', PASSWORD)).statusCode).toBe(200);
  });

  it('treats filter syntax in the name as a literal name: no sign-in', async () => {
    for (const name of ['*)(uid=*', '*', 'tanaka)(|(uid=*', 'tanaka*']) {
      const res = await login(h, name, USER_PW);
      expect(res.statusCode, name).toBe(401);
      expect(res.headers['set-cookie'], name).toBeUndefined();
    }
  });

  it('refuses an empty-looking password without an anonymous bind', async () => {
    const res = await login(h, 'tanaka', ' ');
    expect(res.statusCode).toBe(401);
  });

  it('does not let a directory account change its password in kekkai', async () => {
    const signed = await login(h, 'tanaka', USER_PW);
    const cookie = cookieOf(signed);
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie } });
    const res = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie, 'x-kekkai-csrf': me.json().csrfToken }, payload: { current: USER_PW, next: 'Another-pass-2026!' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_MANAGED_EXTERNALLY');
  });
});

describe('directory settings in the admin console', () => {
  it('refuses a role mapping with errors next to the rows, in Japanese and English', async () => {
    const res = await adminCall(h, admin, 'PUT', '/api/admin/directory/role-mapping', { rules: [{ group: 'kekkai-staff', role: 'staff' }, { group: groupDn('x'), role: 'root' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('KEKKAI_ERR_ROLE_MAPPING_INVALID');
    const errors = res.json().fieldErrors as Array<{ index: number; field: string; message: { ja: string; en: string } }>;
    expect(errors.map((e) => `${e.index}:${e.field}`)).toEqual(['0:group', '1:role']);
    expect(errors[0]!.message.ja).toContain('識別名');
    const status = await adminCall(h, admin, 'GET', '/api/admin/directory');
    expect(status.json().roleMapping).toHaveLength(3);
    expect(status.json().settings).toMatchObject({ mode: 'ldap', urls: [slapd.ldapsUrl] });
  });

  it('「接続テスト」 connects and binds the service account', async () => {
    const res = await adminCall(h, admin, 'POST', '/api/admin/directory/test-connection');
    expect(res.json()).toMatchObject({ ok: true, url: slapd.ldapsUrl });
    expect(res.json().message.ja).toContain('成功');
  });

  it('「ユーザーを試す」 tells the role or the reason without a password', async () => {
    const tanaka = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-user', { username: 'tanaka' })).json();
    expect(tanaka).toMatchObject({ found: true, role: 'staff', refusal: null, department: '看護部', matchedRule: 2 });
    expect(tanaka.groups).toEqual(expect.arrayContaining([groupDn('nurses'), groupDn('kekkai-staff')]));
    const yamada = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-user', { username: 'yamada' })).json();
    expect(yamada).toMatchObject({ found: true, role: null, refusal: 'no-mapped-group' });
    expect(yamada.message.ja).toContain('グループ');
    const taisha = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-user', { username: 'taisha' })).json();
    expect(taisha.refusal).toBe('directory-disabled');
    const clash = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-user', { username: 'nurse' })).json();
    expect(clash.refusal).toBe('name-conflict');
    const nobody = (await adminCall(h, admin, 'POST', '/api/admin/directory/test-user', { username: '*' })).json();
    expect(nobody).toMatchObject({ found: false, refusal: 'not-found' });
  });

  it('keeps role and department of a directory account out of the console\'s hands', async () => {
    const id = h.store.users.findByName('tanaka')!.id;
    const res = await adminCall(h, admin, 'PUT', `/api/admin/accounts/${id}`, { role: 'admin' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('KEKKAI_ERR_MANAGED_EXTERNALLY');
    expect((await adminCall(h, admin, 'PUT', `/api/admin/accounts/${id}`, { expiresOn: '2099-12-31' })).statusCode).toBe(200);
  });
});
