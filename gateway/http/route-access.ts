/**
 * Route permissions, declared where each route is registered and checked in one place.
 * Every /api route says who may call it in its route config:
 *
 * - `config: { permission: 'policy:write' }` — signed in, holding that permission
 *   (gateway/auth/permissions.ts), CSRF token on state-changing methods;
 * - `config: { access: 'session' }` — any signed-in account (the handler may check more);
 * - `config: { access: 'public' }` — anyone (sign-in itself, its provider list).
 *
 * One onRequest hook enforces it before the body is read, and fails closed: an /api
 * route that declares nothing answers 403 to everyone. The handler gets the checked
 * session from {@link sessionOf}.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, CurrentSession } from '../auth/auth-service.js';
import type { Permission } from '../auth/permissions.js';
import { requireSession } from './auth-guard.js';
import { httpError } from './errors.js';
import { requirePermission } from './require-permission.js';

/** What a route declares in its config. */
export interface RouteAccess {
  permission?: Permission;
  access?: 'public' | 'session';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
    access?: 'public' | 'session';
  }
  interface FastifyRequest {
    /** The session the access hook checked; null on public routes. */
    kekkaiSession: CurrentSession | null;
  }
  interface FastifyInstance {
    /** Every registered /api route and what it declared (for the declaration test and docs). */
    kekkaiRouteAccess: Array<{ method: string; url: string; access: RouteAccess }>;
  }
}

/** Only these paths need a declaration; pages, health, metrics and the WebSocket have their own guards. */
export const DECLARED_PREFIX = '/api/';

/** Installs the access hook; call before any /api route is registered. */
export function registerRouteAccess(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('kekkaiSession', null);
  app.decorate('kekkaiRouteAccess', []);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(DECLARED_PREFIX)) return;
    const config = (route.config ?? {}) as RouteAccess;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) app.kekkaiRouteAccess.push({ method, url: route.url, access: { ...(config.permission ? { permission: config.permission } : {}), ...(config.access ? { access: config.access } : {}) } });
  });
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.url === undefined || !req.routeOptions.url.startsWith(DECLARED_PREFIX)) return;
    const config = (req.routeOptions.config ?? {}) as RouteAccess;
    if (config.permission) req.kekkaiSession = requirePermission(auth, req, config.permission);
    else if (config.access === 'session') req.kekkaiSession = requireSession(auth, req);
    else if (config.access !== 'public') throw httpError('forbidden');
  });
}

/** The session the access hook checked for this request (401 when there is none). */
export function sessionOf(req: FastifyRequest): CurrentSession {
  if (!req.kekkaiSession) throw httpError('unauthenticated');
  return req.kekkaiSession;
}
