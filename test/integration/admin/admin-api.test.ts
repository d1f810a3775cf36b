/** Accounts (unused report, bulk disable, reset, delete, revoke) and the policy editor API. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, fakeLiveSession, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling, signInStaff, type SignedIn } from './admin-helpers.js';
import { SqliteWorkerRegistry } from '../../../gateway/workers/worker-registry.js';

let h: AppHarness;
let admin: SignedIn;
beforeEach(async () => {
  h = await buildTestApp({}, { consoles: true });
  await addUser(h, 'boss', 'admin');
  admin = await signInEnrolling(h, 'boss');
});
afterEach(async () => {
  await h.close();
});

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('accounts', () => {
  it('lists accounts unused for 90 days and disables them in one action, ending their sessions', async () => {
    const staff = await signInStaff(h);
    const oldId = await addUser(h, 'departed', 'staff');
    const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
    h.db.prepare('UPDATE users SET created_at = ?, last_login_at = ? WHERE id IN (?, ?)').run(old, old, oldId, h.store.users.findByName('nurse')!.id);
    h.live.push(fakeLiveSession('b-1', { id: h.store.users.findByName('nurse')!.id, name: 'nurse', role: 'staff' }));
    const report = await api('GET', '/api/admin/accounts/unused');
    expect(report.json().accounts.map((a: { name: string }) => a.name).sort()).toEqual(['departed', 'nurse']);
    const done = await api('POST', '/api/admin/accounts/disable-unused', { days: 90 });
    expect(done.json().disabled.sort()).toEqual(['departed', 'nurse']);
    expect(h.store.users.findByName('departed')!.disabled).toBe(true);
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie: staff.cookie } })).statusCode).toBe(401);
    expect(h.consoleEnded).toEqual(['b-1']);
    expect((await api('GET', '/api/admin/accounts/unused')).json().accounts).toEqual([]);
    const audit = [...h.audit.records({ events: ['account-change'] })];
    expect(audit.at(-1)!.details).toMatchObject({ action: 'disable-unused', before: { disabled: false }, after: { disabled: true } });
  });

  it('creates a staff account with a one-time password, resets it, and deletes it keeping audit names', async () => {
    const created = await api('POST', '/api/admin/accounts', { name: 'kango01', role: 'staff', oneTimePassword: 'First-time-pass-01', department: '看護部', jobTitle: '看護師', expiresOn: '2099-03-31' });
    expect(created.statusCode).toBe(200);
    expect(created.json().account).toMatchObject({ name: 'kango01', department: '看護部', mustChangePassword: true, expiresOn: '2099-03-31' });
    expect(JSON.stringify(created.json())).not.toContain('scrypt');
    const weak = await api('POST', `/api/admin/accounts/${created.json().account.id}/password`, { oneTimePassword: 'short' });
    expect(weak.statusCode).toBe(400);
    const dup = await api('POST', '/api/admin/accounts', { name: 'kango01', role: 'staff', oneTimePassword: 'First-time-pass-01' });
    expect(dup.statusCode).toBe(409);
    expect((await api('DELETE', `/api/admin/accounts/${created.json().account.id}`)).statusCode).toBe(200);
    expect(h.store.users.findByName('kango01')).toBeUndefined();
    // The console's changes (boss's own second-factor enrolment at sign-in is recorded too, source sign-in).
    const names = [...h.audit.records({ events: ['account-change'] })].filter((r) => r.details.source === 'console').map((r) => (r.details as { account: string }).account);
    expect(names).toEqual(['kango01', 'kango01']);
  });

  it('refuses an expired account', async () => {
    const nurse = h.store.users.findByName('nurse')!;
    h.store.users.update(nurse.id, { expiresOn: '2020-01-01' });
    const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse', password: 'staff-Password-2026!' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_ACCOUNT_EXPIRED');
  });
});

describe('URL policy editor', () => {
  it('refuses a broken edit with the validation messages and changes nothing', async () => {
    const before = (await api('GET', '/api/admin/policy')).json();
    const broken = { ...before.document, rules: [{ id: 'x', match: { host: ['example.com'] }, action: 'explode' }] };
    const res = await api('PUT', '/api/admin/policy/document', { document: broken });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.join('\n')).toMatch(/action/);
    expect(res.json().message.ja).toContain('保存しませんでした');
    const after = (await api('GET', '/api/admin/policy')).json();
    expect(after.version).toBe(before.version);
    expect(after.yaml).toBe(before.yaml);
    expect([...h.audit.records({ events: ['policy-change'] })]).toHaveLength(0);
  });

  it('saves an added block rule as a new version, tests a URL, shows shadowing, and rolls back', async () => {
    const before = (await api('GET', '/api/admin/policy')).json();
    const rule = { id: 'no-example', name: 'Example blocked', enabled: true, match: { domain: ['example.com'] }, action: 'block' };
    const saved = await api('PUT', '/api/admin/policy/document', { document: { ...before.document, rules: [rule] } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().version).toBe(before.version + 1);
    const test = await api('POST', '/api/admin/policy/test', { url: 'https://www.example.com/a', candidate: { id: 'later', match: { host: ['www.example.com'] }, action: 'allow' } });
    expect(test.json().verdict).toMatchObject({ verdict: 'block', rule: { id: 'no-example' } });
    expect(test.json().shadowedBy.map((s: { rule: { id: string } }) => s.rule.id)).toEqual(['no-example']);
    const diff = await api('GET', `/api/admin/policy/diff?from=${before.version}&to=${before.version + 1}`);
    expect(JSON.stringify(diff.json().diff)).toContain('no-example');
    const rolled = await api('POST', '/api/admin/policy/rollback', { version: before.version });
    expect(rolled.statusCode).toBe(200);
    expect((await api('POST', '/api/admin/policy/test', { url: 'https://www.example.com/a' })).json().verdict.verdict).toBe('allow');
    const audit = [...h.audit.records({ events: ['policy-change'] })];
    expect(audit.map((r) => (r.details as { action: string }).action)).toEqual(['edit', 'rollback']);
    expect((audit[0]!.details as { after: { yaml: string } }).after.yaml).toContain('no-example');
  });

  it('tests a URL as browsing gets it: no scheme means https, and the proxy\'s own refusals show', async () => {
    const test = async (url: string) => (await api('POST', '/api/admin/policy/test', { url })).json();
    // Typed like an address: judged as https:// (it used to be "block" as an invalid URL).
    const bare = await test('www.mhlw.go.jp/stf/');
    expect(bare).toMatchObject({ assumedScheme: 'https', testedUrl: 'https://www.mhlw.go.jp/stf/', verdict: { verdict: 'allow' }, effective: 'allow' });
    // The policy allows these, but the egress proxy refuses them: the box says so.
    const loopback = await test('http://localhost/');
    expect(loopback).toMatchObject({ verdict: { verdict: 'allow' }, effective: 'block', egress: { allowed: false, code: 'address' } });
    expect(loopback.egress.message.ja).toContain('内部・ループバック等のアドレス');
    const port = await test('https://93.184.216.34:8443/');
    expect(port).toMatchObject({ effective: 'block', egress: { code: 'port' } });
    expect(port.egress.message.ja).toContain('許可されているポート: 80, 443');
    expect((await test('https://localhost:8443/')).egress.code).toBe('own-endpoint');
    // A public address on an allowed port passes both.
    expect(await test('https://93.184.216.34/')).toMatchObject({ effective: 'allow', egress: { allowed: true } });
  });

  it('stores the contact line as a policy version and the file policy as validated YAML', async () => {
    const set = await api('PUT', '/api/admin/settings', { contact: '情報システム課 内線 1234', maxTabs: 4 });
    expect(set.json()).toMatchObject({ contact: '情報システム課 内線 1234', maxTabs: 4 });
    expect(h.policy!.current().policy.contact).toBe('情報システム課 内線 1234');
    const bad = await api('PUT', '/api/admin/file-policy', { yaml: 'pdfDpi: 9000\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.join()).toContain('pdfDpi');
    const good = await api('PUT', '/api/admin/file-policy', { yaml: 'pdfDpi: 200\nallowedGroups: [pdf, image]\n' });
    expect(good.json().effective).toMatchObject({ pdfDpi: 200, allowedGroups: ['pdf', 'image'] });
  });

  it('lists live sessions and terminates one, audited', async () => {
    h.live.push(fakeLiveSession('s-9', { id: 1, name: 'nurse', role: 'staff' }, 'https://news.test/'));
    const list = await api('GET', '/api/admin/sessions');
    expect(list.json().sessions[0]).toMatchObject({ id: 's-9', user: { name: 'nurse' }, url: 'https://news.test/', sourceIp: '127.0.0.1' });
    expect((await api('POST', '/api/admin/sessions/s-9/terminate')).statusCode).toBe(200);
    expect(h.consoleEnded).toEqual(['s-9']);
    expect([...h.audit.records({ events: ['session-terminated'] })]).toHaveLength(1);
  });

  it('lists browser workers and drains one, audited; a bad request or unknown worker changes nothing', async () => {
    expect((await api('GET', '/api/admin/workers')).json()).toMatchObject({ inProcess: false, workers: [{ id: 1, draining: false }, { id: 2, draining: false }] });
    expect((await api('POST', '/api/admin/workers/1/drain', { draining: 'yes' })).statusCode).toBe(400);
    expect((await api('POST', '/api/admin/workers/7/drain', { draining: true })).statusCode).toBe(404);
    const drained = await api('POST', '/api/admin/workers/1/drain', { draining: true });
    expect(drained.statusCode).toBe(200);
    expect(drained.json().workers).toMatchObject([{ id: 1, draining: true }, { id: 2, draining: false }]);
    const records = [...h.audit.records({ events: ['worker-drain'] })];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userName: 'boss', details: { worker: 1, draining: true } });
  });

  it('says when remote workers are off, and otherwise lists them and revokes one, audited', async () => {
    expect((await api('GET', '/api/admin/remote-workers')).json()).toEqual({ enabled: false, port: null, caFingerprint: null, workers: [] });
    expect((await api('POST', '/api/admin/remote-workers/worker-0123456789ab/revoke')).statusCode).toBe(404);
    await h.close();
    h = await buildTestApp({ 'remoteWorkers.listen': '127.0.0.1:0' }, { consoles: true });
    await addUser(h, 'boss', 'admin');
    admin = await signInEnrolling(h, 'boss');
    new SqliteWorkerRegistry(h.db).add({ name: 'worker-0123456789ab', fingerprint: 'ab'.repeat(32), serial: '01', joinedAt: '2026-12-02T00:00:00.000Z', joinedFrom: '10.0.0.9', tokenId: 'AAAAAAAAAAAAAAAA' });
    const listed = (await api('GET', '/api/admin/remote-workers')).json();
    expect(listed).toMatchObject({ enabled: true, workers: [{ name: 'worker-0123456789ab', joinedFrom: '10.0.0.9', revokedAt: null }] });
    // The certificate fingerprint stays on the server (the join token id is shown: it is no secret without its MAC).
    expect(JSON.stringify(listed)).not.toContain('ab'.repeat(32));
    expect((await api('POST', '/api/admin/remote-workers/..%2Fetc/revoke')).statusCode).toBe(400);
    expect((await api('POST', '/api/admin/remote-workers/worker-ffffffffffff/revoke')).statusCode).toBe(404);
    expect((await api('POST', '/api/admin/remote-workers/worker-0123456789ab/revoke')).statusCode).toBe(200);
    expect((await api('GET', '/api/admin/remote-workers')).json().workers[0].revokedAt).toMatch(/^2\d{3}-/);
    expect(new SqliteWorkerRegistry(h.db).activeByFingerprint('ab'.repeat(32))).toBeNull();
    expect([...h.audit.records({ events: ['worker-revoked'] })].map((r) => [r.userName, r.details.worker])).toEqual([['boss', 'worker-0123456789ab']]);
  });

  it('reports compliance figures and exports them as CSV with a BOM', async () => {
    const res = await api('GET', '/api/compliance');
    const items = res.json().items as Array<{ id: string; figures: Record<string, unknown> }>;
    expect(items.find((i) => i.id === 'second-factor')!.figures).toMatchObject({ privileged: 1, withTotp: 1 });
    expect(items.find((i) => i.id === 'access-logs')!.figures).toMatchObject({ chainOk: true });
    // The clock's state, as the system's tools tell it (unknown where none answers, e.g. no systemd).
    const clock = items.find((i) => i.id === 'time-source') as { figures: { state: string; detail: string }; ok: boolean } | undefined;
    expect(['synchronized', 'unsynchronized', 'unknown']).toContain(clock?.figures.state);
    expect(clock!.ok).toBe(clock!.figures.state === 'synchronized');
    const csv = await api('GET', '/api/compliance.csv');
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    expect(csv.body).toContain('二要素認証');
    // Japanese headers, one column per detail (issue 13); one item on its own.
    expect(csv.body.split('\r\n')[0]).toMatch(/^\uFEFF項目,状態,.*二要素認証が必要なアカウント数/);
    const one = await api('GET', '/api/compliance.csv?item=second-factor');
    expect(one.body.split('\r\n').filter(Boolean)).toEqual(['\uFEFF項目,状態,二要素認証が必要なアカウント数,二要素認証を設定済みのアカウント数,二要素認証が未設定のアカウント', '二要素認証,対応済み,1,1,なし']);
    // The page's view: labels and display values per figure.
    const presented = (items.find((i) => i.id === 'second-factor') as unknown as { details: Array<{ key: string; label: { ja: string }; display: { ja: string } }> }).details;
    expect(presented.find((d) => d.key === 'withTotp')).toMatchObject({ label: { ja: '二要素認証を設定済みのアカウント数' }, display: { ja: '1' } });
  });
});
