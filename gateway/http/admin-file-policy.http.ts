/** File policy editor: current YAML and effective values, history, save (validated, versioned). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { httpError } from './errors.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { sessionOf } from './route-access.js';

const SaveBody = z.object({ yaml: z.string().max(200_000), comment: z.string().max(500).optional() });

export function registerFilePolicyRoutes(app: FastifyInstance, ctx: AdminContext): void {

  app.get('/api/admin/file-policy', { config: { permission: 'policy:read' } }, async () => {
    return { version: ctx.filePolicy.current()?.version ?? 0, yaml: ctx.filePolicy.currentYaml(), effective: ctx.filePolicy.currentFilePolicy(), versions: ctx.filePolicy.list() };
  });

  app.put('/api/admin/file-policy', { config: { permission: 'policy:write' } }, async (req) => {
    const current = sessionOf(req);
    const body = parseBody(SaveBody, req.body);
    const before = { version: ctx.filePolicy.current()?.version ?? 0, yaml: ctx.filePolicy.currentYaml() };
    const result = ctx.filePolicy.save(body.yaml, { authorName: current.user.name, comment: body.comment ?? null });
    if (!result.ok) {
      throw httpError('file-policy-invalid', { params: { issues: result.issues.join('; ') }, body: { issues: result.issues } });
    }
    auditChange(ctx, current, req, 'policy-change', { action: 'file-policy', before, after: { version: result.version.version, yaml: result.version.yaml } });
    return { version: result.version.version, effective: result.policy };
  });
}
