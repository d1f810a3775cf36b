/**
 * Walks every registered /api/admin/*, /api/security/* and /api/compliance* route
 * (read from the router, so routes added later are walked too) with no session,
 * staff, admin and security, and expects 401/403 exactly where PERMISSIONS says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, type Permission } from '../../../gateway/auth/permissions.js';
import type { Role } from '../../../gateway/store/repositories.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling, signInStaff } from './admin-helpers.js';
import { routesOf, type RouteEntry } from './route-tree.js';

/** Which permission guards a console route (the prefixes are the contract with PERMISSIONS). */
function permissionFor(url: string, method: string): Permission {
  if (url.startsWith('/api/compliance')) return 'compliance:read';
  if (url.startsWith('/api/security/audit')) return 'audit:read';
  if (url.startsWith('/api/security/recordings')) return 'recordings:read';
  if (url.startsWith('/api/security/')) return method === 'GET' ? 'quarantine:read' : 'quarantine:act';
  if (url.startsWith('/api/admin/policy') || url.startsWith('/api/admin/file-policy')) return method === 'GET' ? 'policy:read' : 'policy:write';
  if (url.startsWith('/api/admin/leak-guard')) return method === 'PUT' ? 'policy:write' : 'policy:read';
  if (url.startsWith('/api/admin/sessions') || url.startsWith('/api/admin/workers') || url.startsWith('/api/admin/remote-workers')) return method === 'GET' ? 'sessions:read' : 'sessions:terminate';
  if (url.startsWith('/api/admin/settings')) return 'settings:write';
  if (url.startsWith('/api/admin/directory') || url.startsWith('/api/admin/federation')) return 'directory:manage';
  return method === 'GET' ? 'accounts:read' : 'accounts:write';
}

let h: AppHarness;
let routes: RouteEntry[];
const who: Partial<Record<Role, { cookie: string; csrf: string }>> = {};

beforeAll(async () => {
  h = await buildTestApp({}, { consoles: true });
  await h.app.ready();
  routes = routesOf(h.app.printRoutes({ commonPrefix: false })).filter((r) => /^\/api\/(admin\/|security\/|compliance)/.test(r.url));
  await addUser(h, 'boss', 'admin');
  await addUser(h, 'soc', 'security');
  who.staff = await signInStaff(h);
  who.admin = await signInEnrolling(h, 'boss');
  who.security = await signInEnrolling(h, 'soc');
});
afterAll(async () => {
  await h?.close();
});

function call(route: RouteEntry, session?: { cookie: string; csrf: string }) {
  const url = route.url.replace(/:[A-Za-z]+/g, '999999');
  const headers: Record<string, string> = { host, ...(session ? { cookie: session.cookie, 'x-kekkai-csrf': session.csrf } : {}) };
  return h.app.inject({ method: route.method as 'GET', url, headers, ...(route.method === 'GET' ? {} : { payload: {} }) });
}

describe('permission walk', () => {
  it('finds the admin, security and compliance routes', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /api/admin/accounts');
    expect(urls).toContain('PUT /api/admin/policy/document');
    expect(urls).toContain('GET /api/compliance');
    expect(routes.length).toBeGreaterThan(20);
  });

  it('answers 401 without a session, 403 for staff, and 403 exactly where PERMISSIONS denies', async () => {
    const problems: string[] = [];
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const anon = await call(route);
      if (anon.statusCode !== 401) problems.push(`${label} anonymous → ${anon.statusCode}`);
      for (const role of ['staff', 'admin', 'security'] as const) {
        const allowed = (PERMISSIONS[permissionFor(route.url, route.method)] as readonly string[]).includes(role);
        const res = await call(route, who[role]);
        const denied = res.statusCode === 403 || res.statusCode === 401;
        if (allowed === denied) problems.push(`${label} as ${role} → ${res.statusCode} (${allowed ? 'should be allowed' : 'should be 403'})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refuses a state-changing request without the CSRF token', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/api/admin/settings', headers: { host, cookie: who.admin!.cookie }, payload: { maxTabs: 3 } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('KEKKAI_ERR_CSRF_FAILED');
    const cross = await h.app.inject({ method: 'PUT', url: '/api/admin/settings', headers: { host, origin: 'https://evil.test', cookie: who.admin!.cookie, 'x-kekkai-csrf': who.admin!.csrf }, payload: { maxTabs: 3 } });
    expect(cross.statusCode).toBe(403);
    const settings = await h.app.inject({ url: '/api/admin/settings', headers: { host, cookie: who.admin!.cookie } });
    expect(settings.json().maxTabs).not.toBe(3);
  });
});
