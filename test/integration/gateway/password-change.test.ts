import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import { buildTestApp, type AppHarness } from './app-harness.js';

let h: AppHarness;
const host = 'kekkai.test';
const ONE_TIME = 'OneTime-pass-0001';

beforeEach(async () => {
  h = await buildTestApp();
  // A staff account created with a one-time password (admins also enrol a second factor first).
  h.store.users.create({ name: 'clerk', role: 'staff', passwordHash: await hashPassword(ONE_TIME), mustChangePassword: true });
});
afterEach(async () => {
  await h.close();
});

async function signInAdmin(password = ONE_TIME) {
  const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'clerk', password } });
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const me = await h.app.inject({ url: '/api/me', headers: { host, cookie } });
  return { res, cookie, csrf: (me.json() as { csrfToken: string }).csrfToken };
}

describe('one-time password must be changed at first sign-in', () => {
  it('sends the user to /password and keeps the viewer closed until changed', async () => {
    const { res, cookie, csrf } = await signInAdmin();
    expect(res.json().mustChangePassword).toBe(true);
    const page = await h.app.inject({ url: '/', headers: { host, cookie } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/password');

    const wrong = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie, 'x-kekkai-csrf': csrf }, payload: { current: 'nope', next: 'New-admin-pass-2026' } });
    expect(wrong.statusCode).toBe(403);
    const weak = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie, 'x-kekkai-csrf': csrf }, payload: { current: ONE_TIME, next: 'weakpassword' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().message.ja).toContain('13');
    const noCsrf = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie }, payload: { current: ONE_TIME, next: 'New-admin-pass-2026' } });
    expect(noCsrf.statusCode).toBe(403);

    const ok = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie, 'x-kekkai-csrf': csrf }, payload: { current: ONE_TIME, next: 'New-admin-pass-2026' } });
    expect(ok.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/', headers: { host, cookie } })).statusCode).toBe(200);
    expect((await signInAdmin(ONE_TIME)).res.statusCode).toBe(401);
    expect((await signInAdmin('New-admin-pass-2026')).res.json().mustChangePassword).toBe(false);
  });
});

describe('changing a password', () => {
  it('ends the account\'s other sign-ins and keeps the current one', async () => {
    const a = await signInAdmin();
    await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie: a.cookie, 'x-kekkai-csrf': a.csrf }, payload: { current: ONE_TIME, next: 'New-admin-pass-2026' } });
    const b = await signInAdmin('New-admin-pass-2026');
    const c = await signInAdmin('New-admin-pass-2026');
    const res = await h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie: b.cookie, 'x-kekkai-csrf': b.csrf }, payload: { current: 'New-admin-pass-2026', next: 'Newer-admin-pass-2027' } });
    expect(res.statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie: b.cookie } })).statusCode).toBe(200);
    expect((await h.app.inject({ url: '/api/me', headers: { host, cookie: c.cookie } })).statusCode).toBe(401);
  });

  it('throttles guesses of the current password', async () => {
    const a = await signInAdmin();
    const guess = (current: string) =>
      h.app.inject({ method: 'POST', url: '/api/password', headers: { host, cookie: a.cookie, 'x-kekkai-csrf': a.csrf }, payload: { current, next: 'New-admin-pass-2026' } });
    for (let i = 0; i < 5; i++) expect((await guess(`wrong-${i}`)).statusCode).toBe(403);
    expect((await guess(ONE_TIME)).statusCode).toBe(429);
  });
});
