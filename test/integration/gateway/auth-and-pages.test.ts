import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, PASSWORD, signIn, type AppHarness } from './app-harness.js';

let h: AppHarness;
beforeEach(async () => {
  h = await buildTestApp();
});
afterEach(async () => {
  await h.close();
});

const host = 'kekkai.test';

describe('sign-in and sessions', () => {
  it('sets a Secure, HttpOnly, SameSite=Strict session cookie on success', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin: `https://${host}` }, payload: { username: 'nurse', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^kekkai_sid=[\w-]{40,};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
  });

  it('refuses a wrong password with a bilingual message and no cookie', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse', password: 'wrong-Password-1!' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.json()).toMatchObject({ code: 'KEKKAI_ERR_INVALID_CREDENTIALS', message: { ja: expect.stringContaining('パスワード'), en: expect.stringContaining('password') } });
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    for (let i = 0; i < 5; i++) {
      await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse', password: `wrong-${i}` } });
    }
    const res = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse', password: PASSWORD } });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('KEKKAI_ERR_LOCKED');
  });

  it('refuses cross-origin sign-in posts and malformed bodies', async () => {
    const cross = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host, origin: 'https://evil.test' }, payload: { username: 'nurse', password: PASSWORD } });
    expect(cross.statusCode).toBe(403);
    const form = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=nurse' });
    expect(form.statusCode).toBe(415);
    const text = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host, 'content-type': 'text/plain' }, payload: 'username=nurse' });
    expect(text.statusCode).toBe(400);
    const missing = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message.en).toBeTruthy();
  });

  it('records sign-in successes and failures in the tamper-evident audit log', async () => {
    await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'nurse', password: 'wrong-Password-1!' } });
    await signIn(h.app);
    const records = [...h.audit.records({})];
    expect(records.map((r) => [r.event, r.outcome, r.userName])).toEqual([
      ['login', 'failure', 'nurse'],
      ['login', 'success', 'nurse'],
    ]);
    expect(records[1]!.role).toBe('staff');
    expect(JSON.stringify(records)).not.toContain('wrong-Password-1!');
    expect(h.audit.verify().ok).toBe(true);
  });

  it('stores only a hash of the session token', async () => {
    const { cookie } = await signIn(h.app);
    const token = cookie.split('=')[1]!;
    const db = (h.store as unknown as { users: { db: Database.Database } }).users.db;
    const rows = db.prepare('SELECT id_hash FROM auth_sessions').all() as Array<{ id_hash: string }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).not.toBe(token);
    expect(rows[0]!.id_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs out only with the CSRF token, ending the browser session and the sign-in', async () => {
    const { cookie, csrf } = await signIn(h.app);
    const noToken = await h.app.inject({ method: 'POST', url: '/api/logout', headers: { host, cookie } });
    expect(noToken.statusCode).toBe(403);
    const res = await h.app.inject({ method: 'POST', url: '/api/logout', headers: { host, cookie, 'x-kekkai-csrf': csrf, origin: `https://${host}` } });
    expect(res.statusCode).toBe(200);
    expect(h.sessions.ended).toHaveLength(1);
    const me = await h.app.inject({ url: '/api/me', headers: { host, cookie } });
    expect(me.statusCode).toBe(401);
  });
});

describe('pages', () => {
  it('redirects to the login page when signed out and serves the viewer when signed in', async () => {
    const out = await h.app.inject({ url: '/', headers: { host } });
    expect(out.statusCode).toBe(302);
    expect(out.headers.location).toBe('/login');
    const { cookie } = await signIn(h.app);
    const viewer = await h.app.inject({ url: '/', headers: { host, cookie } });
    expect(viewer.statusCode).toBe(200);
    expect(viewer.body).toContain('/assets/viewer.js');
  });

  it('serves Japanese by default and English on ?lang=en or browser preference', async () => {
    expect((await h.app.inject({ url: '/login', headers: { host } })).body).toContain('<html lang="ja">');
    expect((await h.app.inject({ url: '/login?lang=en', headers: { host } })).body).toContain('<html lang="en">');
    expect((await h.app.inject({ url: '/login', headers: { host, 'accept-language': 'en-US,en;q=0.9,ja;q=0.8' } })).body).toContain('<html lang="en">');
    expect((await h.app.inject({ url: '/login', headers: { host, 'accept-language': 'ja,en;q=0.5' } })).body).toContain('<html lang="ja">');
  });

  it('sends a strict CSP without inline script and the other security headers', async () => {
    const res = await h.app.inject({ url: '/login', headers: { host } });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('answers unknown routes and internal failures without internals', async () => {
    const res = await h.app.inject({ url: '/api/nothing-here', headers: { host } });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toMatch(/stack|at \//);
  });
});
