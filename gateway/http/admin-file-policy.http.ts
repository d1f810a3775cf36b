/** File policy editor: current YAML and effective values, history, save (validated, versioned). */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { documentYaml, filePolicyFormSchema, yamlDocument } from '../admin/file-policy-form.js';
import { message } from '../i18n/messages.js';
import { errorEntry } from '../i18n/error-registry.js';
import { auditChange, parseBody, type AdminContext } from './admin-context.http.js';
import { sessionOf } from './route-access.js';

/** Either the YAML (advanced view) or the document the form edited. */
const SaveBody = z.union([
  z.object({ yaml: z.string().max(200_000), comment: z.string().max(500).optional() }),
  z.object({ document: z.record(z.unknown()), comment: z.string().max(500).optional() }),
]);

export function registerFilePolicyRoutes(app: FastifyInstance, ctx: AdminContext): void {

  app.get('/api/admin/file-policy', { config: { permission: 'policy:read' } }, async () => {
    const yaml = ctx.filePolicy.currentYaml();
    return { version: ctx.filePolicy.current()?.version ?? 0, yaml, document: yamlDocument(yaml), form: filePolicyFormSchema(), effective: ctx.filePolicy.currentFilePolicy(), versions: ctx.filePolicy.list() };
  });

  app.put('/api/admin/file-policy', { config: { permission: 'policy:write' } }, async (req, reply) => {
    const current = sessionOf(req);
    const body = parseBody(SaveBody, req.body);
    const before = { version: ctx.filePolicy.current()?.version ?? 0, yaml: ctx.filePolicy.currentYaml() };
    const yaml = 'yaml' in body ? body.yaml : documentYaml(body.document);
    const result = ctx.filePolicy.save(yaml, { authorName: current.user.name, comment: body.comment ?? null });
    if (!result.ok) {
      const text = { ja: message('file-policy-invalid', { issues: result.issuesJa.join('、') }).ja, en: message('file-policy-invalid', { issues: result.issues.join('; ') }).en };
      // The issues read differently per language, so the message is built here; status and code come from the registry.
      const entry = errorEntry('file-policy-invalid');
      return reply.code(entry.status).send({ code: entry.code, message: text, issues: result.issues, issuesJa: result.issuesJa });
    }
    auditChange(ctx, current, req, 'policy-change', { action: 'file-policy', before, after: { version: result.version.version, yaml: result.version.yaml } });
    return { version: result.version.version, effective: result.policy };
  });
}
