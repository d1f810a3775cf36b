/** The checklist evidence page's data and its CSV export (permission compliance:read). */
import type { FastifyInstance } from 'fastify';
import { complianceCsv } from '../admin/compliance-service.js';
import type { AdminContext } from './admin-context.http.js';

export function registerComplianceRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { compliance } = ctx.deps;

  app.get('/api/compliance', { config: { permission: 'compliance:read' } }, async () => {
    return { generatedAt: new Date().toISOString(), items: compliance.report() };
  });

  app.get('/api/compliance.csv', { config: { permission: 'compliance:read' } }, async (req, reply) => {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="kekkai-compliance.csv"')
      .send(complianceCsv(compliance.report()));
  });
}
