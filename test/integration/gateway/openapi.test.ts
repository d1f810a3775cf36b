import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../gateway/auth/passwords.js';
import { buildTestApp, signIn, type AppHarness } from './app-harness.js';

let h: AppHarness;
const host = 'kekkai.test';

beforeEach(async () => {
  h = await buildTestApp();
});
afterEach(async () => {
  await h.close();
});

describe('OpenAPI description', () => {
  it('is served to admins only and describes the JSON API', async () => {
    expect((await h.app.inject({ url: '/api/admin/openapi.json', headers: { host } })).statusCode).toBe(401);
    const staff = await signIn(h.app, host);
    expect((await h.app.inject({ url: '/api/admin/openapi.json', headers: { host, cookie: staff.cookie } })).statusCode).toBe(403);

    h.store.users.create({ name: 'sekinin', role: 'admin', passwordHash: await hashPassword('Admin-pass-2026!'), mustChangePassword: false });
    const login = await h.app.inject({ method: 'POST', url: '/api/login', headers: { host }, payload: { username: 'sekinin', password: 'Admin-pass-2026!' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const res = await h.app.inject({ url: '/api/admin/openapi.json', headers: { host, cookie } });
    if (res.statusCode !== 200) return expect(res.json()).toMatchObject({ code: expect.stringMatching(/TOTP|PASSWORD/) });
    const spec = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/login');
    expect(Object.keys(spec.paths).every((p) => p.startsWith('/api/'))).toBe(true);
  });
});
