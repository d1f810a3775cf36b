/** The checklist evidence page's data and its CSV export (permission compliance:read). */
import type { FastifyInstance } from 'fastify';
import { presentItem } from '../admin/compliance-labels.js';
import { complianceCsv } from '../admin/compliance-service.js';
import { httpError } from './errors.js';
import type { AdminContext } from './admin-context.http.js';

export function registerComplianceRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { compliance } = ctx.deps;

  app.get('/api/compliance', { config: { permission: 'compliance:read' } }, async () => {
    return { generatedAt: new Date().toISOString(), items: compliance.report().map(presentItem) };
  });

  app.get('/api/compliance.csv', { config: { permission: 'compliance:read' } }, async (req, reply) => {
    // ?item=<id> exports one checklist item (the page's per-item export).
    const wanted = (req.query as { item?: unknown }).item;
    const items = compliance.report().filter((i) => wanted === undefined || i.id === wanted);
    if (items.length === 0) throw httpError('not-found');
    const name = typeof wanted === 'string' ? `kekkai-compliance-${wanted}.csv` : 'kekkai-compliance.csv';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(complianceCsv(items));
  });
}
