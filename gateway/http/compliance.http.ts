/** The checklist evidence page's data and its CSV export (permission compliance:read). */
import type { FastifyInstance } from 'fastify';
import { complianceCsv } from '../admin/compliance-service.js';
import type { AdminContext } from './admin-context.http.js';
import { requirePermission } from './require-permission.js';

export function registerComplianceRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { auth, compliance } = ctx.deps;

  app.get('/api/compliance', async (req) => {
    requirePermission(auth, req, 'compliance:read');
    return { generatedAt: new Date().toISOString(), items: compliance.report() };
  });

  app.get('/api/compliance.csv', async (req, reply) => {
    requirePermission(auth, req, 'compliance:read');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="kekkai-compliance.csv"')
      .send(complianceCsv(compliance.report()));
  });
}
