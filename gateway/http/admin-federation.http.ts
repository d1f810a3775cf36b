/**
 * OIDC and SAML in the admin console (docs/federated-sign-in.md): the static
 * settings (read-only: they live in the configuration) and each source's role
 * mapping, checked row by row like LDAP's. Saving is audited.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { message } from '../i18n/messages.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { httpError } from './errors.js';
import { sessionOf } from './route-access.js';

const RoleMappingBody = z.object({ rules: z.array(z.object({ group: z.string().max(2000), role: z.string().max(20) })).max(1000) });
const Source = z.enum(['oidc', 'saml']);

export function registerFederationAdminRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { federation } = ctx.deps;

  app.get('/api/admin/federation', { config: { permission: 'directory:manage' } }, async () => {
    return federation.status();
  });

  app.put('/api/admin/federation/:source/role-mapping', { config: { permission: 'directory:manage' } }, async (req) => {
    const current = sessionOf(req);
    const parsed = Source.safeParse((req.params as { source?: string }).source);
    if (!parsed.success) throw httpError('not-found');
    const { rules } = parseBody(RoleMappingBody, req.body);
    const saved = federation.saveRoleMapping(parsed.data, rules);
    if (!saved.ok) {
      if (saved.tooMany) throw httpError('role-mapping-too-many');
      const fieldErrors = saved.problems.map((p) => ({ index: p.index, field: p.field, code: p.code, message: message(p.code) }));
      throw httpError('role-mapping-invalid', { body: { fieldErrors } });
    }
    auditChange(ctx, current, req, 'settings-change', { setting: `roleMapping.${parsed.data}`, before: saved.before, after: saved.after });
    return { roleMapping: saved.after };
  });
}
