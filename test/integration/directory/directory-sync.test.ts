/**
 * The directory sync against a real slapd: a person removed from their group, or
 * deleted, loses access at the next run — account disabled, audited with the reason,
 * sessions ended — and shows in the unused-account report; back in the group, the
 * account returns unless an admin disabled it.
 */
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppHarness } from '../gateway/app-harness.js';
import { fakeLiveSession, PASSWORD } from '../gateway/app-harness.js';
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

const staffMember = (op: 'add' | 'delete', uid: string) =>
  slapd.asRoot((c) => c.modify(groupDn('kekkai-staff'), new Change({ operation: op, modification: new Attribute({ type: 'member', values: [userDn(uid)] }) })));
const sync = async () => {
  const res = await adminCall(h, admin, 'POST', '/api/admin/directory/sync');
  expect(res.statusCode, res.body).toBe(200);
  return res.json().report as { ok: boolean; checked: number; disabled: Array<{ account: string; reason: string }>; enabled: string[] };
};
const changes = (account: string) => h.audit.search({ events: ['account-change'], text: account }, { limit: 1000, order: 'asc' }).records.filter((r) => r.details.account === account);

describe('directory sync', () => {
  it('disables a person removed from their group, audits why, ends their sessions and lists them in the report', async () => {
    const signed = await login(h, 'kato', USER_PW);
    expect(signed.statusCode, signed.body).toBe(200);
    const cookie = cookieOf(signed);
    const kato = h.store.users.findByName('kato')!;
    h.live.push(fakeLiveSession('kato-browser', { id: kato.id, name: 'kato', role: 'staff' }));

    await staffMember('delete', 'kato');
    const report = await sync();
    expect(report.ok).toBe(true);
    expect(report.disabled).toEqual([{ account: 'kato', reason: 'no-mapped-group' }]);

    expect(h.store.users.findByName('kato')).toMatchObject({ disabled: true, disabledBy: 'directory', disabledReason: 'no-mapped-group' });
    const record = changes('kato').find((r) => r.details.action === 'directory-disable');
    expect(record?.details).toMatchObject({ source: 'directory-sync', reason: 'no-mapped-group', before: { disabled: false }, after: { disabled: true, disabledBy: 'directory' } });
    expect(record?.userName).toBe('boss'); // the admin who pressed "sync now"
    expect(h.consoleEnded).toContain('kato-browser');
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie } })).statusCode).toBe(401);
    const refused = await login(h, 'kato', USER_PW);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('KEKKAI_ERR_NO_MAPPED_GROUP');

    const unused = (await adminCall(h, admin, 'GET', '/api/admin/accounts/unused?days=90')).json();
    expect(unused.disabledByDirectory.map((a: { name: string; disabledReason: string }) => `${a.name}:${a.disabledReason}`)).toEqual(['kato:no-mapped-group']);
  });

  it('enables the account again when the person is back in a mapped group', async () => {
    await staffMember('add', 'kato');
    const report = await sync();
    expect(report.enabled).toEqual(['kato']);
    expect(h.store.users.findByName('kato')).toMatchObject({ disabled: false, disabledBy: null });
    expect(changes('kato').at(-1)?.details).toMatchObject({ action: 'directory-enable', reason: 'back-in-directory' });
    expect((await login(h, 'kato', USER_PW)).statusCode).toBe(200);
  });

  it('never re-enables an account an admin disabled', async () => {
    const id = h.store.users.findByName('kato')!.id;
    expect((await adminCall(h, admin, 'PUT', `/api/admin/accounts/${id}`, { disabled: true })).statusCode).toBe(200);
    await staffMember('delete', 'kato');
    await sync();
    await staffMember('add', 'kato');
    const report = await sync();
    expect(report.enabled).toEqual([]);
    expect(h.store.users.findByName('kato')).toMatchObject({ disabled: true, disabledBy: 'admin' });
    expect((await login(h, 'kato', USER_PW)).statusCode).toBe(403);
  });

  it('disables a person deleted from the directory, and one locked there', async () => {
    // Provisioned at the password step even though the second factor is not done yet.
    expect((await login(h, 'suzuki', USER_PW)).json().needsTotpEnrolment).toBe(true);
    expect((await login(h, 'tanaka', USER_PW)).statusCode).toBe(200);
    await slapd.asRoot((c) => c.del(userDn('suzuki')));
    await slapd.asRoot((c) => c.modify(userDn('tanaka'), new Change({ operation: 'add', modification: new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] }) })));
    const report = await sync();
    expect(report.disabled).toEqual(expect.arrayContaining([{ account: 'suzuki', reason: 'not-in-directory' }, { account: 'tanaka', reason: 'disabled-in-directory' }]));
    expect(h.store.users.findByName('suzuki')?.disabled).toBe(true);
  });

  it('changes nothing when the directory cannot be reached', async () => {
    await slapd.stop();
    const before = h.store.users.listBySource('ldap').map((u) => `${u.name}:${u.disabled}`);
    const res = await adminCall(h, admin, 'POST', '/api/admin/directory/sync');
    expect(res.json().report).toMatchObject({ ok: false, problem: 'unreachable', disabled: [] });
    expect(res.json().message.ja).toContain('接続できません');
    expect(h.store.users.listBySource('ldap').map((u) => `${u.name}:${u.disabled}`)).toEqual(before);
    // Local accounts still sign in while the directory is down; directory ones are told why not.
    expect((await login(h, 'nurse', PASSWORD)).statusCode).toBe(200);
    const down = await login(h, 'kato', USER_PW);
    expect(down.statusCode).toBe(503);
    expect(down.json().code).toBe('KEKKAI_ERR_DIRECTORY_UNAVAILABLE');
  });
});
