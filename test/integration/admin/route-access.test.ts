/**
 * Route permissions are declared on each route and checked in one hook (route-access.ts):
 * every registered /api route declares a permission or is explicitly public or
 * session-only, and a route that declares nothing is refused to everyone, admins included.
 */
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../gateway/auth/permissions.js';
import { errorHandler } from '../../../gateway/http/errors.js';
import { registerRouteAccess } from '../../../gateway/http/route-access.js';
import { buildTestApp, type AppHarness } from '../gateway/app-harness.js';
import { addUser, host, signInEnrolling } from './admin-helpers.js';
import { routesOf } from './route-tree.js';

let h: AppHarness;
let admin: { cookie: string; csrf: string };
/** An app wired like the gateway's (same hook, same sign-in service) with routes added by this test. */
let probe: FastifyInstance;

beforeAll(async () => {
  h = await buildTestApp({}, { consoles: true });
  await h.app.ready();
  await addUser(h, 'boss', 'admin');
  admin = await signInEnrolling(h, 'boss');
  probe = Fastify();
  probe.setErrorHandler(errorHandler);
  await probe.register(fastifyCookie);
  registerRouteAccess(probe, h.auth);
  // Registered like any route, but declaring nothing: the hook must refuse it.
  probe.get('/api/undeclared-probe', async () => ({ leaked: true }));
  probe.get('/api/declared-probe', { config: { permission: 'policy:read' } }, async () => ({ ok: true }));
  await probe.ready();
});
afterAll(async () => {
  await probe?.close();
  await h?.close();
});

describe('route access declarations', () => {
  it('every registered /api route declares a permission, or session-only or public access', () => {
    const registered = routesOf(h.app.printRoutes({ commonPrefix: false })).filter((r) => r.url.startsWith('/api/'));
    expect(registered.length).toBeGreaterThan(50);
    const declared = new Map(h.app.kekkaiRouteAccess.map((r) => [`${r.method} ${r.url}`, r.access]));
    const missing: string[] = [];
    for (const r of registered) {
      const access = declared.get(`${r.method} ${r.url}`);
      const ok = access && ((access.permission && access.permission in PERMISSIONS) || access.access === 'public' || access.access === 'session');
      if (!ok) missing.push(`${r.method} ${r.url}`);
    }
    expect(missing).toEqual([]);
    // Public is the exception: sign-in and the list of sign-in providers only.
    const publicRoutes = h.app.kekkaiRouteAccess.filter((r) => r.access.access === 'public').map((r) => r.url);
    expect(publicRoutes.every((url) => url.startsWith('/api/login'))).toBe(true);
  });

  it('refuses a route that declares nothing, even to an admin (fail closed)', async () => {
    const anon = await probe.inject({ url: '/api/undeclared-probe', headers: { host } });
    expect(anon.statusCode).toBe(403);
    // The same admin session passes the declared route, so the refusal is the missing declaration.
    expect((await probe.inject({ url: '/api/declared-probe', headers: { host, cookie: admin.cookie } })).json()).toEqual({ ok: true });
    const res = await probe.inject({ url: '/api/undeclared-probe', headers: { host, cookie: admin.cookie } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'KEKKAI_ERR_FORBIDDEN', message: { ja: expect.any(String), en: expect.any(String) } });
    expect(res.body).not.toContain('leaked');
  });

  it('checks the declared permission before the handler reads the body', async () => {
    const res = await h.app.inject({ method: 'PUT', url: '/api/admin/policy/yaml', headers: { host, 'content-type': 'application/json' }, payload: '{not json' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('KEKKAI_ERR_UNAUTHENTICATED');
  });
});
