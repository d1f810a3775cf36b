import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addUser, signInEnrolling, signInStaff } from '../admin/admin-helpers.js';
import { buildTestApp, type AppHarness } from './app-harness.js';

let h: AppHarness;
const host = 'kekkai.test';

beforeEach(async () => {
  h = await buildTestApp({}, { consoles: true });
});
afterEach(async () => {
  await h.close();
});

describe('OpenAPI description', () => {
  it('is served to admins only and describes the JSON API', async () => {
    expect((await h.app.inject({ url: '/api/admin/openapi.json', headers: { host } })).statusCode).toBe(401);
    const staff = await signInStaff(h);
    expect((await h.app.inject({ url: '/api/admin/openapi.json', headers: { host, cookie: staff.cookie } })).statusCode).toBe(403);

    await addUser(h, 'sekinin', 'admin');
    const admin = await signInEnrolling(h, 'sekinin');
    const res = await h.app.inject({ url: '/api/admin/openapi.json', headers: { host, cookie: admin.cookie } });
    expect(res.statusCode).toBe(200);
    const spec = res.json() as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    const paths = Object.keys(spec.paths);
    expect(paths).toContain('/api/login');
    expect(paths.some((p) => p.startsWith('/api/admin/'))).toBe(true);
    expect(paths.some((p) => p.startsWith('/api/security/'))).toBe(true);
    expect(paths.every((p) => p.startsWith('/api/'))).toBe(true);
  });
});
