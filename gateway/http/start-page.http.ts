/**
 * The viewer's start page: every signed-in user reads the hospital's links; admins edit
 * them (permission settings:write), validated with errors per field, audited.
 */
import type { FastifyInstance } from 'fastify';
import { StartLinksSchema } from '../admin/start-links.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { sessionOf } from './route-access.js';

export function registerStartPageRoutes(app: FastifyInstance, ctx: AdminContext): void {
  app.get('/api/start-page', { config: { access: 'session' } }, async () => ctx.settings.startLinks());

  app.get('/api/admin/settings/start-page', { config: { permission: 'settings:write' } }, async () => ctx.settings.startLinks());

  app.put('/api/admin/settings/start-page', { config: { permission: 'settings:write' } }, async (req) => {
    const current = sessionOf(req);
    const body = parseBody(StartLinksSchema, req.body);
    const { before, after } = ctx.settings.setStartLinks(body);
    auditChange(ctx, current, req, 'settings-change', { action: 'start-page', before, after });
    return after;
  });
}
