/**
 * The viewer's start page: every signed-in user reads the hospital's links; admins edit
 * them (permission settings:write), validated with errors per field, audited.
 */
import type { FastifyInstance } from 'fastify';
import { StartLinksSchema } from '../admin/start-links.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { requireSession } from './auth-guard.js';
import { requirePermission } from './require-permission.js';

export function registerStartPageRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { auth } = ctx.deps;

  app.get('/api/start-page', async (req) => {
    requireSession(auth, req);
    return ctx.settings.startLinks();
  });

  app.get('/api/admin/settings/start-page', async (req) => {
    requirePermission(auth, req, 'settings:write');
    return ctx.settings.startLinks();
  });

  app.put('/api/admin/settings/start-page', async (req) => {
    const current = requirePermission(auth, req, 'settings:write');
    const body = parseBody(StartLinksSchema, req.body);
    const { before, after } = ctx.settings.setStartLinks(body);
    auditChange(ctx, current, req, 'settings-change', { action: 'start-page', before, after });
    return after;
  });
}
