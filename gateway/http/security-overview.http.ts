/** The security console's overview page data (permission quarantine:read). */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import type { QuarantineIndex } from '../security/quarantine-search.js';
import type { ReleaseRepository } from '../security/release-repository.js';
import { buildOverview, weekStart } from '../security/security-overview.js';

export interface OverviewRouteDeps {
  index: QuarantineIndex;
  releases: ReleaseRepository;
  audit: Pick<AuditLog, 'verify'>;
}

export function registerOverviewRoutes(app: FastifyInstance, deps: OverviewRouteDeps): void {
  app.get('/api/security/overview', { config: { permission: 'quarantine:read' } }, async () => {
    const now = new Date();
    const verify = deps.audit.verify();
    const chain = verify.ok ? { ok: true, count: verify.count } : { ok: false, count: verify.count, reason: verify.reason };
    return buildOverview(deps.index.blockedSince(weekStart(now).toISOString()), deps.releases.byState('pending').length, chain, now);
  });
}
