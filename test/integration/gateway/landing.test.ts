/** After sign-in, /start sends each role where it works (issue 13); the language stays. */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../../gateway/auth/auth-service.js';
import { buildTestApp, signIn, type AppHarness } from './app-harness.js';

let h: AppHarness;
beforeEach(async () => {
  h = await buildTestApp();
});
afterEach(async () => {
  await h.close();
});

const host = 'kekkai.test';

/** A session for a new account of `role`, straight in the store (admins would need a second factor first). */
function sessionFor(role: 'admin' | 'security', mustChangePassword = false): string {
  const user = h.store.users.create({ name: `${role}-${randomBytes(3).toString('hex')}`, role, passwordHash: 'x', mustChangePassword });
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  h.store.authSessions.create({ idHash: hashToken(token), userId: user.id, csrfToken: 'c', sourceIp: '127.0.0.1', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString() });
  return `kekkai_sid=${token}`;
}

async function landing(cookie: string | null, query = ''): Promise<string | undefined> {
  const res = await h.app.inject({ url: `/start${query}`, headers: { host, ...(cookie ? { cookie } : {}) } });
  expect(res.statusCode).toBe(302);
  return res.headers.location as string | undefined;
}

describe('landing after sign-in', () => {
  it('sends staff to the viewer, admins to the admin console, security officers to theirs', async () => {
    expect(await landing((await signIn(h.app)).cookie)).toBe('/');
    expect(await landing(sessionFor('admin'))).toBe('/admin');
    expect(await landing(sessionFor('security'))).toBe('/security');
  });

  it('keeps English, sends a one-time password to the password page and the signed-out to the login page', async () => {
    expect(await landing(sessionFor('admin'), '?lang=en')).toBe('/admin?lang=en');
    expect(await landing(sessionFor('security', true))).toBe('/password');
    expect(await landing(null)).toBe('/login');
    expect(await landing(null, '?lang=en')).toBe('/login?lang=en');
  });
});
