/** TOTP enrolment and two-step sign-in, recovery codes, lockout on codes, source ranges. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../gateway/auth/login-throttle.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, post, signInEnrolling, signInStaff, signInWithCode, totpCode } from './admin-helpers.js';

let h: AppHarness;
beforeEach(async () => {
  h = await buildTestApp({}, { consoles: true, throttle: new LoginThrottle({ maxPerNameAtAddress: 3 }) });
  await addUser(h, 'boss', 'admin');
});
afterEach(async () => {
  await h.close();
});

describe('second factor', () => {
  it('forces an admin without TOTP to enrol before any session exists', async () => {
    const first = await post(h, '/api/login', { username: 'boss', password: 'Admin-password-2026!' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ needsTotpEnrolment: true });
    expect(first.headers['set-cookie']).toBeUndefined();
    const wrong = await post(h, '/api/login/enrol', { pendingToken: first.json().pendingToken, code: '000000' });
    expect(wrong.statusCode).toBe(401);
  });

  it('signs in with password then a TOTP code, and refuses the same code twice', async () => {
    const { secret, recoveryCodes } = await signInEnrolling(h, 'boss');
    expect(recoveryCodes).toHaveLength(10);
    const user = h.store.users.findByName('boss')!;
    expect(user.totpEnabled).toBe(true);
    expect(user.totpSecret).not.toContain(secret);
    // The enrolment used this step's code; the next step's code signs in once.
    const next = totpCode(secret, Date.now() + 30_000);
    const ok = await signInWithCode(h, 'boss', next);
    expect(ok.res.statusCode).toBe(200);
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie: ok.cookie } });
    expect(me.json().user).toMatchObject({ name: 'boss', role: 'admin', totpEnabled: true });
    const replay = await signInWithCode(h, 'boss', next);
    expect(replay.res.statusCode).toBe(401);
    expect(replay.res.json().code).toBe('KEKKAI_ERR_INVALID_CODE');
  });

  it('accepts a recovery code once', async () => {
    const { recoveryCodes } = await signInEnrolling(h, 'boss');
    const code = recoveryCodes[3]!;
    expect((await signInWithCode(h, 'boss', code.toUpperCase())).res.statusCode).toBe(200);
    expect((await signInWithCode(h, 'boss', code)).res.statusCode).toBe(401);
    expect(h.store.users.unusedRecoveryCodes(h.store.users.findByName('boss')!.id)).toBe(9);
  });

  it('locks the account after repeated wrong codes, even with a right code afterwards', async () => {
    const { secret } = await signInEnrolling(h, 'boss');
    for (let i = 0; i < 3; i++) expect((await signInWithCode(h, 'boss', '123456')).res.statusCode).toBe(401);
    const locked = await post(h, '/api/login', { username: 'boss', password: 'Admin-password-2026!' });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message.ja).toContain('ロック');
    void secret;
    const failures = [...h.audit.records({})].filter((r) => r.event === 'login' && r.outcome === 'failure');
    expect(failures.map((r) => (r.details as { reason: string }).reason)).toEqual(['invalid-code', 'invalid-code', 'invalid-code', 'locked']);
  });

  it('locks out password guessing per account', async () => {
    for (let i = 0; i < 3; i++) expect((await post(h, '/api/login', { username: 'nurse', password: 'wrong-Password-1!' })).statusCode).toBe(401);
    expect((await post(h, '/api/login', { username: 'nurse', password: 'staff-Password-2026!' })).statusCode).toBe(429);
  });
});

describe('connection-source restriction', () => {
  it('refuses sign-in from outside the role ranges, audits it, and ends existing sessions', async () => {
    const admin = await signInEnrolling(h, 'boss');
    const staff = await signInStaff(h);
    const set = await h.app.inject({ method: 'PUT', url: '/api/admin/settings', headers: { host, cookie: admin.cookie, 'x-kekkai-csrf': admin.csrf }, payload: { sourceRanges: { staff: ['10.20.0.0/16'] } } });
    expect(set.statusCode).toBe(200);
    // inject() comes from 127.0.0.1, outside 10.20.0.0/16.
    const refused = await post(h, '/api/login', { username: 'nurse', password: 'staff-Password-2026!' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('KEKKAI_ERR_SOURCE_NOT_ALLOWED');
    expect(refused.json().message.ja).toContain('接続元');
    const record = [...h.audit.records({})].find((r) => r.event === 'login' && r.outcome === 'failure')!;
    expect(record).toMatchObject({ userName: 'nurse', role: 'staff', sourceIp: '127.0.0.1', details: { reason: 'source-not-allowed' } });
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie: staff.cookie } })).statusCode).toBe(401);
    // Admins are not restricted by the staff ranges.
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie: admin.cookie } })).statusCode).toBe(200);
  });

  it('lets an account range override its role and refuses a session used from another address', async () => {
    const nurse = h.store.users.findByName('nurse')!;
    h.store.users.update(nurse.id, { allowedSources: ['192.0.2.0/24'] });
    expect((await post(h, '/api/login', { username: 'nurse', password: 'staff-Password-2026!' })).statusCode).toBe(403);
    h.store.users.update(nurse.id, { allowedSources: [] });
    const staff = await signInStaff(h);
    const moved = await h.app.inject({ url: '/api/me', headers: { host, cookie: staff.cookie }, remoteAddress: '127.0.0.9' });
    expect(moved.statusCode).toBe(401);
  });
});

describe('optional second factor for staff', () => {
  it('lets a signed-in staff user enrol; later sign-ins need a code and the password rule drops to 8', async () => {
    const staff = await signInStaff(h);
    const headers = { cookie: staff.cookie, 'x-kekkai-csrf': staff.csrf };
    const started = await post(h, '/api/totp/start', {}, headers);
    const { secret } = started.json() as { secret: string };
    expect((await post(h, '/api/totp/confirm', { code: '000000' }, headers)).statusCode).toBe(400);
    const confirmed = await post(h, '/api/totp/confirm', { code: totpCode(secret) }, headers);
    expect(confirmed.json().recoveryCodes).toHaveLength(10);
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie: staff.cookie } });
    expect(me.json()).toMatchObject({ user: { totpEnabled: true }, passwordMinLength: 8 });
    const first = await post(h, '/api/login', { username: 'nurse', password: 'staff-Password-2026!' });
    expect(first.json()).toMatchObject({ needsTotp: true });
    expect(first.headers['set-cookie']).toBeUndefined();
    // An active factor cannot be replaced from a session (an admin resets it).
    expect((await post(h, '/api/totp/start', {}, headers)).statusCode).toBe(409);
  });
});
