/** The checklist evidence page's data and its CSV export (permission compliance:read). */
import type { FastifyInstance } from 'fastify';
import { presentItem } from '../admin/compliance-labels.js';
import { complianceCsv } from '../admin/compliance-service.js';
import { HttpError } from './errors.js';
import type { AdminContext } from './admin-context.http.js';
import { requirePermission } from './require-permission.js';

export function registerComplianceRoutes(app: FastifyInstance, ctx: AdminContext): void {
  const { auth, compliance } = ctx.deps;

  app.get('/api/compliance', async (req) => {
    requirePermission(auth, req, 'compliance:read');
    return { generatedAt: new Date().toISOString(), items: compliance.report().map(presentItem) };
  });

  app.get('/api/compliance.csv', async (req, reply) => {
    requirePermission(auth, req, 'compliance:read');
    // ?item=<id> exports one checklist item (the page's per-item export).
    const wanted = (req.query as { item?: unknown }).item;
    const items = compliance.report().filter((i) => wanted === undefined || i.id === wanted);
    if (items.length === 0) throw new HttpError(404, 'not-found');
    const name = typeof wanted === 'string' ? `kekkai-compliance-${wanted}.csv` : 'kekkai-compliance.csv';
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(complianceCsv(items));
  });
}
